namespace Mailroom.Smtp.Server.Commands;

/// <summary>MAIL FROM:&lt;reverse-path&gt; [SIZE=n] [BODY=7BIT|8BITMIME] [SMTPUTF8] [AUTH=...]: opens a transaction.</summary>
internal sealed class MailCommand : SmtpCommandHandler
{
    private const string Usage = "MAIL FROM:<address> [parameters]";

    public override SmtpVerb Verb => SmtpVerb.Mail;

    public override ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SmtpReply?>(Execute(session, arguments));

    private static SmtpReply Execute(SmtpServerSession session, string arguments)
    {
        if (!arguments.StartsWith("FROM:", StringComparison.OrdinalIgnoreCase))
        {
            return SmtpReplies.Syntax(Usage);
        }
        if (!SmtpAddress.TryParsePath(arguments[5..].TrimStart(' '), allowNull: true, allowPostmaster: false, out var address, out var parameterText))
        {
            return SmtpReplies.BadSenderSyntax;
        }
        if (!SmtpAddress.TryParseParameters(parameterText, out var parameters))
        {
            return SmtpReplies.Syntax(Usage);
        }
        long? size = null;
        var bodyType = SmtpBodyType.SevenBit;
        var smtpUtf8 = false;
        foreach (var (keyword, value) in parameters)
        {
            // Parameters are service extensions: a client that said HELO negotiated none.
            if (!session.Info.IsExtended)
            {
                return SmtpReplies.UnknownParameter(keyword, value);
            }
            switch (keyword.ToUpperInvariant())
            {
                case "SIZE":
                    if (value is null || value.Length > 18 || !value.All(char.IsAsciiDigit))
                    {
                        return SmtpReplies.Syntax("SIZE=<octets>");
                    }
                    size = long.Parse(value);
                    if (size > session.Options.MaxMessageSize)
                    {
                        return SmtpReplies.MessageTooBig;
                    }
                    break;
                case "BODY" when string.Equals(value, "7BIT", StringComparison.OrdinalIgnoreCase):
                    bodyType = SmtpBodyType.SevenBit;
                    break;
                case "BODY" when string.Equals(value, "8BITMIME", StringComparison.OrdinalIgnoreCase):
                    bodyType = SmtpBodyType.EightBitMime;
                    break;
                case "SMTPUTF8" when value is null:
                    smtpUtf8 = true;
                    break;
                case "AUTH" when value is not null && session.CanAuthenticate:
                    // RFC 4954 section 5: the original submitter is informational here.
                    break;
                default:
                    return SmtpReplies.UnknownParameter(keyword, value);
            }
        }
        if (!smtpUtf8 && SmtpAddress.RequiresSmtpUtf8(address))
        {
            return SmtpReplies.NonAsciiAddressWithoutSmtpUtf8;
        }
        session.ResetTransaction();
        session.Transaction = new SmtpTransaction(address, smtpUtf8, bodyType, size);
        return SmtpReplies.SenderOk;
    }
}
