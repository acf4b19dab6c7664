namespace Mailroom.Core.Security;

/// <summary>A secret kept in a text file readable by its owner only (mode 600), created once and then reused.</summary>
public static class OwnerOnlyFile
{
    /// <summary>
    /// The file's text, or, when there is no file yet, <paramref name="create"/>'s text written to a new file.
    /// When another process creates it at the same moment, its text wins, so every process uses the same secret.
    /// </summary>
    public static (string Text, bool Created) ReadOrCreate(string path, Func<string> create)
    {
        if (File.Exists(path)) return (File.ReadAllText(path).Trim(), false);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var text = create();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var writer = new StreamWriter(new FileStream(path, options));
            writer.Write(text);
        }
        catch (IOException) when (File.Exists(path))
        {
            return (File.ReadAllText(path).Trim(), false);
        }
        return (text, true);
    }
}
