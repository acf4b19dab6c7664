namespace Mailroom.Smtp.Server.Commands;

/// <summary>RSET: drops the mail transaction, keeps the greeting.</summary>
internal sealed class RsetCommand : SmtpCommandHandler
{
    public override SmtpVerb Verb => SmtpVerb.Rset;

    public override ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken)
    {
        if (arguments.Length > 0)
        {
            return ValueTask.FromResult<SmtpReply?>(SmtpReplies.Syntax("RSET"));
        }
        session.ResetTransaction();
        return ValueTask.FromResult<SmtpReply?>(SmtpReplies.Ok);
    }
}
