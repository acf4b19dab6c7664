using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

/// <summary>
/// Background transactions (automation jobs) commit like any other, but on SQLite they let waiting foreground writers
/// go first and wait for mail to pause, are not starved by them, are asked to yield, and hand their connection back
/// durable. Reads run together on one prepared connection.
/// </summary>
public sealed class BackgroundTransactionTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private const string Insert = "INSERT INTO blobs (key, data, created_at) VALUES (@key, @data, @at)";

    [Theory, MemberData(nameof(Providers))]
    public async Task A_background_transaction_commits_and_rolls_back_as_a_whole(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        await f.Db.InBackgroundTransactionAsync(async () =>
        {
            await f.Db.ExecuteAsync(Insert, new { key = "b/1", data = new byte[] { 1 }, at = 1L });
            return await f.Db.ExecuteAsync(Insert, new { key = "b/2", data = new byte[] { 2 }, at = 2L });
        });
        await Assert.ThrowsAnyAsync<Exception>(() => f.Db.InBackgroundTransactionAsync(async () =>
        {
            await f.Db.ExecuteAsync(Insert, new { key = "b/3", data = new byte[] { 3 }, at = 3L });
            return await f.Db.ExecuteAsync(Insert, new { key = "b/3", data = new byte[] { 3 }, at = 3L }); // duplicate key
        }));
        Assert.Equal(["b/1", "b/2"], await f.Db.QueryAsync<string>("SELECT key FROM blobs WHERE key LIKE 'b/%' ORDER BY key", null));
    }

    [Fact]
    public async Task Waiting_foreground_writers_go_before_a_background_one_that_queued_earlier()
    {
        await using var f = await MigratedDatabase.CreateAsync("sqlite");
        var order = new List<string>();
        var (holder, release) = await HoldTheWriterAsync(f.Db);

        // Each call queues at the gate before it returns its task, so the background writer is first in line.
        var background = f.Db.InBackgroundTransactionAsync(async () => { lock (order) order.Add("background"); return await Insert1("q/b"); });
        var foreground = f.Db.InTransactionAsync(async () => { lock (order) order.Add("foreground"); return await Insert1("q/f"); });
        release.SetResult();
        await Task.WhenAll(holder, background, foreground);

        Assert.Equal(["foreground", "background"], order);
        Task<int> Insert1(string key) => f.Db.ExecuteAsync(Insert, new { key, data = Array.Empty<byte>(), at = 0L });
    }

    [Fact]
    public async Task A_background_writer_that_waited_long_enough_goes_before_newer_foreground_writers()
    {
        await using var f = await MigratedDatabase.CreateAsync("sqlite");
        var order = new List<string>();
        var (holder, release) = await HoldTheWriterAsync(f.Db);

        var background = f.Db.InBackgroundTransactionAsync(() => { lock (order) order.Add("background"); return Task.FromResult(0); });
        await Task.Delay(SqliteWriterGate.MaxBackgroundWait + TimeSpan.FromMilliseconds(50));
        var foreground = f.Db.InTransactionAsync(() => { lock (order) order.Add("foreground"); return Task.FromResult(0); });
        release.SetResult();
        await Task.WhenAll(holder, background, foreground);

        Assert.Equal(["background", "foreground"], order);
    }

    [Fact]
    public async Task A_cancelled_waiter_is_passed_over_and_the_connection_goes_back_durable()
    {
        await using var f = await MigratedDatabase.CreateAsync("sqlite");
        var (holder, release) = await HoldTheWriterAsync(f.Db);
        using var cancel = new CancellationTokenSource();
        var cancelled = f.Db.InBackgroundTransactionAsync(() => Task.FromResult(0), cancel.Token);
        var next = f.Db.InBackgroundTransactionAsync(() => f.Db.ScalarAsync<long>("PRAGMA synchronous", null));
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        release.SetResult();
        await holder;

        Assert.Equal(1L, await next); // NORMAL inside the background transaction
        // The pooled connection is FULL (2) again for the next ordinary writer.
        Assert.Equal(2L, await f.Db.InTransactionAsync(() => f.Db.ScalarAsync<long>("PRAGMA synchronous", null)));
    }

    [Fact]
    public async Task A_background_writer_waits_until_mail_has_paused()
    {
        await using var f = await MigratedDatabase.CreateAsync("sqlite");
        await f.Db.InTransactionAsync(() => f.Db.ExecuteAsync(Insert, new { key = "p/f", data = Array.Empty<byte>(), at = 0L }));
        var asked = System.Diagnostics.Stopwatch.StartNew();
        var entered = await f.Db.InBackgroundTransactionAsync(() => Task.FromResult(asked.Elapsed));

        Assert.True(entered >= SqliteWriterGate.ForegroundQuiet - TimeSpan.FromMilliseconds(2), $"entered after {entered.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_background_writer_that_has_fallen_behind_does_not_wait_for_mail_to_pause()
    {
        var gate = new SqliteWriterGate();
        await gate.EnterAsync(background: false, CancellationToken.None);
        gate.Exit(); // mail was just stored

        var behind = gate.EnterAsync(background: true, CancellationToken.None, waitForPause: false);

        Assert.True(behind.IsCompletedSuccessfully);
        gate.Exit();
    }

    [Fact]
    public async Task A_background_writer_is_asked_to_yield_once_mail_waits_and_its_slice_is_spent()
    {
        await using var f = await MigratedDatabase.CreateAsync("sqlite");
        Task<int>? mail = null;
        var (alone, asked) = await f.Db.InBackgroundTransactionAsync(async () =>
        {
            var alone = f.Db.BackgroundShouldYield;
            // Another flow, outside this transaction: mail arriving meanwhile.
            using (ExecutionContext.SuppressFlow())
                mail = Task.Run(() => f.Db.InTransactionAsync(() => f.Db.ExecuteAsync(Insert, new { key = "y/f", data = Array.Empty<byte>(), at = 0L })));
            await Task.Delay(SqliteWriterGate.BackgroundSlice + TimeSpan.FromMilliseconds(20));
            return (alone, f.Db.BackgroundShouldYield);
        });
        await mail!;

        Assert.False(alone);
        Assert.True(asked);
        Assert.False(f.Db.BackgroundShouldYield);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Reads_together_see_the_rows_and_cannot_write(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        await f.Db.ExecuteAsync(Insert, new { key = "r/1", data = new byte[] { 1 }, at = 1L });
        var keys = await f.Db.ReadTogetherAsync(async () =>
        {
            var found = new List<string?>();
            for (var i = 0; i < 3; i++) found.Add(await f.Db.QuerySingleOrDefaultAsync<string>("SELECT key FROM blobs WHERE key = @key", new { key = "r/1" }));
            found.Add(await f.Db.QuerySingleOrDefaultAsync<string>("SELECT key FROM blobs WHERE key = @key", new { key = "r/none" }));
            return found;
        });
        Assert.Equal(["r/1", "r/1", "r/1", null], keys);
        if (provider == "sqlite")
            await Assert.ThrowsAsync<InvalidOperationException>(() => f.Db.ReadTogetherAsync(() =>
                f.Db.ExecuteAsync(Insert, new { key = "r/2", data = new byte[] { 2 }, at = 2L })));
    }

    /// <summary>Starts a transaction that holds SQLite's writer until <c>release</c> is set.</summary>
    private static async Task<(Task<int> Holder, TaskCompletionSource Release)> HoldTheWriterAsync(MailroomDatabase db)
    {
        var holding = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var holder = db.InTransactionAsync(async () => { holding.SetResult(); await release.Task; return 0; });
        await holding.Task;
        return (holder, release);
    }
}
