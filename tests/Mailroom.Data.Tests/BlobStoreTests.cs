using Mailroom.Core.Blobs;
using Mailroom.Data.Blobs;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

/// <summary>Small blobs in the database (joining the caller's transaction), large ones as files, on both databases.</summary>
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
    public async Task Small_blobs_are_rows_large_ones_files_and_both_read_back_and_delete(string provider)
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
            Assert.StartsWith("att/", largeKey);
            Assert.True(File.Exists(Path.Combine(folder, largeKey)));
            Assert.Equal(small, await ReadAsync(store, smallKey));
            Assert.Equal(exact, await ReadAsync(store, exactKey));
            Assert.Equal(large, await ReadAsync(store, largeKey));

            await store.DeleteAsync(smallKey);
            await store.DeleteAsync(largeKey);
            await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenAsync(smallKey));
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
