using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Delivery;
using Mailroom.Smtp;
using Mailroom.Smtp.Server;

namespace Mailroom.Server.Mail.Inbound;

/// <summary>
/// The durable half of DATA: the bytes go to the blob store (fsynced) and a spool row is committed before the
/// session answers 250. Parsing and routing happen after, from the spool, so a crash after 250 loses nothing.
/// </summary>
public sealed class SpoolingMessageStore(IBlobStore blobs, IInboundSpoolRepository spool, InboundSignal signal, TimeProvider time,
    ILogger<SpoolingMessageStore> logger) : ISmtpMessageStore
{
    public const string BlobPrefix = "raw";

    public async ValueTask<SmtpReply> StoreAsync(SmtpEnvelope envelope, SmtpMessageBody body, CancellationToken ct)
    {
        try
        {
            var id = Ids.New(Ids.InboundSpool, time);
            await using var content = body.OpenRead();
            var key = await blobs.PutAsync(BlobPrefix, content, ct);
            await EnqueueAsync(id, Envelope(envelope), key, ct);
            return SmtpReplies.Queued(id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "could not spool a message from {Remote}", envelope.RemoteEndPoint);
            return SmtpReplies.TemporaryFailure;
        }
    }

    /// <summary>Spools a message that did not come over SMTP (local delivery of our own outbound mail).</summary>
    public async Task EnqueueAsync(string id, InboundEnvelope envelope, string blobKey, CancellationToken ct)
    {
        await spool.EnqueueAsync(id, envelope, blobKey, ct);
        signal.Notify();
    }

    private static InboundEnvelope Envelope(SmtpEnvelope e) => new(
        e.ReversePath, e.Recipients, (e.RemoteEndPoint as System.Net.IPEndPoint)?.Address.ToString(), e.HeloName, e.IsTls, e.ReceivedAt);
}

/// <summary>Wakes the inbound worker as soon as something is spooled, instead of at its next poll.</summary>
public sealed class InboundSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Notify()
    {
        if (_semaphore.CurrentCount == 0)
        {
            try { _semaphore.Release(); }
            catch (SemaphoreFullException) { /* already signalled */ }
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _semaphore.WaitAsync(timeout, ct);
}
