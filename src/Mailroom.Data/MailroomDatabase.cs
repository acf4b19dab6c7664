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
    /// <summary>The flow's transaction and, on SQLite, the statements it has prepared.</summary>
    private sealed record Ambient(DbTransaction Transaction, SqliteStatementCache? Statements, bool ReadOnly = false)
    {
        /// <summary>Changes to stored counts, by table and row id then column, written once per row just before commit.</summary>
        public Dictionary<(string Table, string Id), Dictionary<string, long>> Counts { get; } = new();
    }

    private readonly AsyncLocal<Ambient?> _ambient = new();
    /// <summary>
    /// SQLite allows one writer at a time; queuing writers here, in process, replaces lock contention inside SQLite
    /// (whose busy retries sleep) with an ordered wait. PostgreSQL needs no gate.
    /// </summary>
    private readonly SqliteWriterGate? _sqliteWriter;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = new();
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
        else _sqliteWriter = new SqliteWriterGate();
    }

    public DatabaseProvider Provider { get; }

    /// <summary>The transaction the current flow runs in, if any (for per-transaction caches).</summary>
    public DbTransaction? CurrentTransaction => _ambient.Value?.Transaction;

    /// <summary>Opens a SQLite database file in WAL mode with a busy wait, as the single-process setup uses.</summary>
    public static MailroomDatabase ForSqliteFile(string path) => new(DatabaseProvider.Sqlite,
        new SqliteConnectionStringBuilder { DataSource = path, Cache = SqliteCacheMode.Private, DefaultTimeout = 30, Pooling = true }.ToString());

    /// <summary>The engine's version as it reports it: the SQLite library's, or the PostgreSQL server's.</summary>
    public async Task<string> EngineVersionAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return connection.ServerVersion;
    }

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        if (_postgres is not null) return await _postgres.OpenConnectionAsync(ct);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        // Pooled connections keep their settings: configure each physical connection once.
        if (_configured.TryAdd(connection.Handle!, true))
        {
            await using var pragma = connection.CreateCommand();
            // synchronous=FULL: a commit is on disk when it returns (one WAL fsync per commit; writers batch their
            // commits, so this is one fsync per group). busy_timeout covers writers in other processes.
            pragma.CommandText = "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;";
            await pragma.ExecuteNonQueryAsync(ct);
        }
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> on the ambient transaction's connection, or on a fresh one.</summary>
    public async Task<T> RunAsync<T>(Func<DbConnection, DbTransaction?, Task<T>> work, CancellationToken ct = default)
    {
        if (_ambient.Value is { Transaction: var transaction }) return await work(transaction.Connection!, transaction);
        await using var connection = await OpenAsync(ct);
        return await work(connection, null);
    }

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? args, CancellationToken ct = default)
    {
        if (_ambient.Value is { Statements: { } statements } && statements.TryQuery<T>(sql, args, out var rows))
            return Task.FromResult(rows.Count <= 1 ? rows.FirstOrDefault() : throw new InvalidOperationException("Sequence contains more than one element"));
        return RunAsync((c, t) => c.QuerySingleOrDefaultAsync<T>(new CommandDefinition(sql, args, t, cancellationToken: ct)), ct);
    }

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? args, CancellationToken ct = default)
    {
        if (_ambient.Value is { Statements: { } statements } && statements.TryQuery<T>(sql, args, out var rows)) return Task.FromResult<IEnumerable<T>>(rows);
        return RunAsync((c, t) => c.QueryAsync<T>(new CommandDefinition(sql, args, t, cancellationToken: ct)), ct);
    }

    public async Task<int> ExecuteAsync(string sql, object? args, CancellationToken ct = default)
    {
        if (_ambient.Value is { ReadOnly: true }) throw new InvalidOperationException("a read block (ReadTogetherAsync) cannot write");
        if (_ambient.Value is { Statements: { } statements } && statements.TryExecute(sql, args, out var affected)) return affected;
        if (_ambient.Value is not null || _sqliteWriter is null)
            return await RunAsync((c, t) => c.ExecuteAsync(new CommandDefinition(sql, args, t, cancellationToken: ct)), ct);
        await _sqliteWriter.EnterAsync(background: false, ct);
        try { return await RunAsync((c, t) => c.ExecuteAsync(new CommandDefinition(sql, args, t, cancellationToken: ct)), ct); }
        finally { _sqliteWriter.Exit(); }
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args, CancellationToken ct = default) =>
        (await RunAsync((c, t) => c.ExecuteScalarAsync<T>(new CommandDefinition(sql, args, t, cancellationToken: ct)), ct))!;

    /// <summary>Changes to an inbox's totals and to their spam part (the messages and threads of threads marked spam).</summary>
    public readonly record struct InboxCounts(long Messages, long Threads, long SpamMessages, long SpamThreads);

    /// <summary>Adds to an inbox's message and thread counts and their spam part (see <see cref="AddToCountsAsync"/>).</summary>
    public Task AddToInboxCountsAsync(string inboxId, InboxCounts change, CancellationToken ct = default) => AddToCountsAsync("inboxes", inboxId,
        [("message_count", change.Messages), ("thread_count", change.Threads), ("spam_message_count", change.SpamMessages),
         ("spam_thread_count", change.SpamThreads)], ct);

    /// <summary>
    /// Adds to stored counts of one row (<paramref name="table"/> and the columns are the repositories' own names, never
    /// input). Inside a transaction the changes are summed and each row is written once, at commit: a group commit that
    /// stores many messages of one inbox would otherwise update (and, on PostgreSQL, make a new version of) the same row
    /// once per message. The database does the addition, so concurrent writers lose nothing.
    /// </summary>
    public async Task AddToCountsAsync(string table, string id, IReadOnlyList<(string Column, long N)> changes, CancellationToken ct = default)
    {
        if (_ambient.Value is { } ambient)
        {
            if (!ambient.Counts.TryGetValue((table, id), out var row)) ambient.Counts[(table, id)] = row = new(StringComparer.Ordinal);
            foreach (var (column, n) in changes) row[column] = row.GetValueOrDefault(column) + n;
            return;
        }
        await WriteCountsAsync(table, id, changes, ct);
    }

    /// <summary>Only the columns that change are written: an inbox's spam counts stay out of ordinary mail's statement.</summary>
    private async Task WriteCountsAsync(string table, string id, IReadOnlyList<(string Column, long N)> changes, CancellationToken ct)
    {
        var args = new Dictionary<string, object?> { ["id"] = id };
        var set = new List<string>();
        foreach (var (column, n) in changes.Where(c => c.N != 0))
        {
            args["n" + set.Count] = n;
            set.Add($"{column} = {column} + @n{set.Count}");
        }
        if (set.Count > 0) await ExecuteAsync($"UPDATE {table} SET {string.Join(", ", set)} WHERE id = @id", args, ct);
    }

    private async Task WriteCountsAsync(CancellationToken ct)
    {
        var counts = _ambient.Value!.Counts;
        foreach (var ((table, id), row) in counts) await WriteCountsAsync(table, id, row.Select(c => (c.Key, c.Value)).ToList(), ct);
        counts.Clear();
    }

    public Task<T> InTransactionAsync<T>(Func<Task<T>> work, CancellationToken ct = default) => InTransactionAsync(work, durable: true, ct);

    /// <summary>
    /// On SQLite the transaction waits behind foreground writers (<see cref="SqliteWriterGate"/>) and its commit skips the
    /// WAL fsync (synchronous=NORMAL for this transaction): it is atomic and ordered before every later commit, whose
    /// fsync writes it too, but a power failure may lose it. PostgreSQL commits as usual.
    /// </summary>
    public Task<T> InBackgroundTransactionAsync<T>(Func<Task<T>> work, CancellationToken ct = default) => InTransactionAsync(work, durable: false, ct);

    /// <summary>
    /// As <see cref="InBackgroundTransactionAsync{T}"/>, for background work that has fallen behind (the search queue): on
    /// SQLite it does not wait for mail to pause, only for no mail to be waiting, and still yields after its slice.
    /// </summary>
    public Task<T> InBackgroundTransactionBehindAsync<T>(Func<Task<T>> work, CancellationToken ct = default) =>
        InTransactionAsync(work, durable: false, ct, waitForPause: false);

    /// <summary>SQLite's one writer is wanted by mail being stored (<see cref="SqliteWriterGate.BackgroundShouldYield"/>); PostgreSQL has no one writer.</summary>
    public bool BackgroundShouldYield => _sqliteWriter?.BackgroundShouldYield ?? false;

    /// <summary>
    /// On SQLite the reads share one connection and snapshot (a deferred transaction, which takes no writer), each
    /// statement prepared once. PostgreSQL runs them as they come.
    /// </summary>
    public async Task<T> ReadTogetherAsync<T>(Func<Task<T>> work, CancellationToken ct = default)
    {
        if (_ambient.Value is not null || _sqliteWriter is null) return await work();
        await using var connection = (SqliteConnection)await OpenAsync(ct);
        await using var transaction = connection.BeginTransaction(deferred: true);
        using var statements = new SqliteStatementCache(transaction);
        _ambient.Value = new Ambient(transaction, statements, ReadOnly: true);
        try { return await work(); }
        finally { _ambient.Value = null; }
    }

    private async Task<T> InTransactionAsync<T>(Func<Task<T>> work, bool durable, CancellationToken ct, bool waitForPause = true)
    {
        if (_ambient.Value is not null) return await work();
        if (_sqliteWriter is null)
        {
            await using var postgres = await OpenAsync(ct);
            return await CommitAsync(postgres, work, ct);
        }
        await _sqliteWriter.EnterAsync(background: !durable, ct, waitForPause);
        try
        {
            await using var connection = await OpenAsync(ct);
            if (durable) return await CommitAsync(connection, work, ct);
            // Pooled connections keep their settings: this one goes back to the pool durable again.
            await connection.ExecuteAsync("PRAGMA synchronous = NORMAL");
            try { return await CommitAsync(connection, work, ct); }
            finally { await connection.ExecuteAsync("PRAGMA synchronous = FULL"); }
        }
        finally
        {
            _sqliteWriter.Exit();
        }
    }

    private async Task<T> CommitAsync<T>(DbConnection connection, Func<Task<T>> work, CancellationToken ct)
    {
        // SQLite transactions begin IMMEDIATE here, so writers queue on the lock instead of failing to upgrade.
        await using var transaction = await connection.BeginTransactionAsync(ct);
        using var statements = transaction is SqliteTransaction sqlite ? new SqliteStatementCache(sqlite) : null;
        _ambient.Value = new Ambient(transaction, statements);
        try
        {
            var result = await work();
            await WriteCountsAsync(ct);
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
