namespace Mailroom.MailAuth.Dns;

/// <summary>The outcome of one question: the response code and the records that answer it.</summary>
/// <param name="Name">The name asked about.</param>
/// <param name="Type">The type asked about.</param>
/// <param name="ResponseCode">NoError, NameError (NXDOMAIN), ServerFailure, ...</param>
/// <param name="Answers">The answer section, CNAME records of a followed chain included.</param>
/// <param name="Authorities">The authority section (an SOA on negative answers).</param>
public sealed record DnsResponse(
    string Name,
    DnsRecordType Type,
    DnsResponseCode ResponseCode,
    IReadOnlyList<DnsRecord> Answers,
    IReadOnlyList<DnsRecord> Authorities)
{
    /// <summary>The answer records of <paramref name="type"/> whatever their owner name (the end of a CNAME chain).</summary>
    public IEnumerable<T> AnswersOf<T>(DnsRecordType type) where T : DnsRecord =>
        Answers.Where(r => r.Type == type).OfType<T>();

    /// <summary>True for NXDOMAIN and for NoError without a record of the asked type ("NODATA").</summary>
    public bool IsEmpty =>
        ResponseCode == DnsResponseCode.NameError || !Answers.Any(r => r.Type == Type);
}
