using System.Diagnostics;

namespace Mailroom.MailAuth.Tests;

/// <summary>python3-dkim (dkimpy), an independent DKIM implementation to check ours against.</summary>
public static class PythonDkim
{
    private const string Python = "/usr/bin/python3";

    private const string VerifyScript = """
        import sys, dkim
        message = open(sys.argv[1], 'rb').read()
        record = open(sys.argv[2], 'rb').read()
        print('pass' if dkim.verify(message, dnsfunc=lambda name, timeout=5: record) else 'fail')
        """;

    private const string SignScript = """
        import sys, dkim
        message = open(sys.argv[1], 'rb').read()
        key = open(sys.argv[2], 'rb').read()
        canon = sys.argv[5].encode().split(b'/')
        headers = [b'from', b'to', b'subject', b'date', b'message-id']
        signature = dkim.sign(message, sys.argv[3].encode(), sys.argv[4].encode(), key,
                              canonicalize=(canon[0], canon[1]), include_headers=headers,
                              length=sys.argv[6] == 'length', identity=sys.argv[7].encode() or None)
        sys.stdout.buffer.write(signature)
        """;

    /// <summary>True when dkimpy accepts the message's signature given the key record.</summary>
    public static bool Verify(byte[] message, string keyRecord)
    {
        using var files = new TempFiles();
        var output = Run(VerifyScript, files.Write(message), files.Write(System.Text.Encoding.ASCII.GetBytes(keyRecord)));
        return output.Trim() == "pass";
    }

    /// <summary>The DKIM-Signature field dkimpy makes for the message.</summary>
    public static string Sign(byte[] message, string privateKeyPem, string selector, string domain, string canonicalization,
        bool bodyLength = false, string? identity = null)
    {
        using var files = new TempFiles();
        return Run(SignScript, files.Write(message), files.Write(System.Text.Encoding.ASCII.GetBytes(privateKeyPem)),
            selector, domain, canonicalization, bodyLength ? "length" : "full", identity ?? "");
    }

    private static string Run(string script, params string[] arguments)
    {
        if (!File.Exists(Python))
            throw new InvalidOperationException($"{Python} is missing; install python3 and python3-dkim.");
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"python3 failed ({process.ExitCode}); is python3-dkim installed? {stderr.Result}");
        return stdout.Result;
    }

    private sealed class TempFiles : IDisposable
    {
        private readonly List<string> _paths = [];

        public string Write(byte[] content)
        {
            var path = Path.GetTempFileName();
            _paths.Add(path);
            File.WriteAllBytes(path, content);
            return path;
        }

        public void Dispose()
        {
            foreach (var path in _paths)
                File.Delete(path);
        }
    }
}
