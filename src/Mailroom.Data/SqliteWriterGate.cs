using System.Diagnostics;

namespace Mailroom.Data;

/// <summary>
/// SQLite's one writer, handed out in process. Foreground writers (mail being stored, API calls) go first come, first
/// served. Background work (automation jobs), which nobody waits on, runs when mail pauses: it enters once no foreground
/// writer has held or wanted the writer for <see cref="ForegroundQuiet"/>, so that neither the writer nor the cores it
/// would use are taken from mail whose client waits for its 250. A background writer that has waited
/// <see cref="MaxBackgroundWait"/> goes next anyway, so a steady stream of mail slows background work but cannot stop it.
/// Background work that has fallen behind (the search queue) may skip the wait for a pause and only let waiting mail go
/// first. Once in, background work that can stop between steps asks <see cref="BackgroundShouldYield"/> and commits early when
/// a foreground writer has arrived: mail then waits at most <see cref="BackgroundSlice"/> plus one step, not a whole batch.
/// </summary>
public sealed class SqliteWriterGate
{
    public static readonly TimeSpan MaxBackgroundWait = TimeSpan.FromMilliseconds(200);
    /// <summary>How long mail must have paused before background work starts.</summary>
    public static readonly TimeSpan ForegroundQuiet = TimeSpan.FromMilliseconds(20);
    /// <summary>
    /// How long background work keeps the writer once a foreground writer waits. Under a steady stream of mail background
    /// work thus gets a slice in every <see cref="MaxBackgroundWait"/> (≈5 % of the writer), and all of it when mail pauses.
    /// </summary>
    public static readonly TimeSpan BackgroundSlice = TimeSpan.FromMilliseconds(10);

    private sealed record Waiter(TaskCompletionSource Turn, long Since, bool Background);

    private readonly object _lock = new();
    private readonly Queue<Waiter> _foreground = new();
    private readonly Queue<Waiter> _background = new();
    private bool _held;
    /// <summary>When the background writer holding the gate got it; 0 while a foreground writer holds it or none does.</summary>
    private long _backgroundSince;
    private long _lastForegroundExit;

    /// <summary>Whether the background writer holding the gate should commit now: a foreground writer waits and its slice is spent.</summary>
    public bool BackgroundShouldYield
    {
        get
        {
            lock (_lock)
                return _foreground.Count > 0 && _backgroundSince != 0 && Stopwatch.GetElapsedTime(_backgroundSince) >= BackgroundSlice;
        }
    }

    /// <param name="waitForPause">For background work: whether to wait for mail to pause, or only (having fallen behind) for no mail to wait.</param>
    public Task EnterAsync(bool background, CancellationToken ct, bool waitForPause = true) =>
        background ? EnterBackgroundAsync(waitForPause, ct) : QueueAsync(background: false, Stopwatch.GetTimestamp(), ct);

    private async Task EnterBackgroundAsync(bool waitForPause, CancellationToken ct)
    {
        var since = Stopwatch.GetTimestamp();
        while (waitForPause && QuietWait(since) is { } wait) await Task.Delay(wait, ct);
        await QueueAsync(background: true, since, ct);
    }

    /// <summary>How much longer a background writer that started waiting at <paramref name="since"/> should let mail go on; null when not.</summary>
    private TimeSpan? QuietWait(long since)
    {
        lock (_lock)
        {
            var left = MaxBackgroundWait - Stopwatch.GetElapsedTime(since);
            if (left <= TimeSpan.Zero) return null;
            var mailBusy = _held && _backgroundSince == 0 || _foreground.Count > 0;
            var quietFor = mailBusy ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_lastForegroundExit);
            if (quietFor >= ForegroundQuiet) return null;
            var wait = ForegroundQuiet - quietFor;
            return wait < left ? wait : left;
        }
    }

    private Task QueueAsync(bool background, long since, CancellationToken ct)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (!_held)
            {
                _held = true;
                _backgroundSince = background ? Stopwatch.GetTimestamp() : 0;
                return Task.CompletedTask;
            }
            waiter = new Waiter(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), since, background);
            (background ? _background : _foreground).Enqueue(waiter);
        }
        if (!ct.CanBeCanceled) return waiter.Turn.Task;
        // A cancelled waiter stays queued and is passed over when its turn comes (see Exit).
        var registration = ct.Register(() => waiter.Turn.TrySetCanceled(ct));
        return waiter.Turn.Task.ContinueWith(t => { registration.Dispose(); return t; }, TaskScheduler.Default).Unwrap();
    }

    public void Exit()
    {
        lock (_lock)
        {
            if (_backgroundSince == 0) _lastForegroundExit = Stopwatch.GetTimestamp();
            while (Next() is { } next)
            {
                // Set before the waiter runs: its slice starts when it gets the writer.
                _backgroundSince = next.Background ? Stopwatch.GetTimestamp() : 0;
                if (next.Turn.TrySetResult()) return;
            }
            _held = false;
            _backgroundSince = 0;
        }
    }

    private Waiter? Next()
    {
        if (_background.TryPeek(out var overdue) && Stopwatch.GetElapsedTime(overdue.Since) >= MaxBackgroundWait) return _background.Dequeue();
        if (_foreground.TryDequeue(out var next) || _background.TryDequeue(out next)) return next;
        return null;
    }
}
