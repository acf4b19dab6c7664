namespace Mailroom.Smtp.Server.Commands;

/// <summary>RCPT TO:&lt;forward-path&gt;: asks the recipient policy; only an accepted address joins the envelope.</summary>
internal sealed class RcptCommand : SmtpCommandHandler
{
    public override SmtpVerb Verb => SmtpVerb.Rcpt;

    public override async ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken)
    {
        if (!arguments.StartsWith("TO:", StringComparison.OrdinalIgnoreCase))
        {
            return SmtpReplies.Syntax("RCPT TO:<address>");
        }
        if (!SmtpAddress.TryParsePath(arguments[3..].TrimStart(' '), allowNull: false, allowPostmaster: true, out var address, out var parameterText))
        {
            return SmtpReplies.BadRecipientSyntax;
        }
        if (!SmtpAddress.TryParseParameters(parameterText, out var parameters))
        {
            return SmtpReplies.Syntax("RCPT TO:<address>");
        }
        if (parameters.Count > 0)
        {
            // No RCPT extension (DSN NOTIFY/ORCPT) is advertised.
            var (keyword, value) = parameters.First();
            return SmtpReplies.UnknownParameter(keyword, value);
        }
        var transaction = session.Transaction!;
        if (!transaction.SmtpUtf8 && SmtpAddress.RequiresSmtpUtf8(address))
        {
            return SmtpReplies.NonAsciiAddressWithoutSmtpUtf8;
        }
        if (transaction.Recipients.Count >= session.Options.MaxRecipients)
        {
            return SmtpReplies.TooManyRecipients;
        }
        SmtpRecipientDecision decision;
        try
        {
            decision = await session.RecipientPolicy.CheckRecipientAsync(session.Info, address, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return SmtpReplies.TemporaryFailure;
        }
        switch (decision)
        {
            case SmtpRecipientDecision.Accept:
                if (!transaction.Recipients.Contains(address, StringComparer.OrdinalIgnoreCase))
                {
                    transaction.Recipients.Add(address);
                }
                return SmtpReplies.RecipientOk;
            case SmtpRecipientDecision.UnknownMailbox:
                return SmtpReplies.UnknownMailbox;
            case SmtpRecipientDecision.RelayDenied:
                return SmtpReplies.RelayDenied;
            default:
                return SmtpReplies.TemporaryFailure;
        }
    }
}
