using System.Buffers;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;

namespace Mailroom.Data.Blobs;

/// <summary>
/// Blobs up to <see cref="InlineLimit"/> bytes are rows of the <c>blobs</c> table (key <c>db/…</c>), written in the
/// caller's transaction when there is one — no file to create, name and sync per message; creating a file per message
/// was the largest cost of ingesting small mail. Larger blobs are chunks in the database on PostgreSQL
/// (<see cref="ChunkedBlobStore"/>, so that every node of a cluster reads them) and files in the
/// <see cref="FileBlobStore"/> on SQLite (one node). Keys say where a blob is, so blobs stored before a change stay readable.
/// </summary>
public sealed class HybridBlobStore(MailroomDatabase db, FileBlobStore files, TimeProvider time) : IBlobStore
{
    private readonly ChunkedBlobStore? _chunks = db.Provider == DatabaseProvider.Postgres ? new ChunkedBlobStore(db, time) : null;

    public const int InlineLimit = 256 * 1024;
    private const string InlinePrefix = "db/";

    public async Task<string> PutAsync(string keyPrefix, Stream content, bool sync, CancellationToken ct = default)
    {
        // A stream that knows its length is read into an array of that size; any other fills a pooled buffer first,
        // so that no put allocates (and clears) a buffer of the whole inline limit.
        if (content.CanSeek && content.Length - content.Position is var known && known <= InlineLimit)
        {
            var exact = new byte[known];
            await content.ReadExactlyAsync(exact, ct);
            return await InsertAsync(keyPrefix, exact, ct);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(InlineLimit + 1);
        try
        {
            var length = 0;
            int read;
            while (length <= InlineLimit && (read = await content.ReadAsync(buffer.AsMemory(length, InlineLimit + 1 - length), ct)) > 0) length += read;
            if (length <= InlineLimit) return await InsertAsync(keyPrefix, buffer.AsSpan(0, length).ToArray(), ct);
            using var whole = new ConcatenatedStream(new MemoryStream(buffer, 0, length, writable: false), content);
            return _chunks is not null ? await _chunks.PutAsync(keyPrefix, whole, ct) : await files.PutAsync(keyPrefix, whole, sync, ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<string> InsertAsync(string keyPrefix, byte[] data, CancellationToken ct)
    {
        // Time-ordered, so that each new row lands at the end of the key index instead of on a random page of it.
        var key = $"{InlinePrefix}{keyPrefix}/{Ids.Sortable(time)}";
        await db.ExecuteAsync("INSERT INTO blobs (key, data, created_at) VALUES (@key, @data, @at)",
            new { key, data, at = time.GetUtcNow().ToUnixTimeMilliseconds() }, ct);
        return key;
    }

    public async Task<Stream> OpenAsync(string key, CancellationToken ct = default)
    {
        if (ChunkedBlobStore.Holds(key)) return await (_chunks ?? throw new FileNotFoundException($"blob {key} is in PostgreSQL, not here")).OpenAsync(key, ct);
        if (!key.StartsWith(InlinePrefix, StringComparison.Ordinal)) return await files.OpenAsync(key, ct);
        var data = await db.QuerySingleOrDefaultAsync<byte[]>("SELECT data FROM blobs WHERE key = @key", new { key }, ct)
                   ?? throw new FileNotFoundException($"blob {key} does not exist");
        return new MemoryStream(data, writable: false);
    }

    public async Task DeleteAsync(string key, CancellationToken ct = default)
    {
        if (key.StartsWith(InlinePrefix, StringComparison.Ordinal))
            await db.ExecuteAsync("DELETE FROM blobs WHERE key = @key", new { key }, ct);
        else if (ChunkedBlobStore.Holds(key) && _chunks is not null)
            await _chunks.DeleteAsync(key, ct);
        else
            await files.DeleteAsync(key, ct);
    }

    /// <summary>
    /// Makes unsynced files durable. Rows and chunks need nothing here: they are durable when their transaction commits (SQLite
    /// runs with synchronous=FULL, PostgreSQL with its WAL).
    /// </summary>
    public Task SyncAsync(CancellationToken ct = default) => files.SyncAsync(ct);

    /// <summary>The buffered head of a stream followed by its rest.</summary>
    private sealed class ConcatenatedStream(Stream head, Stream tail) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = head.Read(buffer, offset, count);
            return read > 0 ? read : tail.Read(buffer, offset, count);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await head.ReadAsync(buffer, cancellationToken);
            return read > 0 ? read : await tail.ReadAsync(buffer, cancellationToken);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) head.Dispose();
            base.Dispose(disposing);
        }
    }
}
