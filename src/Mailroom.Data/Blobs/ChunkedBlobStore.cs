using System.Buffers;
using Mailroom.Core.Common;

namespace Mailroom.Data.Blobs;

/// <summary>
/// Blobs over the inline limit as rows of <c>blob_chunks</c> (key <c>chunks/…</c>), for PostgreSQL: every node of a
/// cluster reads what any node stored, and nothing sits on one node's disk. Bytes go in and come out one chunk at a
/// time, so a 35 MB message is never one buffer; a put joins the caller's transaction or makes its own, so a blob is
/// either whole or absent.
/// </summary>
public sealed class ChunkedBlobStore(MailroomDatabase db, TimeProvider time)
{
    /// <summary>Every chunk but the last has this size; reading positions rely on it, so it never changes.</summary>
    public const int ChunkSize = 256 * 1024;
    public const string KeyPrefix = "chunks/";

    public static bool Holds(string key) => key.StartsWith(KeyPrefix, StringComparison.Ordinal);

    public async Task<string> PutAsync(string keyPrefix, Stream content, CancellationToken ct)
    {
        var key = $"{KeyPrefix}{keyPrefix}/{Ids.Sortable(time)}";
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            await db.InTransactionAsync(async () =>
            {
                for (var n = 0; ; n++)
                {
                    var length = await content.ReadAtLeastAsync(buffer.AsMemory(0, ChunkSize), ChunkSize, throwOnEndOfStream: false, ct);
                    if (length == 0 && n > 0) break;
                    await db.ExecuteAsync("INSERT INTO blob_chunks (key, n, data) VALUES (@key, @n, @data)",
                        new { key, n, data = buffer.AsSpan(0, length).ToArray() }, ct);
                    if (length < ChunkSize) break;
                }
                return true;
            }, ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return key;
    }

    public async Task<Stream> OpenAsync(string key, CancellationToken ct)
    {
        var last = (await db.QueryAsync<(int N, int Length)>(
                "SELECT n, octet_length(data) FROM blob_chunks WHERE key = @key ORDER BY n DESC LIMIT 1", new { key }, ct)).ToList();
        if (last.Count == 0) throw new FileNotFoundException($"blob {key} does not exist");
        return new ChunkReader(db, key, (long)last[0].N * ChunkSize + last[0].Length);
    }

    public Task DeleteAsync(string key, CancellationToken ct) =>
        db.ExecuteAsync("DELETE FROM blob_chunks WHERE key = @key", new { key }, ct);

    /// <summary>A seekable read of one blob that holds one chunk at a time (downloads serve byte ranges from it).</summary>
    private sealed class ChunkReader(MailroomDatabase db, string key, long length) : Stream
    {
        private byte[] _chunk = [];
        private long _chunkStart = -1;
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => _position = Math.Clamp(value, 0, length); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            if (_position >= length || destination.Length == 0) return 0;
            var chunkStart = _position / ChunkSize * ChunkSize;
            if (chunkStart != _chunkStart)
            {
                _chunk = await db.QuerySingleOrDefaultAsync<byte[]>("SELECT data FROM blob_chunks WHERE key = @key AND n = @n",
                             new { key, n = (int)(chunkStart / ChunkSize) }, cancellationToken)
                         ?? throw new IOException($"blob {key} lost a chunk while it was read");
                _chunkStart = chunkStart;
            }
            var from = (int)(_position - chunkStart);
            var count = Math.Min(destination.Length, _chunk.Length - from);
            _chunk.AsMemory(from, count).CopyTo(destination);
            _position += count;
            return count;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
