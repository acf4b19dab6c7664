using System.Diagnostics;
using System.Net.Sockets;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// A real SpamAssassin spamd (Debian's <c>spamd</c>) on 127.0.0.1 and a free port, with local tests only (no DNS or
/// network rules), stopped by its pid when the test ends.
/// </summary>
public sealed class Spamd : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/spamd";

    private readonly string _folder;
    private readonly int _pid;

    private Spamd(string folder, int pid, int port) => (_folder, _pid, Port) = (folder, pid, port);

    public int Port { get; }
    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<Spamd> StartAsync()
    {
        if (!File.Exists(Executable)) throw new InvalidOperationException($"{Executable} is missing: install the Debian package spamd (scripts/test.sh does)");
        var folder = Path.Combine(Path.GetTempPath(), "mailroom-spamd-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var pidFile = Path.Combine(folder, "spamd.pid");
        var port = Mailroom.Tests.Shared.Dnsmasq.FreePort();
        var run = await ExternalTools.RunAsync(Executable,
        [
            "-x", "-L", $"--listen=127.0.0.1:{port}", "--max-children=2", "--min-children=1", "-u", "nobody", "-r", pidFile, "-d",
            "-s", Path.Combine(folder, "spamd.log"),
        ], timeout: TimeSpan.FromSeconds(60));
        if (run.ExitCode != 0) throw new InvalidOperationException($"spamd did not start: {run.Output}{run.Error}");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(pidFile) && int.TryParse((await File.ReadAllTextAsync(pidFile)).Trim(), out var pid))
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync("127.0.0.1", port);
                    return new Spamd(folder, pid, port);
                }
                catch (SocketException) { }
            }
            await Task.Delay(200);
        }
        throw new InvalidOperationException("spamd did not listen within 60 s");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var process = Process.GetProcessById(_pid);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException) { /* already gone */ }
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
