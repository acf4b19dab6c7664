using Dapper;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

public sealed class MigrationTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrations_apply_once_and_are_recorded(string provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await using var db = test.Open();
        var migrator = new Migrator(db, TimeProvider.System);

        var first = await migrator.MigrateAsync();
        var second = await migrator.MigrateAsync();

        Assert.Equal(migrator.Scripts().Select(s => s.Version), first);
        Assert.Empty(second);
        await using var connection = await db.OpenAsync();
        var recorded = (await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version")).ToList();
        Assert.Equal(first.Select(v => (long)v), recorded);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Schema_holds_the_whole_model(string provider)
    {
        await using var fixture = await MigratedDatabase.CreateAsync(provider);
        await using var connection = await fixture.Db.OpenAsync();
        string[] tables =
        [
            "api_keys", "domains", "inboxes", "agents", "phone_numbers", "channels", "threads", "messages",
            "attachments", "drafts", "draft_versions", "webhooks", "events", "webhook_deliveries", "webhook_attempts",
            "inbound_spool", "outbound_deliveries", "delivery_attempts", "idempotency_keys", "actions", "topics",
            "topic_actions", "hook_actions", "blobs",
        ];
        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM organizations"));
        foreach (var table in tables)
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}"));
    }

    [Fact]
    public void Both_dialects_have_the_same_numbered_scripts()
    {
        var sqlite = new Migrator(new MailroomDatabase(DatabaseProvider.Sqlite, "Data Source=:memory:"), TimeProvider.System).Scripts();
        var postgres = new Migrator(new MailroomDatabase(DatabaseProvider.Postgres, "Host=127.0.0.1"), TimeProvider.System).Scripts();
        Assert.NotEmpty(sqlite);
        Assert.Equal(sqlite.Select(s => s.Name), postgres.Select(s => s.Name));
    }
}
