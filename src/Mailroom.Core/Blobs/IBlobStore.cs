namespace Mailroom.Core.Blobs;

/// <summary>
/// Raw messages and attachment bytes. <see cref="PutAsync"/> returns only once the bytes are durable
/// (written, flushed to disk and named), because SMTP's 250 depends on it.
/// </summary>
public interface IBlobStore
{
    Task<string> PutAsync(string keyPrefix, Stream content, CancellationToken ct = default);
    Task<Stream> OpenAsync(string key, CancellationToken ct = default);
    Task DeleteAsync(string key, CancellationToken ct = default);
}
