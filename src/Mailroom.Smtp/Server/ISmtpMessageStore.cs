namespace Mailroom.Smtp.Server;

/// <summary>
/// Receives each complete message. The session answers the client with the returned reply, so the store returns
/// <c>250 2.0.0</c> (see <see cref="SmtpReplies.Queued"/>) only once the message is durable; otherwise
/// <c>451 4.3.0</c>, <c>452 4.3.1</c> or <c>554 5.x.x</c>. An exception is answered <c>451 4.3.0</c>.
/// </summary>
public interface ISmtpMessageStore
{
    /// <param name="body">The message bytes exactly as received (dot-unstuffed, CRLF line ends). Valid only until the call returns.</param>
    ValueTask<SmtpReply> StoreAsync(SmtpEnvelope envelope, SmtpMessageBody body, CancellationToken cancellationToken);
}
