using Mailroom.Data;
using Npgsql;

namespace Mailroom.Tests.Shared;

/// <summary>
/// A fresh, empty database of either provider. SQLite always runs; PostgreSQL runs when
/// <c>MAILROOM_TEST_POSTGRES</c> holds a connection string to a server where databases may be created,
/// and is required when <c>CI=true</c> so that the PostgreSQL half can never skip silently.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "MAILROOM_TEST_POSTGRES";

    private readonly string? _adminConnectionString;
    private readonly string? _postgresName;

    private TestDatabase(string provider, string connectionString, string directory, string? adminConnectionString, string? postgresName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Directory = directory;
        _adminConnectionString = adminConnectionString;
        _postgresName = postgresName;
    }

    /// <summary><c>sqlite</c> or <c>postgres</c>, as <c>Mailroom:Database:Provider</c> spells it.</summary>
    public string Provider { get; }
    public string ConnectionString { get; }
    /// <summary>A temporary folder for the data directory (blobs, master key, the SQLite file).</summary>
    public string Directory { get; }

    public static TheoryData<string> Providers()
    {
        var data = new TheoryData<string> { "sqlite" };
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresVariable))) data.Add("postgres");
        else if (Environment.GetEnvironmentVariable("CI") == "true")
            throw new InvalidOperationException($"CI=true but {PostgresVariable} is not set: the PostgreSQL tests must run in CI");
        return data;
    }

    /// <summary>
    /// Whether the PostgreSQL-only tests (several nodes on one database) can run here; like <see cref="Providers"/>,
    /// it throws when <c>CI=true</c> and PostgreSQL is missing, so they never pass by not running in CI.
    /// </summary>
    public static bool PostgresAvailable => Providers().Cast<object[]>().Any(row => (string)row[0] == "postgres");

    public static async Task<TestDatabase> CreateAsync(string provider)
    {
        var directory = Path.Combine(Path.GetTempPath(), "mailroom-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        if (provider == "sqlite")
            return new TestDatabase(provider, $"Data Source={Path.Combine(directory, "mailroom.db")};Default Timeout=30", directory, null, null);

        var admin = Environment.GetEnvironmentVariable(PostgresVariable)
                    ?? throw new InvalidOperationException($"{PostgresVariable} is not set");
        var name = "mailroom_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
        return new TestDatabase(provider, connectionString, directory, admin, name);
    }

    public MailroomDatabase Open() =>
        new(Provider == "sqlite" ? DatabaseProvider.Sqlite : DatabaseProvider.Postgres, ConnectionString);

    /// <summary>Configuration arguments that point a Mailroom host at this database.</summary>
    public IEnumerable<string> HostArguments() =>
    [
        $"--Mailroom:DataDir={Directory}",
        $"--Mailroom:Database:Provider={Provider}",
        $"--Mailroom:Database:ConnectionString={ConnectionString}",
    ];

    public async ValueTask DisposeAsync()
    {
        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresName} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* a file still open by a stopping host; the temp folder is cleaned by the OS */ }
    }
}
