namespace Mailroom.Core.Delivery;

/// <summary>The SMTP envelope of a message accepted for local delivery.</summary>
public sealed record InboundEnvelope(
    string? MailFrom, IReadOnlyList<string> Recipients, string? RemoteAddress, string? HeloName, bool Tls, DateTimeOffset ReceivedAt);

/// <summary>A spooled message: accepted (its bytes durable in the blob store), not yet routed to inboxes.</summary>
public sealed record SpooledMessage(string Id, InboundEnvelope Envelope, string BlobKey, int Attempts);

public static class SpoolState
{
    public const string Pending = "pending";
    public const string Done = "done";
    public const string Failed = "failed";
}

public interface IInboundSpoolRepository
{
    Task EnqueueAsync(string id, InboundEnvelope envelope, string blobKey, CancellationToken ct = default);
    Task<IReadOnlyList<SpooledMessage>> ClaimAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct = default);
    Task CompleteAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default);
    /// <summary>Releases the row for another try at <paramref name="retryAt"/>, or marks it failed when <paramref name="retryAt"/> is null.</summary>
    Task FailAsync(string id, string error, DateTimeOffset? retryAt, CancellationToken ct = default);
}
