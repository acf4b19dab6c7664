namespace Mailroom.Mime.Tests.Corpus;

/// <summary>Finds the shared corpus: the repository root holds Mailroom.slnx, the corpus is ../shared/corpus beside it.</summary>
public static class CorpusPaths
{
    private static readonly Lazy<string> RootPath = new(Locate);

    public static string Root => RootPath.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Mailroom.slnx"))) continue;
            var corpus = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "corpus"));
            if (Directory.Exists(corpus)) return corpus;
            throw new DirectoryNotFoundException($"Corpus missing: expected {corpus} beside the repository {dir.FullName}.");
        }
        throw new DirectoryNotFoundException($"No Mailroom.slnx above {AppContext.BaseDirectory}; cannot locate ../shared/corpus.");
    }

    /// <summary>Bare LF line ends become CRLF; existing CRLF stay.</summary>
    public static byte[] ToCrlf(byte[] data)
    {
        var output = new List<byte>(data.Length + data.Length / 20);
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) output.Add((byte)'\r');
            output.Add(data[i]);
        }
        return [.. output];
    }
}
