using Mailroom.Core.Domains;

namespace Mailroom.Data.Repositories;

public sealed class DkimKeyRepository(MailroomDatabase db) : IDkimKeyRepository
{
    public Task<string?> FindSealedAsync(string domain, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<string>("SELECT private_key_sealed FROM dkim_keys WHERE domain = @domain", new { domain }, ct);

    public async Task<bool> AddIfAbsentAsync(string domain, string selector, string privateKeySealed, DateTimeOffset at, CancellationToken ct = default) =>
        await db.ExecuteAsync("INSERT INTO dkim_keys (domain, selector, private_key_sealed, created_at) VALUES (@domain, @selector, @privateKeySealed, @at) " +
                              "ON CONFLICT (domain) DO NOTHING", new { domain, selector, privateKeySealed, at = Time.Ms(at) }, ct) == 1;
}
