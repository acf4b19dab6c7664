using System.Diagnostics;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>The real <c>mailroom</c> executable in a process of its own, so that a test can kill it outright.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, int httpPort, int smtpPort)
    {
        _process = process;
        HttpPort = httpPort;
        SmtpPort = smtpPort;
    }

    public int HttpPort { get; }
    public int SmtpPort { get; }
    public Uri Address => new($"http://127.0.0.1:{HttpPort}/");

    public static async Task<ServerProcess> StartAsync(IEnumerable<string> configuration, int? httpPort = null, int? smtpPort = null)
    {
        var http = httpPort ?? Mailroom.Tests.Shared.Dnsmasq.FreePort();
        var smtp = smtpPort ?? Mailroom.Tests.Shared.Dnsmasq.FreePort();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "mailroom.dll"), $"--urls=http://127.0.0.1:{http}", $"--Mailroom:Smtp:Listen=127.0.0.1:{smtp}",
                     "--Mailroom:Dns:Servers=127.0.0.1:9", "--Mailroom:DomainRecheckInterval=00:00:00", "--Logging:LogLevel:Default=Warning",
                 }.Concat(configuration))
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, http, smtp);
        using var client = new HttpClient { BaseAddress = server.Address };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                if ((await client.GetAsync("healthz")).IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        server.Dispose();
        throw new InvalidOperationException("mailroom did not become healthy");
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
