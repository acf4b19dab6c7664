using Mailroom.Server.Workers;
using System.Collections.Concurrent;
using Mailroom.Core.Delivery;

namespace Mailroom.Server.Mail.Inbound;

/// <summary>
/// Drains the spool on every node: claim a batch with a lease, prepare its messages in parallel (read, parse,
/// authenticate, attachments), store them in one transaction, close their spool rows in it. A message that fails
/// is retried alone with a growing delay; one that keeps failing is marked failed and kept (its raw bytes stay).
/// </summary>
public sealed class InboundWorker(IInboundSpoolRepository spool, InboundProcessor processor, InboundSignal signal, Hosting.MailroomOptions node,
    TimeProvider time, ILogger<InboundWorker> logger) : BackgroundService
{
    public const int MaxAttempts = 10;
    private const int BatchSize = 64;
    private const int Parallelism = 4;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow();
                var batch = await spool.ClaimAsync(node.EffectiveNodeId, now, now + Lease, BatchSize, stoppingToken);
                if (batch.Count > 0) await ProcessBatchAsync(batch, stoppingToken);
                else await signal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
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

    private async Task ProcessBatchAsync(IReadOnlyList<SpooledMessage> batch, CancellationToken ct)
    {
        var prepared = new ConcurrentBag<InboundProcessor.PreparedMessage>();
        var inboxes = new ConcurrentDictionary<string, Core.Inboxes.Inbox?>();
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (spooled, token) =>
        {
            try { prepared.Add(await processor.PrepareAsync(spooled, inboxes, token)); }
            catch (Exception e) when (e is not OperationCanceledException) { await FailAsync(spooled, e, token); }
        });
        var ordered = prepared.OrderBy(p => p.Spooled.Envelope.ReceivedAt).ToList();
        if (ordered.Count == 0) return;
        try
        {
            await processor.CommitAsync(ordered, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException && ordered.Count > 1)
        {
            // One bad message must not hold back the rest: store them one by one.
            logger.LogWarning(e, "storing a batch of {Count} messages failed; storing them one at a time", ordered.Count);
            foreach (var one in ordered)
            {
                try { await processor.CommitAsync([one], ct); }
                catch (Exception single) when (single is not OperationCanceledException) { await FailAsync(one.Spooled, single, ct); }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await FailAsync(ordered[0].Spooled, e, ct);
        }
    }

    private async Task FailAsync(SpooledMessage spooled, Exception e, CancellationToken ct)
    {
        var attempts = spooled.Attempts + 1;
        logger.LogError(e, "processing spooled message {Id} failed (attempt {Attempt})", spooled.Id, attempts);
        DateTimeOffset? retryAt = attempts >= MaxAttempts ? null : time.GetUtcNow() + TimeSpan.FromSeconds(Math.Pow(2, attempts));
        await spool.FailAsync(spooled.Id, e.Message, retryAt, ct);
    }
}
