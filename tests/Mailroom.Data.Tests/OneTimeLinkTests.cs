using Mailroom.Core.Common;
using Mailroom.Core.Links;
using Mailroom.Core.Security;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

public sealed class OneTimeLinkTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static (OneTimeLinks Links, SteppedClock Clock) Create(MigratedDatabase fixture, byte[]? masterKey = null)
    {
        var clock = new SteppedClock(fixture.Now);
        return (new OneTimeLinks(new SecretBox(masterKey ?? Key(1)), new OneTimeLinkRepository(fixture.Db), clock), clock);
    }

    private static byte[] Key(byte fill) => Enumerable.Repeat(fill, 32).ToArray();

    [Theory, MemberData(nameof(Providers))]
    public async Task Showing_a_link_changes_nothing_and_using_one_voids_its_siblings(string provider)
    {
        await using var fixture = await MigratedDatabase.CreateAsync(provider);
        var (links, _) = Create(fixture);
        var tokens = await links.IssueAsync(fixture.OrgA, "draft.review", "drf_1", ["approve", "reject"], TimeSpan.FromHours(48));
        Assert.All(tokens.Values, token => Assert.True(token.Length <= 64, token));

        var shown = await links.FindUsableAsync(tokens["approve"], "draft.review");
        Assert.NotNull(shown);
        Assert.Equal(("drf_1", "approve", fixture.OrgA), (shown.SubjectId, shown.Action, shown.OrgId));
        Assert.NotNull(await links.FindUsableAsync(tokens["approve"], "draft.review"));

        var used = await links.UseAsync(tokens["approve"], "draft.review");
        Assert.Equal("approve", used.Action);
        await Assert.ThrowsAsync<LinkRefusedException>(() => links.UseAsync(tokens["approve"], "draft.review"));
        await Assert.ThrowsAsync<LinkRefusedException>(() => links.UseAsync(tokens["reject"], "draft.review"));
        Assert.Null(await links.FindUsableAsync(tokens["reject"], "draft.review"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Voiding_a_group_stops_every_link_in_it(string provider)
    {
        await using var fixture = await MigratedDatabase.CreateAsync(provider);
        var (links, _) = Create(fixture);
        var tokens = await links.IssueAsync(fixture.OrgA, "draft.review", "drf_1", ["approve", "reject"], TimeSpan.FromHours(1));
        var link = await links.FindUsableAsync(tokens["reject"], "draft.review");

        await links.VoidGroupAsync(link!.GroupId);

        await Assert.ThrowsAsync<LinkRefusedException>(() => links.UseAsync(tokens["approve"], "draft.review"));
        await Assert.ThrowsAsync<LinkRefusedException>(() => links.UseAsync(tokens["reject"], "draft.review"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Forged_altered_expired_and_misdirected_tokens_are_refused(string provider)
    {
        await using var fixture = await MigratedDatabase.CreateAsync(provider);
        var (links, clock) = Create(fixture);
        var token = (await links.IssueAsync(fixture.OrgA, "draft.review", "drf_1", ["approve"], TimeSpan.FromHours(1)))["approve"];
        var parts = token.Split('.');

        string[] refused =
        [
            "", "nonsense", $"{parts[0]}.{parts[1]}", $"{parts[0]}.{long.Parse(parts[1]) + 3600}.{parts[2]}",
            $"{parts[0]}.{parts[1]}.{new string('A', parts[2].Length)}", $"{parts[0]}x.{parts[1]}.{parts[2]}", token + ".x",
        ];
        foreach (var bad in refused)
        {
            Assert.Null(await links.FindUsableAsync(bad, "draft.review"));
            await Assert.ThrowsAsync<LinkRefusedException>(() => links.UseAsync(bad, "draft.review"));
        }
        // A token for one purpose does nothing for another, and a server with another master key does not honour it.
        await Assert.ThrowsAsync<LinkRefusedException>(() => links.UseAsync(token, "sender_identity.confirm"));
        var (otherServer, _) = Create(fixture, Key(2));
        await Assert.ThrowsAsync<LinkRefusedException>(() => otherServer.UseAsync(token, "draft.review"));

        clock.Now += TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1);
        Assert.Null(await links.FindUsableAsync(token, "draft.review"));
        await Assert.ThrowsAsync<LinkRefusedException>(() => links.UseAsync(token, "draft.review"));
    }
}
