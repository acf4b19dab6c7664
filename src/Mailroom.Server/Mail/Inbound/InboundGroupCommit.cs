using System.Collections.Concurrent;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Delivery;
using Mailroom.Core.Messaging;
using Mailroom.Smtp;
using Mailroom.Smtp.Server;
using Mailroom.Server.Workers;

namespace Mailroom.Server.Mail.Inbound;

/// <summary>
/// The durable half of DATA. A message up to <see cref="ReadOnAcceptLimit"/> is read and addressed by the session that
/// received it (<see cref="MailReception.ReadAsync"/>), then filed — raw bytes, thread, message, <c>message.received</c> —
/// in a group commit before the session answers 250: once the client hears 250 the mail is readable. A larger message,
/// or one that cannot be read or filed, is spooled instead (bytes and a spool row, committed before 250) and the
/// <see cref="SpoolWorker"/> files it from there, so a crash after 250 loses nothing either way.
/// </summary>
public sealed class InboundGroupCommit(IBlobStore blobs, IInboundSpoolRepository spool, MailReception reception, ITransactionRunner transactions,
    InboundSignal signal, TimeProvider time, ILogger<InboundGroupCommit> logger) : ISmtpMessageStore
{
    /// <summary>Messages up to this size are filed as they are accepted; larger ones go through the spool, bounding memory.</summary>
    public const int ReadOnAcceptLimit = 256 * 1024;

    /// <summary>A message waiting for the next group commit.</summary>
    private abstract record Pending
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Read and addressed: filed in the commit.</summary>
    private sealed record ToFile(ReadMail Mail) : Pending;

    /// <summary>Spooled in the commit for the worker: its blob key, or its bytes to store in that commit.</summary>
    private sealed record ToSpool(string Id, InboundEnvelope Envelope, string? BlobKey, byte[]? Content) : Pending;

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
            if (body.Length > ReadOnAcceptLimit)
            {
                await CommitAsync(new ToSpool(id, inbound, await blobs.PutAsync(MailReception.RawBlobPrefix, content, sync: false, ct), null), ct);
                return SmtpReplies.Queued(id);
            }
            var raw = new byte[body.Length];
            await content.ReadExactlyAsync(raw, ct);
            Pending pending;
            try
            {
                pending = new ToFile(await reception.ReadAsync(new AcceptedMail(id, inbound, raw), new ConcurrentDictionary<string, Core.Inboxes.Inbox?>(), ct));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "reading message {Id} failed; spooling it for another try", id);
                pending = new ToSpool(id, inbound, null, raw);
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
    public Task SpoolAsync(string id, InboundEnvelope envelope, string blobKey, CancellationToken ct) =>
        CommitAsync(new ToSpool(id, envelope, blobKey, null), ct);

    /// <summary>
    /// Messages that arrive while a commit runs wait and go together in the next transaction (group commit): the caller
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
        if (lead) await CommitWaitingGroupsAsync();
        await pending.Committed.Task.WaitAsync(ct);
    }

    private async Task CommitWaitingGroupsAsync()
    {
        while (true)
        {
            List<Pending> group;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _committing = false;
                    return;
                }
                (group, _pending) = (_pending, []);
            }
            try
            {
                await CommitGroupAsync(group);
                foreach (var item in group) item.Committed.SetResult();
            }
            catch (Exception e)
            {
                // One bad message must not hold back the others: each gets a transaction of its own.
                logger.LogWarning(e, "storing {Count} accepted messages together failed; storing them one at a time", group.Count);
                foreach (var item in group) await CommitAloneAsync(item);
            }
        }
    }

    /// <summary>Commits one message; one that cannot be filed is spooled, so that the worker retries it and records why.</summary>
    private async Task CommitAloneAsync(Pending item)
    {
        try
        {
            try
            {
                await CommitGroupAsync([item]);
            }
            catch (Exception e) when (item is ToFile { Mail.Accepted: var accepted })
            {
                logger.LogWarning(e, "filing message {Id} failed; spooling it for another try", accepted.Id);
                await CommitGroupAsync([new ToSpool(accepted.Id, accepted.Envelope, null, accepted.Raw)]);
            }
            item.Committed.SetResult();
        }
        catch (Exception e)
        {
            item.Committed.SetException(e);
        }
    }

    private async Task CommitGroupAsync(IReadOnlyList<Pending> group)
    {
        // Not a caller's token: the group holds other sessions' messages too.
        var toSpool = group.OfType<ToSpool>().ToList();
        await transactions.InTransactionAsync(async () =>
        {
            foreach (var item in toSpool)
            {
                var key = item.BlobKey ?? await blobs.PutAsync(MailReception.RawBlobPrefix, new MemoryStream(item.Content!, writable: false), sync: false, CancellationToken.None);
                await spool.EnqueueAsync(item.Id, item.Envelope, key, CancellationToken.None);
            }
            // Also flushes the files of large spooled messages, before the commit that names them.
            await reception.FileAsync(group.OfType<ToFile>().Select(p => p.Mail).ToList(), null, CancellationToken.None);
            return true;
        }, CancellationToken.None);
        if (toSpool.Count > 0) signal.Notify();
    }

    private static InboundEnvelope Envelope(SmtpEnvelope e) => new(
        e.ReversePath, e.Recipients, (e.RemoteEndPoint as System.Net.IPEndPoint)?.Address.ToString(), e.HeloName, e.IsTls, e.ReceivedAt);
}
