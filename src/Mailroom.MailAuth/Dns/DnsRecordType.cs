namespace Mailroom.MailAuth.Dns;

/// <summary>Resource record TYPE values (RFC 1035 §3.2.2, RFC 3596, RFC 6891).</summary>
public enum DnsRecordType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    OPT = 41,
}

/// <summary>Header RCODE values (RFC 1035 §4.1.1).</summary>
public enum DnsResponseCode
{
    NoError = 0,
    FormatError = 1,
    ServerFailure = 2,
    NameError = 3,
    NotImplemented = 4,
    Refused = 5,
}
