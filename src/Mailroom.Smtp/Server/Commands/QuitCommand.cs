namespace Mailroom.Smtp.Server.Commands;

/// <summary>QUIT: 221, then the driver closes the connection.</summary>
internal sealed class QuitCommand : SmtpCommandHandler
{
    public override SmtpVerb Verb => SmtpVerb.Quit;

    public override ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SmtpReply?>(arguments.Length > 0 ? SmtpReplies.Syntax("QUIT") : SmtpReplies.Bye);
}
