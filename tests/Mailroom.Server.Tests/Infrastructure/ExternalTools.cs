using System.Diagnostics;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>Independent mail tools from Debian (swaks, Python's smtplib, python3-dkim), run as a peer would.</summary>
public static class ExternalTools
{
    public const string Python = "/usr/bin/python3";
    public const string Swaks = "/usr/bin/swaks";

    public sealed record Run(int ExitCode, string Output, string Error);

    public static async Task<Run> RunAsync(string file, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null)
    {
        if (!File.Exists(file)) throw new InvalidOperationException($"{file} is missing: .ci/run installs it from Debian");
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = standardInput is not null, UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { process.Kill(true); throw new TimeoutException($"{file} did not finish"); }
        return new Run(process.ExitCode, await output, await error);
    }

    /// <summary>Runs a Python 3 script with Debian's interpreter (where python3-dkim and aiosmtpd live).</summary>
    public static Task<Run> PythonAsync(string script, params string[] arguments) => RunAsync(Python, ["-c", script, .. arguments]);
}
