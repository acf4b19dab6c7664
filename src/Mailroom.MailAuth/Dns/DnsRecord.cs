using System.Net;

namespace Mailroom.MailAuth.Dns;

/// <summary>One resource record from an answer or authority section.</summary>
public abstract record DnsRecord(string Name, DnsRecordType Type, uint TimeToLive);

/// <summary>An A or AAAA record.</summary>
public sealed record DnsAddressRecord(string Name, DnsRecordType Type, uint TimeToLive, IPAddress Address)
    : DnsRecord(Name, Type, TimeToLive);

/// <summary>A CNAME, PTR or NS record: a record whose data is one domain name.</summary>
public sealed record DnsNameRecord(string Name, DnsRecordType Type, uint TimeToLive, string Target)
    : DnsRecord(Name, Type, TimeToLive);

/// <summary>An MX record (RFC 1035 §3.3.9).</summary>
public sealed record DnsMxRecord(string Name, uint TimeToLive, ushort Preference, string Exchange)
    : DnsRecord(Name, DnsRecordType.MX, TimeToLive);

/// <summary>A TXT record: one or more character-strings, kept apart as received.</summary>
public sealed record DnsTxtRecord(string Name, uint TimeToLive, IReadOnlyList<string> Strings)
    : DnsRecord(Name, DnsRecordType.TXT, TimeToLive)
{
    /// <summary>The character-strings concatenated without separator, as SPF, DKIM and DMARC read them.</summary>
    public string Text => string.Concat(Strings);
}

/// <summary>An SOA record; only the fields negative caching needs (RFC 2308).</summary>
public sealed record DnsSoaRecord(string Name, uint TimeToLive, string PrimaryServer, uint Minimum)
    : DnsRecord(Name, DnsRecordType.SOA, TimeToLive);

/// <summary>A record of a type this client does not interpret.</summary>
public sealed record DnsUnknownRecord(string Name, DnsRecordType Type, uint TimeToLive, byte[] Data)
    : DnsRecord(Name, Type, TimeToLive);
