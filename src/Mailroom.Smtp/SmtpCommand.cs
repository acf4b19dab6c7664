namespace Mailroom.Smtp;

/// <summary>A command line split into its verb and the rest: <c>MAIL FROM:&lt;a@b&gt; SIZE=10</c> is
/// <see cref="SmtpVerb.Mail"/> with arguments <c>FROM:&lt;a@b&gt; SIZE=10</c>.</summary>
public sealed record SmtpCommand(string Name, SmtpVerb? Verb, string Arguments)
{
    private static readonly Dictionary<string, SmtpVerb> Verbs = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HELO"] = SmtpVerb.Helo,
        ["EHLO"] = SmtpVerb.Ehlo,
        ["MAIL"] = SmtpVerb.Mail,
        ["RCPT"] = SmtpVerb.Rcpt,
        ["DATA"] = SmtpVerb.Data,
        ["BDAT"] = SmtpVerb.Bdat,
        ["RSET"] = SmtpVerb.Rset,
        ["NOOP"] = SmtpVerb.Noop,
        ["QUIT"] = SmtpVerb.Quit,
        ["VRFY"] = SmtpVerb.Vrfy,
        ["HELP"] = SmtpVerb.Help,
        ["STARTTLS"] = SmtpVerb.StartTls,
        ["AUTH"] = SmtpVerb.Auth,
    };

    /// <summary>Splits a command line (without CRLF). Verbs are case-insensitive; an unknown verb gives a null <see cref="Verb"/>.</summary>
    public static SmtpCommand Parse(string line)
    {
        var space = line.IndexOf(' ');
        var name = space < 0 ? line : line[..space];
        var arguments = space < 0 ? "" : line[(space + 1)..].Trim(' ');
        return new SmtpCommand(name, Verbs.TryGetValue(name, out var verb) ? verb : null, arguments);
    }
}
