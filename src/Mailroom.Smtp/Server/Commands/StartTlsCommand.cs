namespace Mailroom.Smtp.Server.Commands;

/// <summary>STARTTLS (RFC 3207): answers 220 and asks the driver for the handshake; the session then starts over.</summary>
internal sealed class StartTlsCommand : SmtpCommandHandler
{
    public override SmtpVerb Verb => SmtpVerb.StartTls;

    public override ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken)
    {
        SmtpReply reply;
        if (arguments.Length > 0)
        {
            reply = SmtpReplies.Syntax("STARTTLS");
        }
        else if (session.Info.IsTls)
        {
            reply = SmtpReplies.TlsAlreadyActive;
        }
        else if (!session.CanStartTls)
        {
            reply = SmtpReplies.NotImplemented;
        }
        else
        {
            session.RequestStartTls();
            reply = SmtpReplies.ReadyToStartTls;
        }
        return ValueTask.FromResult<SmtpReply?>(reply);
    }
}
