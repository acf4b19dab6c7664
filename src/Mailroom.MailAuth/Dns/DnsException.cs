namespace Mailroom.MailAuth.Dns;

/// <summary>No usable answer could be obtained: every server timed out, was unreachable or answered garbage.</summary>
public class DnsException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A DNS message that does not follow RFC 1035's wire format.</summary>
public sealed class DnsFormatException(string message) : DnsException(message);
