namespace Mailroom.Smtp.Server.Commands;

/// <summary>DATA: answers 354 and switches the session to reading the message up to CRLF.CRLF.</summary>
internal sealed class DataCommand : SmtpCommandHandler
{
    public override SmtpVerb Verb => SmtpVerb.Data;

    public override ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken)
    {
        if (arguments.Length > 0)
        {
            return ValueTask.FromResult<SmtpReply?>(SmtpReplies.Syntax("DATA"));
        }
        session.BeginData();
        return ValueTask.FromResult<SmtpReply?>(SmtpReplies.StartMailInput);
    }
}
