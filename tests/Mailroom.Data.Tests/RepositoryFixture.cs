using Mailroom.Core.Organizations;
using Mailroom.Data;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

/// <summary>A migrated database of one provider with two organizations, for repository tests.</summary>
public sealed class MigratedDatabase : IAsyncDisposable
{
    private TestDatabase _test = null!;

    public MailroomDatabase Db { get; private set; } = null!;
    public string OrgA { get; } = "org_a_" + Guid.NewGuid().ToString("N")[..8];
    public string OrgB { get; } = "org_b_" + Guid.NewGuid().ToString("N")[..8];
    public DateTimeOffset Now { get; } = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public static async Task<MigratedDatabase> CreateAsync(string provider)
    {
        var fixture = new MigratedDatabase();
        fixture._test = await TestDatabase.CreateAsync(provider);
        fixture.Db = fixture._test.Open();
        await new Migrator(fixture.Db, TimeProvider.System).MigrateAsync();
        var organizations = new Repositories.OrganizationRepository(fixture.Db);
        foreach (var id in new[] { fixture.OrgA, fixture.OrgB })
            await organizations.CreateAsync(new Organization { Id = id, Name = id, InboxLimit = 5, DomainLimit = 2, CreatedAt = fixture.Now, UpdatedAt = fixture.Now });
        return fixture;
    }

    /// <summary>Another handle on the same database (its own connections and, on SQLite, its own writer queue): another process.</summary>
    public MailroomDatabase OpenAnother() => _test.Open();

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        await _test.DisposeAsync();
    }
}
