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

    /// <summary>
    /// Nodes of a cluster started together each migrate the same empty database. PostgreSQL only: a SQLite database
    /// belongs to one process. Repeated because the race it guards against lost only about one start in five.
    /// </summary>
    [Fact]
    public async Task Many_migrators_started_at_once_on_an_empty_PostgreSQL_database_all_succeed_and_apply_each_script_once()
    {
        if (!TestDatabase.PostgresAvailable) return;
        const int Rounds = 6, Starters = 8;
        for (var round = 0; round < Rounds; round++)
        {
            await using var test = await TestDatabase.CreateAsync("postgres");
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var starters = Enumerable.Range(0, Starters).Select(_ => Task.Run(async () =>
            {
                // Each starter has its own pool, as separate processes would.
                await using var db = new MailroomDatabase(DatabaseProvider.Postgres, test.ConnectionString + $";Application Name=starter{Guid.NewGuid():N}");
                await start.Task;
                return await new Migrator(db, TimeProvider.System).MigrateAsync();
            })).ToList();
            start.SetResult();
            var applied = await Task.WhenAll(starters);

            await using var check = test.Open();
            var scripts = new Migrator(check, TimeProvider.System).Scripts().Select(s => s.Version).ToList();
            Assert.Equal(scripts, applied.SelectMany(versions => versions).Order());
            await using var connection = await check.OpenAsync();
            Assert.Equal(scripts.Select(v => (long)v),
                await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version"));
        }
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
            "topic_actions", "hook_actions", "blobs", "dkim_keys",
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
