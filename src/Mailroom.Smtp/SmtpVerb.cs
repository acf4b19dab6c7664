namespace Mailroom.Smtp;

/// <summary>The commands this server understands. Anything else is answered <c>500 5.5.2</c>.</summary>
public enum SmtpVerb
{
    Helo,
    Ehlo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Noop,
    Quit,
    Vrfy,
    Help,
    StartTls,
    Auth,
}
