using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Mailroom.Mime;

// Modes: "memory" measures one 50 MB attachment message in a fresh process; "throughput" is a quick
// stopwatch pass over the corpus; "allocation" compares what the stream and memory paths allocate per message;
// anything else runs BenchmarkDotNet.
if (args.Length > 0 && args[0] == "memory") return MemoryMode.Run();
if (args.Length > 0 && args[0] == "throughput") return Corpus.Throughput();
if (args.Length > 0 && args[0] == "allocation") return AllocationMode.Run();
BenchmarkSwitcher.FromAssembly(typeof(CorpusBenchmarks).Assembly).Run(args);
return 0;

public static class Corpus
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Mailroom.slnx")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "corpus"));
        throw new DirectoryNotFoundException("Mailroom.slnx not found above " + AppContext.BaseDirectory);
    }

    public static List<byte[]> Load() =>
        Directory.EnumerateFiles(Path.Combine(Root(), "messages"), "*.eml", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(Root(), "structure"), "*.msg", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();

    /// <summary>Parses a message and reads what a mail server reads, so lazy fields are paid for.</summary>
    public static int Touch(byte[] data)
    {
        var m = MimeMessage.Parse(data);
        var n = m.From.Count + m.To.Count + (m.Subject?.Length ?? 0) + (m.TextBody?.Length ?? 0) + (m.HtmlBody?.Length ?? 0);
        foreach (var a in m.Attachments) n += (int)a.Size;
        return n;
    }

    public static int Throughput()
    {
        var files = Load();
        var bytes = files.Sum(f => (long)f.Length);
        for (var i = 0; i < 3; i++) files.ForEach(f => Touch(f));
        // CPU time as well as wall time: on a shared machine the wall clock measures the neighbours too.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var rounds = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(5)) { files.ForEach(f => Touch(f)); rounds++; }
        var seconds = sw.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine($"files={files.Count} bytes={bytes} rounds={rounds} MB/s={bytes * rounds / seconds / 1e6:F1} msgs/s={files.Count * rounds / seconds:F0} MB/CPU-s={bytes * rounds / cpuSeconds / 1e6:F1}");
        return 0;
    }
}

[MemoryDiagnoser]
[ShortRunJob]
public class CorpusBenchmarks
{
    private List<byte[]> _files = [];

    [GlobalSetup]
    public void Setup() => _files = Corpus.Load();

    /// <summary>One operation = the whole corpus (messages + structure folders).</summary>
    [Benchmark]
    public int ParseCorpus()
    {
        var n = 0;
        foreach (var f in _files) n += Corpus.Touch(f);
        return n;
    }
}

public static class MemoryMode
{
    public static int Run()
    {
        var path = Path.Combine(Path.GetTempPath(), "mailroom-mime-50mb.eml");
        var content = new byte[50 * 1024 * 1024];
        new Random(1).NextBytes(content);
        var builder = new MessageBuilder { From = new MailboxAddress(null, "a@example.com"), TextBody = "big", MessageIdDomain = "example.com" };
        builder.Attachments.Add(new OutgoingAttachment("big.bin", "application/octet-stream", content));
        using (var file = File.Create(path)) builder.WriteTo(file);
        content = null!;
        builder = null!;
        GC.Collect(2, GCCollectionMode.Forced, true, true);
        GC.WaitForPendingFinalizers();
        var size = new FileInfo(path).Length;
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var allocatedBefore = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        MimeMessage message;
        using (var stream = File.OpenRead(path)) message = MimeMessage.Load(stream);
        var parseSeconds = sw.Elapsed.TotalSeconds;
        var allocatedParse = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
        var attachment = message.Attachments.Single();
        var decoded = attachment.GetContent();
        var allocatedTotal = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
        process.Refresh();
        var peak = process.PeakWorkingSet64 - baseline;
        Console.WriteLine($"message={size / 1e6:F1} MB attachment={decoded.Length / 1e6:F1} MB parse={parseSeconds:F2}s");
        Console.WriteLine($"allocated by parse={allocatedParse / 1e6:F1} MB ({(double)allocatedParse / size:F2}x message)");
        Console.WriteLine($"allocated by parse+decode={allocatedTotal / 1e6:F1} MB ({(double)allocatedTotal / size:F2}x message)");
        Console.WriteLine($"peak working set above baseline={peak / 1e6:F1} MB ({(double)peak / size:F2}x message)");
        File.Delete(path);
        GC.KeepAlive(message);
        return 0;
    }
}

/// <summary>Bytes allocated and full collections per pass, parsing every corpus message from memory and from streams.</summary>
public static class AllocationMode
{
    private const int Passes = 20;

    public static int Run()
    {
        var files = Corpus.Load();
        var paths = Directory.EnumerateFiles(Path.Combine(Corpus.Root(), "messages"), "*.eml", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(Corpus.Root(), "structure"), "*.msg", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal).ToList();
        Measure("Parse(byte[])", files, f => MimeMessage.Parse(f));
        Measure("Load(MemoryStream)", files, f => MimeMessage.Load(new MemoryStream(f)));
        Measure("Load(unseekable stream)", files, f => MimeMessage.Load(new UnseekableStream(f)));
        var i = 0;
        Measure("Load(FileStream)", files, _ =>
        {
            using var stream = File.OpenRead(paths[i++ % paths.Count]);
            return MimeMessage.Load(stream);
        });
        return 0;
    }

    private static void Measure(string name, List<byte[]> files, Func<byte[], MimeMessage> parse)
    {
        foreach (var f in files) Touch(parse(f));
        GC.Collect();
        var gen2 = GC.CollectionCount(2);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var pass = 0; pass < Passes; pass++)
            foreach (var f in files) Touch(parse(f));
        var perMessage = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)(Passes * files.Count);
        Console.WriteLine($"{name,-24} {perMessage / 1024:F1} KB/message, {(GC.CollectionCount(2) - gen2) / (double)Passes:F1} gen2 collections/pass");
    }

    private static void Touch(MimeMessage m) =>
        GC.KeepAlive(m.From.Count + m.To.Count + (m.Subject?.Length ?? 0) + (m.TextBody?.Length ?? 0) + (m.HtmlBody?.Length ?? 0) + m.Attachments.Sum(a => a.Size));

    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
