using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mailroom.MailAuth.Tests;

/// <summary>
/// A scripted DNS server on 127.0.0.1 (UDP and TCP on one port) for what a real server will not do on
/// demand: stay silent, truncate, answer garbage or with the wrong id.
/// </summary>
public sealed class FakeDnsServer : IDisposable
{
    private readonly Socket _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();
    private int _udpQueries;
    private int _tcpQueries;

    /// <summary>Given a query and whether it came over TCP, the responses to send (none: stay silent).</summary>
    public Func<byte[], bool, IEnumerable<byte[]>> Handler { get; set; } = (_, _) => [];

    public IPEndPoint EndPoint { get; }
    public int UdpQueries => Volatile.Read(ref _udpQueries);
    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    public FakeDnsServer()
    {
        // The port is free for UDP; on a shared machine TCP may hold the same number: then take another.
        for (var attempt = 1; ; attempt++)
        {
            _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            EndPoint = (IPEndPoint)_udp.LocalEndPoint!;
            _tcp = new TcpListener(EndPoint);
            try
            {
                _tcp.Start();
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 20)
            {
                _udp.Dispose();
            }
        }
        _ = ServeUdpAsync();
        _ = ServeTcpAsync();
    }

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[65535];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                SocketReceiveFromResult received;
                try { received = await _udp.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token); }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
                {
                    continue; // an ICMP "port unreachable" for an earlier answer to a client that had gone: keep serving
                }
                Interlocked.Increment(ref _udpQueries);
                foreach (var response in Handler(buffer[..received.ReceivedBytes], false))
                    await _udp.SendToAsync(response, received.RemoteEndPoint, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ServeTcpAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _tcp.AcceptTcpClientAsync(_stop.Token);
                var stream = client.GetStream();
                var length = new byte[2];
                await stream.ReadExactlyAsync(length, _stop.Token);
                var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                await stream.ReadExactlyAsync(query, _stop.Token);
                Interlocked.Increment(ref _tcpQueries);
                foreach (var response in Handler(query, true))
                {
                    var framed = new byte[response.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)response.Length);
                    response.CopyTo(framed, 2);
                    await stream.WriteAsync(framed, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
        }
    }

    /// <summary>
    /// A response echoing the query's id and question, with A records (TTL <paramref name="ttl"/>) for
    /// each address; TC set when asked.
    /// </summary>
    public static byte[] Respond(byte[] query, IEnumerable<IPAddress> addresses, uint ttl = 60, bool truncated = false, int rcode = 0)
    {
        var questionEnd = 12;
        while (query[questionEnd] != 0)
            questionEnd += query[questionEnd] + 1;
        questionEnd += 5;
        var answers = addresses.ToList();
        var output = new List<byte>();
        output.AddRange(query[..2]);
        var flags = (ushort)(0x8180 | (truncated ? 0x0200 : 0) | rcode);
        output.AddRange([(byte)(flags >> 8), (byte)flags, 0, 1, 0, (byte)answers.Count, 0, 0, 0, 0]);
        output.AddRange(query[12..questionEnd]);
        foreach (var address in answers)
        {
            output.AddRange([0xC0, 12, 0, 1, 0, 1]);
            output.AddRange([(byte)(ttl >> 24), (byte)(ttl >> 16), (byte)(ttl >> 8), (byte)ttl, 0, 4]);
            output.AddRange(address.GetAddressBytes());
        }
        return [.. output];
    }

    public static string QuestionName(byte[] query)
    {
        var labels = new List<string>();
        for (var at = 12; query[at] != 0; at += query[at] + 1)
            labels.Add(Encoding.ASCII.GetString(query, at + 1, query[at]));
        return string.Join('.', labels);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        _tcp.Stop();
        _stop.Dispose();
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
