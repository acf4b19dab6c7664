namespace Mailroom.MailAuth.Dns;

/// <summary>Answers DNS questions. <see cref="DnsClient"/> asks real servers; tests and hosts may substitute.</summary>
public interface IDnsResolver
{
    /// <summary>
    /// Asks for the records of <paramref name="type"/> at <paramref name="name"/>. A response with any
    /// RCODE is returned; <see cref="DnsException"/> means no server gave a usable answer.
    /// </summary>
    Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default);
}
