using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mailroom.Tests.Shared;

/// <summary>
/// A real DNS server for tests: dnsmasq on 127.0.0.1 and a free port, serving only the records given, stopped
/// by process id on dispose. Missing dnsmasq is a failure, never a skip (CI installs dnsmasq-base).
/// </summary>
public sealed class Dnsmasq : IDisposable
{
    public const string Binary = "/usr/sbin/dnsmasq";
    private readonly Process _process;

    private Dnsmasq(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <param name="records">dnsmasq options such as <c>--mx-host=example.com,mx.example.net,10</c>.</param>
    /// <param name="port">A port from <see cref="FreePort"/> when the client must know it before the records exist.</param>
    public static Dnsmasq Start(IEnumerable<string> records, int? port = null)
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing: install Debian's dnsmasq-base");
        var options = records.ToList();
        for (var attempt = 0; ; attempt++)
        {
            var chosen = port ?? FreePort();
            var start = new ProcessStartInfo(Binary)
            {
                RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
            };
            foreach (var argument in new[]
                     {
                         "--no-daemon", "--keep-in-foreground", $"--port={chosen}", "--listen-address=127.0.0.1", "--bind-interfaces",
                         "--no-resolv", "--no-hosts", "--no-poll", "--conf-file=/dev/null", "--user=root", "--group=root", "--pid-file=",
                     }.Concat(options))
                start.ArgumentList.Add(argument);
            var process = Process.Start(start)!;
            if (WaitUntilAnswering(chosen, process)) return new Dnsmasq(process, chosen);
            var error = process.HasExited ? process.StandardError.ReadToEnd() : "no answer";
            Kill(process);
            if (attempt == 3 || port is not null) throw new InvalidOperationException($"dnsmasq did not start: {error}");
        }
    }

    /// <summary>
    /// TXT strings longer than 255 characters are split into several character-strings, as DNS requires (dnsmasq
    /// splits at commas; no shell is involved, so no quotes, and the text must hold no comma).
    /// </summary>
    public static string TxtRecord(string name, string text)
    {
        if (text.Contains(',')) throw new ArgumentException("dnsmasq TXT text cannot hold a comma", nameof(text));
        var chunks = Enumerable.Range(0, (text.Length + 254) / 255).Select(i => text.Substring(i * 255, Math.Min(255, text.Length - i * 255)));
        return $"--txt-record={name}," + string.Join(",", chunks);
    }

    private static bool WaitUntilAnswering(int port, Process process)
    {
        for (var i = 0; i < 50 && !process.HasExited; i++)
        {
            try
            {
                using var tcp = new TcpClient();
                tcp.Connect(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException) { Thread.Sleep(50); }
        }
        return false;
    }

    /// <summary>A port free for both UDP and TCP at the moment of asking (DNS listens on both).</summary>
    public static int FreePort()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
                // Taken for UDP: try another.
            }
        }
    }

    private static void Kill(Process process)
    {
        try { if (!process.HasExited) process.Kill(); process.WaitForExit(5000); }
        catch (InvalidOperationException) { /* already gone */ }
        process.Dispose();
    }

    public void Dispose() => Kill(_process);
}
