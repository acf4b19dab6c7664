namespace Mailroom.Server.Approvals;

/// <summary>
/// A poller of drafts with something due (an escalation, a queued announcement): once HTTP listens, it runs the due work
/// in batches at each tick until a batch comes back short. What is due is stored with the draft and claimed in the
/// database, so a restart (or another node) picks it up and each happens once.
/// </summary>
public abstract class DueDraftWorker(TimeSpan pollInterval, TimeProvider time, IHostApplicationLifetime lifetime, ILogger logger) : BackgroundService
{
    private const int Batch = 50;

    /// <summary>What the log calls this work when a batch fails.</summary>
    protected abstract string Work { get; }

    /// <returns>How many drafts the batch handled.</returns>
    protected abstract Task<int> RunDueAsync(int batch, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Cards carry links on the address HTTP listens at (without Mailroom:PublicUrl): wait until it is bound.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try { await started.Task; }
            catch (OperationCanceledException) { return; }
        }
        using var timer = new PeriodicTimer(pollInterval, time);
        try
        {
            do
            {
                try
                {
                    while (await RunDueAsync(Batch, stoppingToken) == Batch) { }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "{Work} failed; trying again later", Work);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
