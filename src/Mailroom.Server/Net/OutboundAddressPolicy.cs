using System.Net;
using System.Net.Sockets;

namespace Mailroom.Server.Net;

/// <summary>
/// Which addresses outbound HTTP may reach. Loopback, private (RFC 1918, unique-local), link-local, CGNAT,
/// multicast, unspecified and documentation ranges are refused unless the operator allows private targets,
/// so a webhook or attachment URL cannot be pointed at the server's own network (SSRF).
/// </summary>
public sealed class OutboundAddressPolicy(bool allowPrivateTargets) : Core.Webhooks.IOutboundTargetPolicy
{
    public bool AllowPrivateTargets { get; } = allowPrivateTargets;

    public async Task<string?> RefusalAsync(Uri target, CancellationToken ct = default)
    {
        if (AllowPrivateTargets) return null;
        IPAddress[] addresses;
        try { addresses = IPAddress.TryParse(target.DnsSafeHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(target.DnsSafeHost, ct); }
        catch (SocketException) { return null; } // unresolvable now; checked again at every connect
        return addresses.Length > 0 && !addresses.Any(IsPublic)
            ? $"{target.Host} resolves to a private or reserved address, which webhooks may not reach"
            : null;
    }

    public bool IsAllowed(IPAddress address) => AllowPrivateTargets || IsPublic(address);

    public static bool IsPublic(IPAddress address)
    {
        address = Canonical(address);
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return false;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 10 || b[0] == 0 || b[0] == 127
                     || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                     || (b[0] == 192 && b[1] == 168)
                     || (b[0] == 169 && b[1] == 254)
                     || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                     || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                     || (b[0] == 192 && b[1] == 0 && b[2] == 2)
                     || (b[0] == 198 && (b[1] == 18 || b[1] == 19))
                     || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                     || (b[0] == 203 && b[1] == 0 && b[2] == 113)
                     || b[0] >= 224);
        }
        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6Teredo) return false;
        var bytes = address.GetAddressBytes();
        if ((bytes[0] & 0xFE) == 0xFC) return false; // fc00::/7 unique local
        if (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0D && bytes[3] == 0xB8) return false; // documentation
        if (bytes[0] == 0x01 && bytes.AsSpan(1, 7).IndexOfAnyExcept((byte)0) < 0) return false; // 100::/64 discard
        if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xFF && bytes[3] == 0x9B && bytes[4] == 0x00 && bytes[5] == 0x01) return false; // 64:ff9b:1::/48 local NAT64
        return true;
    }

    /// <summary>
    /// The address as far as its spelling tells where packets go: without a scope id (<c>::1%2</c> is still loopback),
    /// and an IPv4 address embedded in IPv6 as that IPv4 address (mapped <c>::ffff:a.b.c.d</c>, compatible <c>::a.b.c.d</c>,
    /// SIIT <c>::ffff:0:a.b.c.d</c>, NAT64 <c>64:ff9b::a.b.c.d</c>, 6to4 <c>2002:aabb:ccdd::</c>), so that every spelling
    /// of a private address is judged as that address.
    /// </summary>
    private static IPAddress Canonical(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        var b = address.GetAddressBytes();
        var head = b.AsSpan(0, 12);
        if (head.IndexOfAnyExcept((byte)0) < 0) return new IPAddress(b.AsSpan(12, 4)); // ::/96, :: and ::1 included
        if (head[..10].IndexOfAnyExcept((byte)0) < 0 && b[10] == 0xFF && b[11] == 0xFF) return new IPAddress(b.AsSpan(12, 4));
        if (head[..8].IndexOfAnyExcept((byte)0) < 0 && b[8] == 0xFF && b[9] == 0xFF && b[10] == 0 && b[11] == 0) return new IPAddress(b.AsSpan(12, 4));
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && head[4..].IndexOfAnyExcept((byte)0) < 0) return new IPAddress(b.AsSpan(12, 4));
        if (b[0] == 0x20 && b[1] == 0x02) return new IPAddress(b.AsSpan(2, 4));
        return new IPAddress(b); // drops the scope id
    }
}

/// <summary>The one HTTP client for outbound calls: the address policy is checked on the resolved address at connect time.</summary>
public static class GuardedHttp
{
    public const string ClientName = "guarded";

    public static IServiceCollection AddGuardedHttp(this IServiceCollection services, bool allowPrivateTargets, FetchOptions fetch)
    {
        services.AddSingleton(fetch);
        services.AddSingleton<GuardedFetch>();
        var policy = new OutboundAddressPolicy(allowPrivateTargets);
        services.AddSingleton(policy);
        services.AddSingleton<Core.Webhooks.IOutboundTargetPolicy>(policy);
        services.AddHttpClient(ClientName, client =>
            {
                client.Timeout = TimeSpan.FromSeconds(15);
                client.DefaultRequestHeaders.UserAgent.ParseAdd("Mailroom/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(() => CreateHandler(policy));
        return services;
    }

    public static SocketsHttpHandler CreateHandler(OutboundAddressPolicy policy) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = async (context, ct) =>
        {
            // Resolve here and connect only to an address the policy allows: checking the name before the
            // request would leave a gap for DNS answers that change between check and use.
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
            var allowed = addresses.Where(policy.IsAllowed).ToList();
            if (allowed.Count == 0)
                throw new HttpRequestException($"{host} resolves only to private or reserved addresses, which outbound calls may not reach");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed.ToArray(), context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
