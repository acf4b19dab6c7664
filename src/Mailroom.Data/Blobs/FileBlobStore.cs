using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Mailroom.Core.Blobs;

namespace Mailroom.Data.Blobs;

/// <summary>
/// Blobs as files under one root: <c>{prefix}/{yyyy}/{MM}/{dd}/{random}</c>. A synced put writes a temporary file,
/// fsyncs it, renames it into place and fsyncs the folder, so a blob whose key was returned survives a crash; an
/// unsynced put leaves the flush to <see cref="SyncAsync"/>, which flushes the whole file system once (syncfs) when
/// an unsynced file was written since the last one.
/// </summary>
public sealed partial class FileBlobStore(string root, TimeProvider time) : IBlobStore
{
    private readonly string _root = Directory.CreateDirectory(Path.GetFullPath(root)).FullName;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _folders = new();
    /// <summary>Set by an unsynced put, cleared by the sync that covers it: a sync with nothing to flush is skipped.</summary>
    private int _unsynced;

    public async Task<string> PutAsync(string keyPrefix, Stream content, bool sync, CancellationToken ct = default)
    {
        if (keyPrefix.Length == 0 || !keyPrefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException("a blob key prefix is letters, digits, '-' and '_'", nameof(keyPrefix));
        var day = time.GetUtcNow().UtcDateTime;
        var key = $"{keyPrefix}/{day:yyyy}/{day:MM}/{day:dd}/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
        var path = PathOf(key);
        var folder = Path.GetDirectoryName(path)!;
        if (!_folders.ContainsKey(folder))
        {
            // Created before it is remembered, so no concurrent put sees the folder as made before it exists.
            Directory.CreateDirectory(folder);
            _folders.TryAdd(folder, true);
        }
        if (!sync)
        {
            // Named at once: until SyncAsync runs, a power loss may lose it, a killed process does not.
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920))
                await content.CopyToAsync(file, ct);
            Volatile.Write(ref _unsynced, 1);
            return key;
        }
        var temporary = path + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920))
        {
            await content.CopyToAsync(file, ct);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path);
        SyncFolder(folder);
        return key;
    }

    public Task SyncAsync(CancellationToken ct = default)
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _unsynced, 0) == 0) return Task.CompletedTask;
        var fd = Open(_root, 0x10000 /* O_RDONLY | O_DIRECTORY */);
        if (fd < 0) throw new IOException($"cannot open {_root} to sync it");
        try
        {
            if (Syncfs(fd) != 0) throw new IOException($"syncfs of {_root} failed");
        }
        finally { _ = Close(fd); }
        return Task.CompletedTask;
    }

    public Task<Stream> OpenAsync(string key, CancellationToken ct = default) =>
        Task.FromResult<Stream>(new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous));

    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(_root, key));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || key.Contains(".."))
            throw new ArgumentException($"blob key {key} leaves the blob folder", nameof(key));
        return path;
    }

    /// <summary>Makes the rename itself durable: on Linux a new name is only safe once its folder is synced.</summary>
    private static void SyncFolder(string folder)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Open(folder, 0x10000 /* O_RDONLY | O_DIRECTORY */);
        if (fd < 0) return;
        try { _ = Fsync(fd); }
        finally { _ = Close(fd); }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "syncfs")]
    private static partial int Syncfs(int fd);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
