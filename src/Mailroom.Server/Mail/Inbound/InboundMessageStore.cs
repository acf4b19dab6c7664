using System.Collections.Concurrent;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Delivery;
using Mailroom.Smtp;
using Mailroom.Smtp.Server;
using Mailroom.Server.Workers;

namespace Mailroom.Server.Mail.Inbound;

/// <summary>
/// The durable half of DATA. A message up to <see cref="StoreOnAcceptLimit"/> is parsed, authenticated and routed by
/// the session that received it, then stored — raw bytes, thread, message, <c>message.received</c> — in a group
/// commit before the session answers 250: once the client hears 250 the mail is readable. A larger message, or one
/// whose storing fails, is spooled instead (bytes and a spool row, committed before 250) and the
/// <see cref="InboundWorker"/> stores it from there, so a crash after 250 loses nothing either way.
/// </summary>
public sealed class InboundMessageStore(IBlobStore blobs, IInboundSpoolRepository spool, InboundProcessor processor, ITransactionRunner transactions,
    InboundSignal signal, TimeProvider time, ILogger<InboundMessageStore> logger) : ISmtpMessageStore
{
    /// <summary>Messages up to this size are stored as they are accepted; larger ones go through the spool, bounding memory.</summary>
    public const int StoreOnAcceptLimit = 256 * 1024;

    /// <summary>A message waiting for the next group commit.</summary>
    private abstract record Pending
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Parsed and routed: stored in the commit.</summary>
    private sealed record Prepared(InboundProcessor.PreparedMessage Message) : Pending;

    /// <summary>Spooled in the commit for the worker: its blob key, or its bytes to store in that commit.</summary>
    private sealed record Spooled(string Id, InboundEnvelope Envelope, string? BlobKey, byte[]? Content) : Pending;

    private readonly Lock _gate = new();
    private List<Pending> _pending = [];
    private bool _committing;

    public async ValueTask<SmtpReply> StoreAsync(SmtpEnvelope envelope, SmtpMessageBody body, CancellationToken ct)
    {
        try
        {
            var id = Ids.New(Ids.InboundSpool, time);
            var inbound = Envelope(envelope);
            await using var content = body.OpenRead();
            if (body.Length > StoreOnAcceptLimit)
            {
                await CommitAsync(new Spooled(id, inbound, await blobs.PutAsync(InboundProcessor.RawBlobPrefix, content, sync: false, ct), null), ct);
                return SmtpReplies.Queued(id);
            }
            var raw = new byte[body.Length];
            await content.ReadExactlyAsync(raw, ct);
            Pending pending;
            try
            {
                pending = new Prepared(await processor.PrepareAsync(new SpooledMessage(id, inbound, "", 0), raw, rawStored: false, new ConcurrentDictionary<string, Core.Inboxes.Inbox?>(), ct));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "preparing message {Id} failed; spooling it for another try", id);
                pending = new Spooled(id, inbound, null, raw);
            }
            await CommitAsync(pending, ct);
            return SmtpReplies.Queued(id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "could not store a message from {Remote}", envelope.RemoteEndPoint);
            return SmtpReplies.TemporaryFailure;
        }
    }

    /// <summary>
    /// Spools a message whose bytes are already stored (local delivery of our own outbound mail) and returns once its
    /// row is committed.
    /// </summary>
    public Task EnqueueAsync(string id, InboundEnvelope envelope, string blobKey, CancellationToken ct) =>
        CommitAsync(new Spooled(id, envelope, blobKey, null), ct);

    /// <summary>
    /// Rows that arrive while a commit runs wait and go together in the next transaction (group commit): the caller
    /// that finds no commit running performs it for all.
    /// </summary>
    private async Task CommitAsync(Pending pending, CancellationToken ct)
    {
        bool lead;
        lock (_gate)
        {
            _pending.Add(pending);
            lead = !_committing;
            _committing = true;
        }
        if (lead) await CommitPendingAsync();
        await pending.Committed.Task.WaitAsync(ct);
    }

    private async Task CommitPendingAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _committing = false;
                    return;
                }
                (batch, _pending) = (_pending, []);
            }
            try
            {
                await CommitBatchAsync(batch);
                foreach (var item in batch) item.Committed.SetResult();
            }
            catch (Exception e)
            {
                // One bad message must not hold back the others: each gets a transaction of its own.
                logger.LogWarning(e, "storing {Count} accepted messages together failed; storing them one at a time", batch.Count);
                foreach (var item in batch) await CommitAloneAsync(item);
            }
        }
    }

    /// <summary>Commits one message; one that cannot be stored as prepared is spooled, so that the worker retries it and records why.</summary>
    private async Task CommitAloneAsync(Pending item)
    {
        try
        {
            try
            {
                await CommitBatchAsync([item]);
            }
            catch (Exception e) when (item is Prepared { Message: var prepared })
            {
                logger.LogWarning(e, "storing message {Id} failed; spooling it for another try", prepared.Spooled.Id);
                await CommitBatchAsync([new Spooled(prepared.Spooled.Id, prepared.Spooled.Envelope, null, prepared.Raw)]);
            }
            item.Committed.SetResult();
        }
        catch (Exception e)
        {
            item.Committed.SetException(e);
        }
    }

    private async Task CommitBatchAsync(IReadOnlyList<Pending> batch)
    {
        // Not a caller's token: the batch holds other sessions' messages too.
        var spooled = batch.OfType<Spooled>().ToList();
        await transactions.InTransactionAsync(async () =>
        {
            foreach (var item in spooled)
            {
                var key = item.BlobKey ?? await blobs.PutAsync(InboundProcessor.RawBlobPrefix, new MemoryStream(item.Content!, writable: false), sync: false, CancellationToken.None);
                await spool.EnqueueAsync(item.Id, item.Envelope, key, CancellationToken.None);
            }
            // Also flushes the files of large spooled messages, before the commit that names them.
            await processor.StoreAsync(batch.OfType<Prepared>().Select(p => p.Message).ToList(), null, CancellationToken.None);
            return true;
        }, CancellationToken.None);
        if (spooled.Count > 0) signal.Notify();
    }

    private static InboundEnvelope Envelope(SmtpEnvelope e) => new(
        e.ReversePath, e.Recipients, (e.RemoteEndPoint as System.Net.IPEndPoint)?.Address.ToString(), e.HeloName, e.IsTls, e.ReceivedAt);
}
