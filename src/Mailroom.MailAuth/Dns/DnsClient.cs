using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Mailroom.MailAuth.Dns;

/// <summary>
/// A stub resolver (RFC 1035 §7): asks recursive servers over UDP, retries over TCP when an answer is
/// truncated, follows CNAME chains, and caches answers for their TTL.
/// </summary>
public sealed class DnsClient : IDnsResolver
{
    private const int MaxCnameHops = 8;
    private const int MaxCacheEntries = 10_000;
    private const int MaxMessageLength = 65_535;

    private readonly DnsClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Name, DnsRecordType Type), CacheEntry> _cache = new();

    private sealed record CacheEntry(DnsResponse Response, DateTimeOffset Expires);

    public DnsClient(DnsClientOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? DnsClientOptions.Default;
        if (_options.Servers.Count == 0)
            _options = _options with { Servers = DnsClientOptions.SystemServers() };
        if (_options.Attempts < 1)
            throw new ArgumentException("At least one attempt is needed.", nameof(options));
        _time = timeProvider ?? TimeProvider.System;
    }

    public DnsClientOptions Options => _options;

    public async Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        var key = (DnsName.Normalize(name), type);
        var now = _time.GetUtcNow();
        if (_options.UseCache && _cache.TryGetValue(key, out var cached))
        {
            if (cached.Expires > now)
                return cached.Response;
            _cache.TryRemove(new KeyValuePair<(string, DnsRecordType), CacheEntry>(key, cached));
        }

        var response = await ResolveAsync(key.Item1, type, cancellationToken).ConfigureAwait(false);
        if (_options.UseCache && CacheTime(response) is { } lifetime && lifetime > TimeSpan.Zero)
        {
            if (_cache.Count >= MaxCacheEntries)
                _cache.Clear();
            _cache[key] = new CacheEntry(response, _time.GetUtcNow() + lifetime);
        }
        return response;
    }

    /// <summary>Positive answers live for their smallest TTL; negative ones (RFC 2308) briefly; failures not at all.</summary>
    private TimeSpan? CacheTime(DnsResponse response)
    {
        if (response.ResponseCode is not (DnsResponseCode.NoError or DnsResponseCode.NameError))
            return null;
        if (!response.IsEmpty)
            return TimeSpan.FromSeconds(response.Answers.Min(r => r.TimeToLive));
        var limit = _options.MaxNegativeCacheTime;
        if (response.Authorities.OfType<DnsSoaRecord>().FirstOrDefault() is not { } soa)
            return limit;
        var soaTime = TimeSpan.FromSeconds(Math.Min(soa.TimeToLive, soa.Minimum));
        return soaTime < limit ? soaTime : limit;
    }

    /// <summary>Asks for the name and, when the answer ends in an unresolved CNAME, for its target.</summary>
    private async Task<DnsResponse> ResolveAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        var answers = new List<DnsRecord>();
        var current = name;
        for (var hop = 0; hop <= MaxCnameHops; hop++)
        {
            var message = await ExchangeAsync(current, type, cancellationToken).ConfigureAwait(false);
            answers.AddRange(message.Answers);
            if (message.ResponseCode != DnsResponseCode.NoError || type == DnsRecordType.CNAME)
                return new DnsResponse(name, type, message.ResponseCode, answers, message.Authorities);

            var target = FollowCnames(current, message.Answers);
            var answered = message.Answers.Any(r => r.Type == type && r.Name.Equals(target, StringComparison.OrdinalIgnoreCase));
            if (answered || target.Equals(current, StringComparison.OrdinalIgnoreCase))
                return new DnsResponse(name, type, message.ResponseCode, answers, message.Authorities);
            current = target;
        }
        throw new DnsException($"The CNAME chain from {name} is longer than {MaxCnameHops} links.");
    }

    private static string FollowCnames(string name, IReadOnlyList<DnsRecord> answers)
    {
        var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { name };
        while (answers.OfType<DnsNameRecord>().FirstOrDefault(r =>
                   r.Type == DnsRecordType.CNAME && r.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } cname
               && visited.Add(cname.Target))
            name = cname.Target;
        return name;
    }

    /// <summary>
    /// One question, asked of each server in turn for the configured number of rounds. NoError and
    /// NXDOMAIN are final; other response codes move on to the next server and are returned only when
    /// no server did better.
    /// </summary>
    private async Task<DnsMessage> ExchangeAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        Exception? lastError = null;
        DnsMessage? lastFailure = null;
        for (var attempt = 0; attempt < _options.Attempts; attempt++)
        {
            foreach (var server in _options.Servers)
            {
                using var timeout = new CancellationTokenSource(_options.Timeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                try
                {
                    var edns = _options.UseEdns ? _options.EdnsPayloadSize : (ushort?)null;
                    var message = await AskAsync(server, name, type, edns, linked.Token).ConfigureAwait(false);
                    // A server that does not know EDNS answers FORMERR (RFC 6891 §7): ask it plainly.
                    if (message.ResponseCode == DnsResponseCode.FormatError && edns is not null)
                        message = await AskAsync(server, name, type, null, linked.Token).ConfigureAwait(false);
                    if (message.ResponseCode is DnsResponseCode.NoError or DnsResponseCode.NameError)
                        return message;
                    lastFailure = message;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    lastError = new TimeoutException($"{server} did not answer within {_options.Timeout.TotalSeconds:0.###} s.");
                }
                catch (Exception e) when (e is SocketException or DnsFormatException)
                {
                    lastError = e;
                }
            }
        }
        return lastFailure ?? throw new DnsException(
            $"No DNS server answered {name} {type}: {lastError?.Message}", lastError);
    }

    private static async Task<DnsMessage> AskAsync(
        IPEndPoint server, string name, DnsRecordType type, ushort? edns, CancellationToken cancellationToken)
    {
        var id = (ushort)RandomNumberGenerator.GetInt32(0x10000);
        var query = DnsMessage.WriteQuery(id, name, type, edns);
        var message = await AskOverUdpAsync(server, query, id, name, type, cancellationToken).ConfigureAwait(false);
        return message.IsTruncated
            ? await AskOverTcpAsync(server, query, id, name, type, cancellationToken).ConfigureAwait(false)
            : message;
    }

    /// <summary>
    /// Sends the query from a connected socket (so only the server's address is heard) and waits for a
    /// response with our id and question; anything else is ignored as stray or forged.
    /// </summary>
    private static async Task<DnsMessage> AskOverUdpAsync(
        IPEndPoint server, byte[] query, ushort id, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxMessageLength];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            DnsMessage message;
            try
            {
                message = DnsMessage.Parse(buffer.AsSpan(0, received));
            }
            catch (DnsFormatException) when (received < 2 || BinaryPrimitives.ReadUInt16BigEndian(buffer) != id)
            {
                continue;
            }
            if (Answers(message, id, name, type))
                return message;
        }
    }

    private static async Task<DnsMessage> AskOverTcpAsync(
        IPEndPoint server, byte[] query, ushort id, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        // RFC 1035 §4.2.2: over TCP each message is preceded by its two-octet length.
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await socket.SendAsync(framed, SocketFlags.None, cancellationToken).ConfigureAwait(false);

        var lengthPrefix = new byte[2];
        await ReceiveExactlyAsync(socket, lengthPrefix, cancellationToken).ConfigureAwait(false);
        var response = new byte[BinaryPrimitives.ReadUInt16BigEndian(lengthPrefix)];
        await ReceiveExactlyAsync(socket, response, cancellationToken).ConfigureAwait(false);
        var message = DnsMessage.Parse(response);
        return Answers(message, id, name, type)
            ? message
            : throw new DnsFormatException("The TCP response does not answer the question asked.");
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (received == 0)
                throw new DnsFormatException("The server closed the TCP connection mid-message.");
            buffer = buffer[received..];
        }
    }

    private static bool Answers(DnsMessage message, ushort id, string name, DnsRecordType type) =>
        message.IsResponse
        && message.Id == id
        && message.Questions.Count == 1
        && message.Questions[0].Type == type
        && message.Questions[0].Class == DnsMessage.ClassIn
        && message.Questions[0].Name.TrimEnd('.').Equals(name, StringComparison.OrdinalIgnoreCase);
}
