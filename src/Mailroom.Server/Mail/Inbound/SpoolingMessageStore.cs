using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Delivery;
using Mailroom.Smtp;
using Mailroom.Smtp.Server;
using Mailroom.Server.Workers;

namespace Mailroom.Server.Mail.Inbound;

/// <summary>
/// The durable half of DATA: the bytes go to the blob store (fsynced) and a spool row is committed before the
/// session answers 250. Parsing and routing happen after, from the spool, so a crash after 250 loses nothing.
/// </summary>
public sealed class SpoolingMessageStore(IBlobStore blobs, IInboundSpoolRepository spool, ITransactionRunner transactions, InboundSignal signal,
    TimeProvider time, ILogger<SpoolingMessageStore> logger) : ISmtpMessageStore
{
    public const string BlobPrefix = "raw";

    /// <summary>Bodies up to this size are stored in the group-commit transaction itself; larger ones as files before it.</summary>
    private const int InTransactionLimit = 256 * 1024;

    /// <summary>A message waiting for the next group commit: its blob key, or its bytes to store in that commit.</summary>
    private sealed record Pending(string Id, InboundEnvelope Envelope, string? BlobKey, byte[]? Content)
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Lock _gate = new();
    private List<Pending> _pending = [];
    private bool _committing;

    public async ValueTask<SmtpReply> StoreAsync(SmtpEnvelope envelope, SmtpMessageBody body, CancellationToken ct)
    {
        try
        {
            var id = Ids.New(Ids.InboundSpool, time);
            await using var content = body.OpenRead();
            if (body.Length <= InTransactionLimit)
            {
                using var buffer = new MemoryStream((int)body.Length);
                await content.CopyToAsync(buffer, ct);
                await CommitAsync(new Pending(id, Envelope(envelope), null, buffer.ToArray()), ct);
            }
            else
            {
                await CommitAsync(new Pending(id, Envelope(envelope), await blobs.PutAsync(BlobPrefix, content, sync: false, ct), null), ct);
            }
            return SmtpReplies.Queued(id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "could not spool a message from {Remote}", envelope.RemoteEndPoint);
            return SmtpReplies.TemporaryFailure;
        }
    }

    /// <summary>
    /// Records a spooled message whose bytes are already stored (local delivery of our own outbound mail) and returns
    /// once its row is committed. Rows that arrive while a commit runs wait and go together in the next transaction
    /// (group commit): the caller that finds no commit running performs it for all.
    /// </summary>
    public Task EnqueueAsync(string id, InboundEnvelope envelope, string blobKey, CancellationToken ct) =>
        CommitAsync(new Pending(id, envelope, blobKey, null), ct);

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
        signal.Notify();
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
                // Not the caller's token: the batch holds other sessions' messages too.
                await transactions.InTransactionAsync(async () =>
                {
                    foreach (var item in batch)
                    {
                        var key = item.BlobKey ?? await blobs.PutAsync(BlobPrefix, new MemoryStream(item.Content!), sync: false, CancellationToken.None);
                        await spool.EnqueueAsync(item.Id, item.Envelope, key, CancellationToken.None);
                    }
                    return true;
                }, CancellationToken.None);
                // The commit is durable; files written for large messages of the batch are flushed once, before anyone hears 250.
                await blobs.SyncAsync(CancellationToken.None);
                foreach (var item in batch) item.Committed.SetResult();
            }
            catch (Exception e)
            {
                foreach (var item in batch) item.Committed.SetException(e);
            }
        }
    }

    private static InboundEnvelope Envelope(SmtpEnvelope e) => new(
        e.ReversePath, e.Recipients, (e.RemoteEndPoint as System.Net.IPEndPoint)?.Address.ToString(), e.HeloName, e.IsTls, e.ReceivedAt);
}
