namespace Mailroom.Smtp.Server.Commands;

/// <summary>EHLO domain (RFC 5321 section 4.1.1.1): resets any transaction and lists the extensions.</summary>
internal sealed class EhloCommand : SmtpCommandHandler
{
    public override SmtpVerb Verb => SmtpVerb.Ehlo;

    public override ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken)
    {
        if (arguments.Length == 0)
        {
            return ValueTask.FromResult<SmtpReply?>(SmtpReplies.Syntax("EHLO domain"));
        }
        session.ResetTransaction();
        session.Info.HeloName = arguments;
        session.Info.IsExtended = true;
        var lines = new List<string>
        {
            $"{session.Options.ServerName} Hello {arguments}",
            "PIPELINING",
            $"SIZE {session.Options.MaxMessageSize}",
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
            "CHUNKING",
        };
        if (session.CanStartTls)
        {
            lines.Add("STARTTLS");
        }
        if (session.CanAuthenticate)
        {
            lines.Add("AUTH PLAIN LOGIN");
        }
        lines.Add("HELP");
        // RFC 2034: no enhanced status code on the EHLO reply.
        return ValueTask.FromResult<SmtpReply?>(new SmtpReply(250, null, lines));
    }
}
