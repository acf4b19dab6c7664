using System.Collections.Concurrent;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Delivery;
using Mailroom.Core.Messages;
using Mailroom.Core.Messaging;
using Mailroom.Server.Workers;

namespace Mailroom.Server.Mail.Inbound;

/// <summary>
/// Drains the spool on every node: claim a batch with a lease, read its messages in parallel (bytes, parse,
/// authenticate, address), file them in one transaction and close their spool rows in it, so a message is filed and
/// announced exactly when its spool row closes. A message that fails is retried alone with a growing delay; one that
/// keeps failing is marked failed and kept (its raw bytes stay).
/// </summary>
public sealed class SpoolWorker(IInboundSpoolRepository spool, IBlobStore blobs, IMessageRepository messages, MailReception reception,
    ITransactionRunner transactions, InboundSignal signal, Data.Repositories.LeaseOwner owner, Data.Repositories.WorkInHand inHand, Hosting.LeaseOptions leases,
    TimeProvider time, ILogger<SpoolWorker> logger) : BackgroundService
{
    public const int MaxAttempts = 10;
    private const int BatchSize = 64;
    private const int Parallelism = 4;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow();
                var batch = await spool.ClaimAsync(owner.Name, now, now + leases.Duration, BatchSize, stoppingToken);
                if (batch.Count == 0)
                {
                    await signal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                    continue;
                }
                using (inHand.Hold(Data.Repositories.WorkQueues.InboundSpool, batch.Select(s => s.Id)))
                    await ProcessBatchAsync(batch, stoppingToken);
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
        var read = new ConcurrentBag<(SpooledMessage Spooled, ReadMail Mail)>();
        var inboxes = new ConcurrentDictionary<string, Core.Inboxes.Inbox?>();
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (spooled, token) =>
        {
            try { read.Add((spooled, await ReadAsync(spooled, inboxes, token))); }
            catch (Exception e) when (e is not OperationCanceledException) { await FailAsync(spooled, e, token); }
        });
        var ordered = read.OrderBy(r => r.Spooled.Envelope.ReceivedAt).ToList();
        if (ordered.Count == 0) return;
        try
        {
            await FileAsync(ordered.Select(r => r.Mail).ToList(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException && ordered.Count > 1)
        {
            // One bad message must not hold back the rest: file them one by one.
            logger.LogWarning(e, "filing a batch of {Count} messages failed; filing them one at a time", ordered.Count);
            foreach (var (spooled, mail) in ordered)
            {
                try { await FileAsync([mail], ct); }
                catch (Exception single) when (single is not OperationCanceledException) { await FailAsync(spooled, single, ct); }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await FailAsync(ordered[0].Spooled, e, ct);
        }
    }

    private async Task<ReadMail> ReadAsync(SpooledMessage spooled, ConcurrentDictionary<string, Core.Inboxes.Inbox?> inboxes, CancellationToken ct)
    {
        byte[] raw;
        await using (var stream = await blobs.OpenAsync(spooled.BlobKey, ct))
        using (var buffer = new MemoryStream())
        {
            await stream.CopyToAsync(buffer, ct);
            raw = buffer.ToArray();
        }
        return await reception.ReadAsync(new AcceptedMail(spooled.Id, spooled.Envelope, raw, spooled.BlobKey), inboxes, ct);
    }

    /// <summary>Files the batch and closes its spool rows in one transaction; copies an interrupted run already filed are skipped.</summary>
    private Task FileAsync(IReadOnlyList<ReadMail> batch, CancellationToken ct) => transactions.InTransactionAsync(async () =>
    {
        var spoolIds = batch.Select(m => m.Accepted.Id).ToList();
        await reception.FileAsync(batch, await messages.DeliveredFromSpoolAsync(spoolIds, ct), ct);
        await spool.CompleteAsync(spoolIds, ct);
        return true;
    }, ct);

    private async Task FailAsync(SpooledMessage spooled, Exception e, CancellationToken ct)
    {
        var attempts = spooled.Attempts + 1;
        logger.LogError(e, "processing spooled message {Id} failed (attempt {Attempt})", spooled.Id, attempts);
        DateTimeOffset? retryAt = attempts >= MaxAttempts ? null : time.GetUtcNow() + TimeSpan.FromSeconds(Math.Pow(2, attempts));
        await spool.FailAsync(spooled.Id, e.Message, retryAt, ct);
    }
}
