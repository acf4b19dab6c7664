using Mailroom.Core.Drafts;

namespace Mailroom.Server.Approvals;

/// <summary>
/// Announces drafts that were filed inside another transaction (an automation's <c>Reply</c>) on their identity's
/// approval channel, after that transaction committed. The queued announcement is stored with the draft, so a restart
/// (or another node) makes it; a claim in the database makes each happen once.
/// </summary>
public sealed class DraftAnnouncementWorker(DraftService drafts, ApprovalOptions options, TimeProvider time, IHostApplicationLifetime lifetime,
    ILogger<DraftAnnouncementWorker> logger) : BackgroundService
{
    private const int Batch = 50;

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
        using var timer = new PeriodicTimer(options.AnnouncePollInterval, time);
        try
        {
            do
            {
                try
                {
                    while (await drafts.AnnounceQueuedAsync(Batch, stoppingToken) == Batch) { }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "announcing queued drafts failed; trying again later");
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
