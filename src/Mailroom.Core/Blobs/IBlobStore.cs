namespace Mailroom.Core.Blobs;

/// <summary>
/// Raw messages and attachment bytes. <see cref="PutAsync"/> returns only once the bytes are durable (written, flushed
/// to disk and named), because SMTP's 250 depends on it. Writers of many blobs at once put them with
/// <c>sync: false</c> and then make them all durable with one <see cref="SyncAsync"/> (group commit).
/// </summary>
public interface IBlobStore
{
    Task<string> PutAsync(string keyPrefix, Stream content, CancellationToken ct = default) => PutAsync(keyPrefix, content, sync: true, ct);
    Task<string> PutAsync(string keyPrefix, Stream content, bool sync, CancellationToken ct = default);
    /// <summary>Makes every blob put so far durable.</summary>
    Task SyncAsync(CancellationToken ct = default);
    Task<Stream> OpenAsync(string key, CancellationToken ct = default);
    Task DeleteAsync(string key, CancellationToken ct = default);
}
