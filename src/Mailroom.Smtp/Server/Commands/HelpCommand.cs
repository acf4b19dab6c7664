namespace Mailroom.Smtp.Server.Commands;

/// <summary>HELP [topic]: lists the commands.</summary>
internal sealed class HelpCommand : SmtpCommandHandler
{
    private static readonly SmtpReply Reply = new(214, "2.0.0",
        "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH",
        "See RFC 5321");

    public override SmtpVerb Verb => SmtpVerb.Help;

    public override ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SmtpReply?>(Reply);
}
