namespace Mailroom.Smtp.Server.Commands;

/// <summary>NOOP [string]: changes nothing.</summary>
internal sealed class NoopCommand : SmtpCommandHandler
{
    public override SmtpVerb Verb => SmtpVerb.Noop;

    public override ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SmtpReply?>(SmtpReplies.Ok);
}
