using System.Diagnostics;
using System.Net.Sockets;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// An independent SMTP receiver: Python's aiosmtpd (Debian's python3-aiosmtpd) on 127.0.0.1 and a free port, saving
/// every accepted message to a folder. It can answer the first N messages with 451 or every RCPT with 550, and take its
/// time before answering DATA (a slow peer).
/// Stopped by process id on dispose.
/// </summary>
public sealed class SmtpSink : IDisposable
{
    private const string Script = """
        import asyncio, os, sys, itertools
        from aiosmtpd.controller import Controller
        port, folder, tempfail, reject, delay = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", float(sys.argv[5])
        counter = itertools.count()
        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if reject:
                    return "550 5.1.1 no such user here"
                envelope.rcpt_tos.append(address)
                return "250 OK"
            async def handle_DATA(self, server, session, envelope):
                n = next(counter)
                await asyncio.sleep(delay)
                if n < tempfail:
                    return "451 4.3.0 try again later"
                path = os.path.join(folder, "%04d.eml" % n)
                with open(path + ".tmp", "wb") as f:
                    f.write(("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n" % (envelope.mail_from, ",".join(envelope.rcpt_tos))).encode())
                    f.write(envelope.original_content)
                os.rename(path + ".tmp", path)
                return "250 2.0.0 stored"
        controller = Controller(Handler(), hostname="127.0.0.1", port=port, decode_data=False)
        controller.start()
        print("ready", flush=True)
        try:
            sys.stdin.read()
        finally:
            controller.stop()
        """;

    private readonly Process _process;

    private SmtpSink(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        Folder = folder;
    }

    public int Port { get; }
    public string Folder { get; }

    public static async Task<SmtpSink> StartAsync(int tempFailFirst = 0, bool rejectRecipients = false, double dataDelaySeconds = 0)
    {
        var folder = Path.Combine(Path.GetTempPath(), "mailroom-sink-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var port = Mailroom.Tests.Shared.Dnsmasq.FreePort();
        var start = new ProcessStartInfo(ExternalTools.Python)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in new[] { "-c", Script, port.ToString(), folder, tempFailFirst.ToString(), rejectRecipients ? "1" : "0",
                     dataDelaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        if (ready != "ready") throw new InvalidOperationException("aiosmtpd did not start: " + await process.StandardError.ReadToEndAsync());
        return new SmtpSink(process, port, folder);
    }

    /// <summary>The messages received so far, waiting until there are <paramref name="count"/>.</summary>
    public async Task<IReadOnlyList<string>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Directory.GetFiles(Folder, "*.eml").Length < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        return Directory.GetFiles(Folder, "*.eml").Order().ToList();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { /* already gone */ }
        _process.Dispose();
        try { Directory.Delete(Folder, true); } catch (IOException) { /* best effort */ }
    }
}
