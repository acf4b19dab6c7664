using Mailroom.Core.Drafts;

namespace Mailroom.Server.Approvals;

/// <summary>
/// The background scheduler of escalations: drafts still pending when their <c>escalation_due_at</c> passes are
/// announced once on their identity's secondary channel. The due time is stored with the draft, so a restart (or another
/// node) picks up what was due; a claim in the database makes each escalation happen once.
/// </summary>
public sealed class EscalationWorker(DraftService drafts, ApprovalOptions options, TimeProvider time, IHostApplicationLifetime lifetime,
    ILogger<EscalationWorker> logger) : BackgroundService
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
        using var timer = new PeriodicTimer(options.EscalationPollInterval, time);
        try
        {
            do
            {
                try
                {
                    while (await drafts.EscalateDueAsync(Batch, stoppingToken) == Batch) { }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "escalating due drafts failed; trying again later");
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
