namespace Mailroom.Smtp.Server.Commands;

/// <summary>HELO domain: the RFC 821 greeting, no extensions.</summary>
internal sealed class HeloCommand : SmtpCommandHandler
{
    public override SmtpVerb Verb => SmtpVerb.Helo;

    public override ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken)
    {
        if (arguments.Length == 0)
        {
            return ValueTask.FromResult<SmtpReply?>(SmtpReplies.Syntax("HELO domain"));
        }
        session.ResetTransaction();
        session.Info.HeloName = arguments;
        session.Info.IsExtended = false;
        return ValueTask.FromResult<SmtpReply?>(new SmtpReply(250, null, $"{session.Options.ServerName} Hello {arguments}"));
    }
}
