namespace Mailroom.Smtp.Server.Commands;

/// <summary>
/// Carries out one SMTP command once <see cref="SmtpStateTable"/> has allowed it in the current state.
/// A reply below 400 moves the session to the table's next state; a null reply means the answer comes later (BDAT).
/// </summary>
internal abstract class SmtpCommandHandler
{
    public abstract SmtpVerb Verb { get; }

    public abstract ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken);
}
