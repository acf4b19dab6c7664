using Mailroom.Core.Delivery;

namespace Mailroom.Server.Mail.Inbound;

/// <summary>
/// Drains the spool on every node: claim with a lease, process, mark done. A failure is retried with a growing
/// delay; a message that keeps failing is marked failed and kept (its raw bytes stay in the blob store).
/// </summary>
public sealed class InboundWorker(IInboundSpoolRepository spool, InboundProcessor processor, InboundSignal signal, Hosting.MailroomOptions node, TimeProvider time,
    ILogger<InboundWorker> logger) : BackgroundService
{
    public const int MaxAttempts = 10;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow();
                var batch = await spool.ClaimAsync(node.EffectiveNodeId, now, now + Lease, 16, stoppingToken);
                foreach (var spooled in batch) await ProcessOneAsync(spooled, stoppingToken);
                if (batch.Count > 0) continue;
                await signal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "inbound spool poll failed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ProcessOneAsync(SpooledMessage spooled, CancellationToken ct)
    {
        try
        {
            await processor.ProcessAsync(spooled, ct);
            await spool.CompleteAsync(spooled.Id, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var attempts = spooled.Attempts + 1;
            logger.LogError(e, "processing spooled message {Id} failed (attempt {Attempt})", spooled.Id, attempts);
            DateTimeOffset? retryAt = attempts >= MaxAttempts ? null : time.GetUtcNow() + TimeSpan.FromSeconds(Math.Pow(2, attempts));
            await spool.FailAsync(spooled.Id, e.Message, retryAt, ct);
        }
    }
}
