using Mailroom.Core.ApiKeys;
using Mailroom.Core.Common;
using Mailroom.Core.Domains;

namespace Mailroom.Core.Tests;

public sealed class IdsAndKeysTests
{
    private sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;
        public override DateTimeOffset GetUtcNow() => _now = _now.AddMilliseconds(1);
    }

    [Fact]
    public void Ids_carry_their_prefix_and_sort_by_creation_time()
    {
        var clock = new SteppingClock(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var ids = Enumerable.Range(0, 200).Select(_ => Ids.New(Ids.Message, clock)).ToList();

        Assert.All(ids, id => Assert.Matches("^msg_[0-9a-z]{26}$", id));
        Assert.Equal(ids, ids.OrderBy(i => i, StringComparer.Ordinal));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Api_key_tokens_have_a_display_prefix_and_a_sha256_hash()
    {
        var token = ApiKeyToken.Generate();

        Assert.Matches("^inai_[A-Za-z0-9]{8}_[A-Za-z0-9]{40}$", token.Value);
        Assert.Equal(token.Value[..13] + "_...", token.Prefix);
        Assert.Equal(64, token.Hash.Length);
        Assert.NotEqual(token.Hash, ApiKeyToken.Generate().Hash);
    }

    [Theory]
    [InlineData("Example.COM.", "example.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("a-b.c-d.example", "a-b.c-d.example")]
    [InlineData("localhost", null)]
    [InlineData("under_score.example", null)]
    [InlineData("-x.example", null)]
    [InlineData("x..example", null)]
    [InlineData("", null)]
    public void Domain_names_are_normalised_or_refused(string input, string? expected)
    {
        Assert.Equal(expected, DomainName.Normalize(input));
    }
}
