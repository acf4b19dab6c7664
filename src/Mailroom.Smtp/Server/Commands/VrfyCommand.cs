namespace Mailroom.Smtp.Server.Commands;

/// <summary>VRFY string: answered 252 for every argument, so it reveals no mailbox (RFC 5321 section 3.5.3).</summary>
internal sealed class VrfyCommand : SmtpCommandHandler
{
    public override SmtpVerb Verb => SmtpVerb.Vrfy;

    public override ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SmtpReply?>(arguments.Length == 0 ? SmtpReplies.Syntax("VRFY address") : SmtpReplies.CannotVerify);
}
