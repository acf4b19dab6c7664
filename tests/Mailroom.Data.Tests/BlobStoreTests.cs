using Mailroom.Core.Blobs;
using Mailroom.Data.Blobs;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

/// <summary>Small blobs in the database (joining the caller's transaction), large ones as files on SQLite and chunks on PostgreSQL.</summary>
public sealed class BlobStoreTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private static async Task<byte[]> ReadAsync(IBlobStore store, string key)
    {
        await using var stream = await store.OpenAsync(key);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Small_blobs_are_rows_large_ones_files_or_chunks_and_all_read_back_and_delete(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var folder = Path.Combine(Path.GetTempPath(), "mailroom-blobs-" + Guid.NewGuid().ToString("N")[..8]);
        IBlobStore store = new HybridBlobStore(f.Db, new FileBlobStore(folder, TimeProvider.System), TimeProvider.System);
        try
        {
            var small = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();
            var large = Enumerable.Range(0, HybridBlobStore.InlineLimit + 10).Select(i => (byte)(i * 3)).ToArray();
            var exact = new byte[HybridBlobStore.InlineLimit];

            var smallKey = await store.PutAsync("raw", new MemoryStream(small), sync: false);
            var exactKey = await store.PutAsync("raw", new MemoryStream(exact));
            var largeKey = await store.PutAsync("att", new MemoryStream(large));
            await store.SyncAsync();

            Assert.StartsWith("db/raw/", smallKey);
            Assert.StartsWith("db/raw/", exactKey);
            var inDatabase = provider == "postgres";
            Assert.StartsWith(inDatabase ? "chunks/att/" : "att/", largeKey);
            Assert.Equal(!inDatabase, File.Exists(Path.Combine(folder, largeKey)));
            Assert.Equal(small, await ReadAsync(store, smallKey));
            Assert.Equal(exact, await ReadAsync(store, exactKey));
            Assert.Equal(large, await ReadAsync(store, largeKey));

            await store.DeleteAsync(smallKey);
            await store.DeleteAsync(largeKey);
            await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenAsync(smallKey));
            await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenAsync(largeKey));
            Assert.False(File.Exists(Path.Combine(folder, largeKey)));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_blob_put_inside_a_transaction_that_fails_is_not_kept(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var folder = Path.Combine(Path.GetTempPath(), "mailroom-blobs-" + Guid.NewGuid().ToString("N")[..8]);
        IBlobStore store = new HybridBlobStore(f.Db, new FileBlobStore(folder, TimeProvider.System), TimeProvider.System);
        string? key = null;
        try
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => f.Db.InTransactionAsync<int>(async () =>
            {
                key = await store.PutAsync("raw", new MemoryStream([1, 2, 3]), sync: false);
                throw new InvalidOperationException("abort");
            }));
            await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenAsync(key!));
        }
        finally { Directory.Delete(folder, true); }
    }

    /// <summary>Bytes made on the fly, so that neither the test nor the store ever holds the whole message.</summary>
    private sealed class GeneratedStream(long length) : Stream
    {
        private long _position;
        public static byte At(long i) => (byte)(i * 7 + (i >> 11));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++) buffer[offset + i] = At(_position + i);
            _position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>On PostgreSQL in chunks that every node reads; on SQLite (one node) as a file of that node.</summary>
    [Theory, MemberData(nameof(Providers))]
    public async Task A_35_MB_blob_streams_in_and_out_and_on_PostgreSQL_every_node_reads_it(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var cluster = provider == "postgres";
        var nodeA = Path.Combine(Path.GetTempPath(), "mailroom-blobs-a-" + Guid.NewGuid().ToString("N")[..8]);
        var nodeB = Path.Combine(Path.GetTempPath(), "mailroom-blobs-b-" + Guid.NewGuid().ToString("N")[..8]);
        IBlobStore storeA = new HybridBlobStore(f.Db, new FileBlobStore(nodeA, TimeProvider.System), TimeProvider.System);
        IBlobStore storeB = new HybridBlobStore(f.Db, new FileBlobStore(nodeB, TimeProvider.System), TimeProvider.System);
        try
        {
            const long size = 35L * 1024 * 1024 + 12345;
            var key = await storeA.PutAsync("raw", new GeneratedStream(size));
            if (cluster)
            {
                Assert.Equal(Math.Ceiling(size / (double)ChunkedBlobStore.ChunkSize),
                    await f.Db.ScalarAsync<long>("SELECT COUNT(*) FROM blob_chunks WHERE key = @key", new { key }));
                Assert.False(Directory.Exists(nodeA) && Directory.EnumerateFiles(nodeA, "*", SearchOption.AllDirectories).Any());
            }
            else
            {
                Assert.True(File.Exists(Path.Combine(nodeA, key)));
                storeB = storeA;
            }

            await using (var read = await storeB.OpenAsync(key))
            {
                Assert.Equal(size, read.Length);
                var buffer = new byte[81920];
                long position = 0;
                int n;
                while ((n = await read.ReadAsync(buffer)) > 0)
                {
                    for (var i = 0; i < n; i++)
                        if (buffer[i] != GeneratedStream.At(position + i)) Assert.Fail($"byte {position + i} differs");
                    position += n;
                }
                Assert.Equal(size, position);

                // Downloads serve byte ranges: a seek lands in the middle of a chunk.
                read.Position = 3L * ChunkedBlobStore.ChunkSize - 2;
                var across = new byte[4];
                await read.ReadExactlyAsync(across);
                Assert.Equal(Enumerable.Range(0, 4).Select(i => GeneratedStream.At(3L * ChunkedBlobStore.ChunkSize - 2 + i)), across);
            }

            // A blob of exactly one whole chunk past the inline limit, and the delete through the other node.
            var whole = Enumerable.Range(0, 2 * ChunkedBlobStore.ChunkSize).Select(i => (byte)i).ToArray();
            var wholeKey = await storeB.PutAsync("att", new MemoryStream(whole));
            Assert.Equal(whole, await ReadAsync(storeA, wholeKey));
            await storeB.DeleteAsync(key);
            await Assert.ThrowsAsync<FileNotFoundException>(() => storeA.OpenAsync(key));
            if (cluster) Assert.Equal(0, await f.Db.ScalarAsync<long>("SELECT COUNT(*) FROM blob_chunks WHERE key = @key", new { key }));
        }
        finally
        {
            foreach (var folder in new[] { nodeA, nodeB }) if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }
    }

    [Fact]
    public async Task Keys_cannot_leave_the_blob_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mailroom-blobs-" + Guid.NewGuid().ToString("N")[..8]);
        IBlobStore files = new FileBlobStore(folder, TimeProvider.System);
        try
        {
            await Assert.ThrowsAsync<ArgumentException>(() => files.OpenAsync("../../etc/passwd"));
            await Assert.ThrowsAsync<ArgumentException>(() => files.PutAsync("../x", new MemoryStream([1])));
        }
        finally { Directory.Delete(folder, true); }
    }
}
