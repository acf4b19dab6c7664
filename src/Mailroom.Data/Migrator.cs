using System.Reflection;
using Dapper;

namespace Mailroom.Data;

/// <summary>
/// Applies the numbered scripts under <c>Migrations/{provider}/NNNN_name.sql</c> that are not yet recorded in
/// <c>schema_migrations</c>, each in its own transaction. On PostgreSQL an advisory lock lets several
/// nodes start at once.
/// </summary>
public sealed class Migrator(MailroomDatabase database, TimeProvider time)
{
    private const long AdvisoryLockKey = 0x6d61696c726f6f6d; // "mailroom"

    public sealed record Script(int Version, string Name, string Sql);

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
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        if (database.Provider == DatabaseProvider.Sqlite)
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
        var applied = new List<int>();
        foreach (var script in Scripts())
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            if (database.Provider == DatabaseProvider.Postgres)
                await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = AdvisoryLockKey }, transaction);
            var done = await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM schema_migrations WHERE version = @Version", new { script.Version }, transaction);
            if (done > 0) continue;
            await connection.ExecuteAsync(script.Sql, transaction: transaction);
            await connection.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
                new { script.Version, script.Name, At = time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction);
            await transaction.CommitAsync(ct);
            applied.Add(script.Version);
        }
        return applied;
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
