using System.Reflection;
using Dapper;

namespace Mailroom.Data;

/// <summary>
/// Applies the numbered scripts under <c>Migrations/{provider}/NNNN_name.sql</c> that are not yet recorded in
/// <c>schema_migrations</c>, each in its own transaction. On PostgreSQL every transaction, the one that creates
/// <c>schema_migrations</c> included, first takes an advisory lock, so any number of nodes can start at once. A SQLite script whose first line is <see cref="ForeignKeysOffMarker"/> rebuilds tables: it runs
/// with foreign keys off and must pass <c>PRAGMA foreign_key_check</c> before it commits.
/// </summary>
public sealed class Migrator(MailroomDatabase database, TimeProvider time)
{
    private const long AdvisoryLockKey = 0x6d61696c726f6f6d; // "mailroom"

    /// <summary>
    /// SQLite cannot alter a foreign key, so a script that changes one rebuilds the table (create, copy, drop, rename).
    /// With foreign keys on, the DROP TABLE would delete the rows that refer to the table by cascade, and
    /// <c>PRAGMA foreign_keys</c> does nothing inside a transaction: the migrator turns them off around such a script.
    /// </summary>
    public const string ForeignKeysOffMarker = "-- migrator: foreign_keys=OFF";

    public sealed record Script(int Version, string Name, string Sql)
    {
        public bool TurnsForeignKeysOff => Sql.StartsWith(ForeignKeysOffMarker, StringComparison.Ordinal);
    }

    public IReadOnlyList<Script> Scripts()
    {
        var folder = database.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";
        var assembly = typeof(Migrator).Assembly;
        var marker = $".Migrations.{folder}.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(marker, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[(n.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..^4];
                var version = int.Parse(file[..4], System.Globalization.CultureInfo.InvariantCulture);
                return new Script(version, file, Read(assembly, n));
            })
            .OrderBy(s => s.Version)
            .ToList();
    }

    /// <summary>Brings the schema up to date and returns the versions it applied.</summary>
    public Task<IReadOnlyList<int>> MigrateAsync(CancellationToken ct = default) => MigrateAsync(int.MaxValue, ct);

    /// <summary>Applies the scripts up to <paramref name="lastVersion"/> and returns the versions it applied.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(int lastVersion, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        if (database.Provider == DatabaseProvider.Sqlite)
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        // Under the lock: two PostgreSQL sessions running CREATE TABLE IF NOT EXISTS at once both pass the "if not exists"
        // and one fails on the catalog's unique index (23505 on pg_type, or 42710), so nodes started together crashed.
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            await LockAsync(connection, transaction);
            await connection.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                transaction: transaction);
            await transaction.CommitAsync(ct);
        }
        var applied = new List<int>();
        foreach (var script in Scripts().Where(s => s.Version <= lastVersion))
        {
            var foreignKeysOff = database.Provider == DatabaseProvider.Sqlite && script.TurnsForeignKeysOff;
            if (foreignKeysOff) await connection.ExecuteAsync("PRAGMA foreign_keys = OFF");
            try
            {
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await LockAsync(connection, transaction);
                var done = await connection.ExecuteScalarAsync<long>(
                    "SELECT COUNT(*) FROM schema_migrations WHERE version = @Version", new { script.Version }, transaction);
                if (done > 0) continue;
                await connection.ExecuteAsync(script.Sql, transaction: transaction);
                if (foreignKeysOff) await CheckForeignKeysAsync(connection, transaction, script);
                await connection.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
                    new { script.Version, script.Name, At = time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction);
                await transaction.CommitAsync(ct);
                applied.Add(script.Version);
            }
            finally
            {
                // The connection goes back to the pool, which must not hand out a connection without foreign keys.
                if (foreignKeysOff) await connection.ExecuteAsync("PRAGMA foreign_keys = ON");
            }
        }
        return applied;
    }

    /// <summary>
    /// Serializes migrating processes until the transaction ends. PostgreSQL takes a transaction-level advisory lock
    /// (released by commit, rollback or a dead session, so a killed node never leaves it held); SQLite's transactions
    /// begin IMMEDIATE, which already takes the database's write lock.
    /// </summary>
    private Task LockAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction) =>
        database.Provider == DatabaseProvider.Postgres
            ? connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = AdvisoryLockKey }, transaction)
            : Task.CompletedTask;

    /// <summary>What SQLite cannot check with foreign keys off is checked before the commit: a row pointing nowhere rolls the script back.</summary>
    private static async Task CheckForeignKeysAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, Script script)
    {
        var broken = (await connection.QueryAsync<(string Table, long? RowId, string Parent, long ForeignKey)>(
            "PRAGMA foreign_key_check", transaction: transaction)).ToList();
        if (broken.Count > 0)
            throw new InvalidOperationException($"migration {script.Name} leaves {broken.Count} rows whose foreign key points nowhere, " +
                                                $"the first in {broken[0].Table} (rowid {broken[0].RowId}) pointing at {broken[0].Parent}");
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
