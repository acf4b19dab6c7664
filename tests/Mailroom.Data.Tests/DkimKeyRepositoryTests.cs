using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

public sealed class DkimKeyRepositoryTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task The_first_key_stored_for_a_domain_stays_and_a_later_one_is_refused(string provider)
    {
        await using var fixture = await MigratedDatabase.CreateAsync(provider);
        var keys = new DkimKeyRepository(fixture.Db);

        Assert.Null(await keys.FindSealedAsync("platform.example"));
        Assert.True(await keys.AddIfAbsentAsync("platform.example", "mailroom", "sealed-first", fixture.Now));
        Assert.False(await keys.AddIfAbsentAsync("platform.example", "mailroom", "sealed-second", fixture.Now));
        Assert.True(await keys.AddIfAbsentAsync("other.example", "mailroom", "sealed-other", fixture.Now));

        Assert.Equal("sealed-first", await keys.FindSealedAsync("platform.example"));
        Assert.Equal("sealed-other", await keys.FindSealedAsync("other.example"));
    }
}
