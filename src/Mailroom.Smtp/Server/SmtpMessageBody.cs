namespace Mailroom.Smtp.Server;

/// <summary>
/// The bytes of one received message. They stay in memory up to
/// <see cref="SmtpServerOptions.MemoryBufferThreshold"/> and then move to a temporary file deleted on dispose,
/// so a large message never sits in memory whole. The session owns and disposes it after the store returns.
/// </summary>
public sealed class SmtpMessageBody : IDisposable
{
    private readonly int _threshold;
    private readonly string _tempDirectory;
    private MemoryStream? _memory = new();
    private FileStream? _file;

    internal SmtpMessageBody(int threshold, string? tempDirectory)
    {
        _threshold = threshold;
        _tempDirectory = tempDirectory ?? Path.GetTempPath();
    }

    public long Length { get; private set; }

    /// <summary>True once the body spilled to a temporary file.</summary>
    public bool IsFileBacked => _file is not null;

    /// <summary>Opens an independent read-only stream over the whole body; the caller disposes it.</summary>
    public Stream OpenRead()
    {
        if (_file is not null)
        {
            _file.Flush();
            return new FileStream(_file.Name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, FileOptions.SequentialScan);
        }
        return new MemoryStream(_memory!.GetBuffer(), 0, (int)_memory.Length, writable: false);
    }

    internal void Write(ReadOnlySpan<byte> bytes)
    {
        if (_memory is not null && _memory.Length + bytes.Length > _threshold)
        {
            _file = new FileStream(Path.Combine(_tempDirectory, $"mailroom-smtp-{Guid.NewGuid():N}.eml"), FileMode.CreateNew,
                FileAccess.ReadWrite, FileShare.Read, 81920, FileOptions.DeleteOnClose);
            _memory.Position = 0;
            _memory.CopyTo(_file);
            _memory = null;
        }
        if (_file is not null)
        {
            _file.Write(bytes);
        }
        else
        {
            _memory!.Write(bytes);
        }
        Length += bytes.Length;
    }

    public void Dispose()
    {
        _file?.Dispose();
        _memory = null;
    }
}
