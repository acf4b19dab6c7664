using System.Runtime.InteropServices;

namespace Mailroom.Core.Security;

/// <summary>A secret kept in a text file readable by its owner only (mode 600), created once and then reused.</summary>
public static class OwnerOnlyFile
{
    /// <summary>
    /// The file's text, or, when there is no file yet, <paramref name="create"/>'s text written to a new file.
    /// When other processes create it at the same moment (nodes of a cluster starting on one shared key file), one
    /// text wins and every process uses it: the text is written whole to a temporary file first and then linked into
    /// place without replacing, so no process ever reads a file that is still empty or half written.
    /// </summary>
    public static (string Text, bool Created) ReadOrCreate(string path, Func<string> create)
    {
        if (File.Exists(path)) return (File.ReadAllText(path).Trim(), false);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var text = create();
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            LinkIntoPlace(temporary, path);
            return (text, true);
        }
        catch (IOException) when (File.Exists(path))
        {
            return (File.ReadAllText(path).Trim(), false);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Puts the finished file at <paramref name="path"/> unless a file is there already, in one step. On Unix that is
    /// link(2), which fails with EEXIST; .NET's <c>File.Move</c> without overwrite checks and then renames, so two
    /// processes could each put their own key in place. Windows' move without replace is already atomic.
    /// </summary>
    private static void LinkIntoPlace(string finished, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            File.Move(finished, path, overwrite: false);
            return;
        }
        if (link(finished, path) != 0)
            throw new IOException($"cannot create {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string oldpath, string newpath);
}
