using System.Net;

namespace Mailroom.MailAuth.Dns;

/// <summary>Where and how <see cref="DnsClient"/> asks.</summary>
public sealed record DnsClientOptions
{
    public const int DefaultPort = 53;
    private const string ResolvConfPath = "/etc/resolv.conf";

    /// <summary>Recursive resolvers, asked in order; the next is tried when one fails.</summary>
    public IReadOnlyList<IPEndPoint> Servers { get; init; } = [];

    /// <summary>How long one attempt against one server may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How many rounds over all servers before giving up.</summary>
    public int Attempts { get; init; } = 2;

    /// <summary>Keep answers for their TTL, and negative answers briefly.</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Advertise a larger UDP payload with EDNS0 (RFC 6891), so fewer answers need TCP.</summary>
    public bool UseEdns { get; init; } = true;

    /// <summary>The UDP payload size advertised with EDNS0; 1232 avoids IP fragmentation on common paths.</summary>
    public ushort EdnsPayloadSize { get; init; } = 1232;

    /// <summary>Upper bound for caching NXDOMAIN and NODATA answers (RFC 2308), whatever the SOA says.</summary>
    public TimeSpan MaxNegativeCacheTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The system resolvers from /etc/resolv.conf (127.0.0.1 when it names none).</summary>
    public static DnsClientOptions Default => new() { Servers = SystemServers() };

    /// <summary>
    /// Options for the configured server strings ("127.0.0.1:5353", "10.0.0.2", "[::1]:53");
    /// the system resolvers when there are none.
    /// </summary>
    public static DnsClientOptions FromServers(IEnumerable<string>? servers)
    {
        var parsed = (servers ?? []).Where(s => !string.IsNullOrWhiteSpace(s)).Select(ParseServer).ToList();
        return parsed.Count == 0 ? Default : new DnsClientOptions { Servers = parsed };
    }

    /// <summary>Parses "address" or "address:port" (IPv6 with a port in brackets); port 53 by default.</summary>
    public static IPEndPoint ParseServer(string server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var text = server.Trim();
        // IPAddress.TryParse would accept "[::1]:5353" and drop the port, so the port form is tried first.
        if (IPEndPoint.TryParse(text, out var endPoint) && endPoint.Port != 0 && !text.EndsWith(':'))
            return endPoint;
        if (IPAddress.TryParse(text, out var address))
            return new IPEndPoint(address, DefaultPort);
        throw new FormatException($"'{server}' is not a DNS server address (expected 'address' or 'address:port').");
    }

    /// <summary>The "nameserver" lines of /etc/resolv.conf.</summary>
    public static IReadOnlyList<IPEndPoint> SystemServers()
    {
        var servers = new List<IPEndPoint>();
        if (File.Exists(ResolvConfPath))
        {
            foreach (var line in File.ReadLines(ResolvConfPath))
            {
                var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 2 && fields[0] == "nameserver" && IPAddress.TryParse(fields[1], out var address))
                    servers.Add(new IPEndPoint(address, DefaultPort));
            }
        }
        // With no nameserver line the C library asks the local host; do the same.
        return servers.Count > 0 ? servers : [new IPEndPoint(IPAddress.Loopback, DefaultPort)];
    }
}
