using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

/// <summary>
/// Statements repeated inside one transaction (prepared once on SQLite) bind each call's own arguments, whatever
/// shape they come in; arguments only Dapper can bind (lists) still work.
/// </summary>
public sealed class TransactionStatementTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private const string Insert = "INSERT INTO blobs (key, data, created_at) VALUES (@key, @data, @at)";

    [Theory, MemberData(nameof(Providers))]
    public async Task A_repeated_statement_binds_each_calls_arguments(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        await f.Db.InTransactionAsync(async () =>
        {
            await f.Db.ExecuteAsync(Insert, new { key = "t/1", data = new byte[] { 1 }, at = 1L });
            await f.Db.ExecuteAsync(Insert, new { key = "t/2", data = new byte[] { 2, 2 }, at = 2L });
            // The same SQL with the arguments in another order and shape.
            await f.Db.ExecuteAsync(Insert, new Dictionary<string, object?> { ["at"] = 3L, ["data"] = new byte[] { 3, 3, 3 }, ["key"] = "t/3" });
            await f.Db.ExecuteAsync(Insert, new { at = 4L, key = "t/4", data = Array.Empty<byte>() });
            // A list argument is left to Dapper, which expands it on SQLite (PostgreSQL takes arrays with ANY).
            var listed = f.Db.Provider == DatabaseProvider.Sqlite ? "key IN @keys" : "key = ANY(@keys)";
            Assert.Equal(2, await f.Db.ExecuteAsync($"UPDATE blobs SET created_at = 10 WHERE {listed}", new { keys = new[] { "t/1", "t/2" } }));
            return true;
        });

        var rows = (await f.Db.QueryAsync<(string Key, byte[]? Data, long CreatedAt)>("SELECT key, data, created_at FROM blobs WHERE key LIKE 't/%' ORDER BY key", null)).ToList();
        Assert.Equal(["t/1", "t/2", "t/3", "t/4"], rows.Select(r => r.Key));
        Assert.Equal([1, 2, 3, 0], rows.Select(r => r.Data?.Length ?? 0));
        Assert.Equal([10L, 10L, 3L, 4L], rows.Select(r => r.CreatedAt));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_failing_statement_rolls_back_the_whole_transaction(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        await Assert.ThrowsAnyAsync<Exception>(() => f.Db.InTransactionAsync(async () =>
        {
            await f.Db.ExecuteAsync(Insert, new { key = "r/1", data = new byte[] { 1 }, at = 1L });
            await f.Db.ExecuteAsync(Insert, new { key = "r/1", data = new byte[] { 1 }, at = 1L }); // duplicate key
            return true;
        }));
        Assert.Equal(0L, await f.Db.ScalarAsync<long>("SELECT COUNT(*) FROM blobs WHERE key LIKE 'r/%'", null));
    }
}
