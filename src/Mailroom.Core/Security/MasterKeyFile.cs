using System.Security.Cryptography;

namespace Mailroom.Core.Security;

/// <summary>The 32-byte master key on disk, base64 encoded, created on first start with mode 600.</summary>
public static class MasterKeyFile
{
    public static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
            if (key.Length != 32) throw new InvalidOperationException($"master key file {path} does not hold 32 bytes");
            return key;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var fresh = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var stream = new FileStream(path, options);
            using var writer = new StreamWriter(stream);
            writer.Write(Convert.ToBase64String(fresh));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process (an admin command beside the server) created it first: use theirs.
            return LoadOrCreate(path);
        }
        return fresh;
    }
}
