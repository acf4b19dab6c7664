using System.Data.Common;
using Dapper;
using Mailroom.Core.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Mailroom.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>
/// Opens connections for the configured provider and carries the ambient transaction: repository calls made
/// inside <see cref="InTransactionAsync{T}"/> join it, all others run on a connection of their own.
/// </summary>
public sealed class MailroomDatabase : ITransactionRunner, IAsyncDisposable
{
    private readonly AsyncLocal<DbTransaction?> _ambient = new();
    private readonly NpgsqlDataSource? _postgres;
    private readonly string _connectionString;

    static MailroomDatabase()
    {
        SQLitePCL.Batteries_V2.Init();
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public MailroomDatabase(DatabaseProvider provider, string connectionString)
    {
        Provider = provider;
        _connectionString = connectionString;
        if (provider == DatabaseProvider.Postgres) _postgres = NpgsqlDataSource.Create(connectionString);
    }

    public DatabaseProvider Provider { get; }

    /// <summary>Opens a SQLite database file in WAL mode with a busy wait, as the single-process setup uses.</summary>
    public static MailroomDatabase ForSqliteFile(string path) => new(DatabaseProvider.Sqlite,
        new SqliteConnectionStringBuilder { DataSource = path, Cache = SqliteCacheMode.Private, DefaultTimeout = 30, Pooling = true }.ToString());

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        if (_postgres is not null) return await _postgres.OpenConnectionAsync(ct);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> on the ambient transaction's connection, or on a fresh one.</summary>
    public async Task<T> RunAsync<T>(Func<DbConnection, DbTransaction?, Task<T>> work, CancellationToken ct = default)
    {
        if (_ambient.Value is { } transaction) return await work(transaction.Connection!, transaction);
        await using var connection = await OpenAsync(ct);
        return await work(connection, null);
    }

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? args, CancellationToken ct = default) =>
        RunAsync((c, t) => c.QuerySingleOrDefaultAsync<T>(new CommandDefinition(sql, args, t, cancellationToken: ct)), ct);

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? args, CancellationToken ct = default) =>
        RunAsync((c, t) => c.QueryAsync<T>(new CommandDefinition(sql, args, t, cancellationToken: ct)), ct);

    public Task<int> ExecuteAsync(string sql, object? args, CancellationToken ct = default) =>
        RunAsync((c, t) => c.ExecuteAsync(new CommandDefinition(sql, args, t, cancellationToken: ct)), ct);

    public async Task<T> ScalarAsync<T>(string sql, object? args, CancellationToken ct = default) =>
        (await RunAsync((c, t) => c.ExecuteScalarAsync<T>(new CommandDefinition(sql, args, t, cancellationToken: ct)), ct))!;

    public async Task<T> InTransactionAsync<T>(Func<Task<T>> work, CancellationToken ct = default)
    {
        if (_ambient.Value is not null) return await work();
        await using var connection = await OpenAsync(ct);
        // SQLite transactions begin IMMEDIATE here, so writers queue on the lock instead of failing to upgrade.
        await using var transaction = await connection.BeginTransactionAsync(ct);
        _ambient.Value = transaction;
        try
        {
            var result = await work();
            await transaction.CommitAsync(ct);
            return result;
        }
        finally
        {
            _ambient.Value = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        else SqliteConnection.ClearAllPools();
    }
}
