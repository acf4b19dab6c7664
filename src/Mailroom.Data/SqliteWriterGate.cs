using System.Diagnostics;

namespace Mailroom.Data;

/// <summary>
/// SQLite's one writer, handed out in process. Foreground writers (mail being stored, API calls) go first come, first
/// served; background work (automation jobs) enters when no foreground writer is waiting, so mail that a client waits
/// on for its 250 does not queue behind a batch that nobody waits on. A background writer that has waited
/// <see cref="MaxBackgroundWait"/> goes next anyway, so a steady stream of mail slows background work but cannot stop it.
/// </summary>
public sealed class SqliteWriterGate
{
    public static readonly TimeSpan MaxBackgroundWait = TimeSpan.FromMilliseconds(200);

    private sealed record Waiter(TaskCompletionSource Turn, long Since);

    private readonly object _lock = new();
    private readonly Queue<Waiter> _foreground = new();
    private readonly Queue<Waiter> _background = new();
    private bool _held;

    public Task EnterAsync(bool background, CancellationToken ct)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (!_held)
            {
                _held = true;
                return Task.CompletedTask;
            }
            waiter = new Waiter(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), Stopwatch.GetTimestamp());
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
            while (Next() is { } next)
                if (next.Turn.TrySetResult()) return;
            _held = false;
        }
    }

    private Waiter? Next()
    {
        if (_background.TryPeek(out var overdue) && Stopwatch.GetElapsedTime(overdue.Since) >= MaxBackgroundWait) return _background.Dequeue();
        if (_foreground.TryDequeue(out var next) || _background.TryDequeue(out next)) return next;
        return null;
    }
}
