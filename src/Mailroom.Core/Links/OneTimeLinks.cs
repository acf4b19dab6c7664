using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mailroom.Core.Common;
using Mailroom.Core.Security;

namespace Mailroom.Core.Links;

/// <summary>
/// What a link in a mail lets its holder do once: <see cref="Action"/> (<c>approve</c>, <c>confirm</c> ...) on
/// <see cref="SubjectId"/> (a draft, a sender identity), for the use named by <see cref="Purpose"/>.
/// </summary>
public sealed record OneTimeLink
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Purpose { get; init; }
    public required string SubjectId { get; init; }
    public required string Action { get; init; }
    /// <summary>Links issued together; using one voids the others.</summary>
    public required string GroupId { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? UsedAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

public interface IOneTimeLinkRepository
{
    Task CreateAsync(OneTimeLink link, CancellationToken ct = default);
    Task<OneTimeLink?> GetAsync(string id, CancellationToken ct = default);
    /// <summary>Marks every unused link of the group used at <paramref name="at"/>, the one named first; false when it was already used.</summary>
    Task<bool> UseAsync(string id, string groupId, DateTimeOffset at, CancellationToken ct = default);
    /// <summary>Marks every unused link of the group used, so none of them acts any more (a decision taken elsewhere).</summary>
    Task VoidGroupAsync(string groupId, DateTimeOffset at, CancellationToken ct = default);
}

/// <summary>
/// Signed, expiring, single-use tokens for links in mail. A token is <c>{id}.{expires}.{signature}</c>, 56 characters
/// (short enough for a Telegram button's 64-byte callback data): the signature (HMAC-SHA256 truncated to 128 bits,
/// under a key derived from the master key, over purpose, id and expiry) rejects forged and altered
/// tokens without a read, and the <c>one_time_links</c> row makes each usable once. Showing a confirmation page
/// (<see cref="FindUsableAsync"/>) never uses a link: mail scanners fetch links, so only <see cref="UseAsync"/>, from a
/// POST, acts.
/// </summary>
public sealed class OneTimeLinks(SecretBox secrets, IOneTimeLinkRepository links, TimeProvider time)
{
    private readonly byte[] _key = secrets.DeriveKey("mailroom one-time links v1");

    /// <summary>Issues one token per action, all in one group: the first used voids the rest. Call inside the transaction that creates the subject.</summary>
    public async Task<IReadOnlyDictionary<string, string>> IssueAsync(string orgId, string purpose, string subjectId,
        IReadOnlyList<string> actions, TimeSpan lifetime, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var expires = DateTimeOffset.FromUnixTimeSeconds((now + lifetime).ToUnixTimeSeconds());
        var groupId = NewId();
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            var id = NewId();
            await links.CreateAsync(new OneTimeLink
            {
                Id = id, OrgId = orgId, Purpose = purpose, SubjectId = subjectId, Action = action, GroupId = groupId,
                ExpiresAt = expires, CreatedAt = now,
            }, ct);
            tokens[action] = Token(purpose, id, expires.ToUnixTimeSeconds());
        }
        return tokens;
    }

    /// <summary>The link a token names when it is genuine, unexpired and unused; null otherwise. Changes nothing.</summary>
    public async Task<OneTimeLink?> FindUsableAsync(string token, string purpose, CancellationToken ct = default)
    {
        if (!TryRead(token, purpose, out var id)) return null;
        var link = await links.GetAsync(id, ct);
        return link is null || link.Purpose != purpose || link.UsedAt is not null || link.ExpiresAt <= time.GetUtcNow() ? null : link;
    }

    /// <summary>Uses the link (and voids its group) or refuses: forged, expired, already used or voided. Call inside the transaction that acts.</summary>
    public async Task<OneTimeLink> UseAsync(string token, string purpose, CancellationToken ct = default)
    {
        var link = await FindUsableAsync(token, purpose, ct) ?? throw Refused();
        if (!await links.UseAsync(link.Id, link.GroupId, time.GetUtcNow(), ct)) throw Refused();
        return link;
    }

    /// <summary>Voids every link issued for a subject's group: a decision was taken elsewhere.</summary>
    public Task VoidGroupAsync(string groupId, CancellationToken ct = default) => links.VoidGroupAsync(groupId, time.GetUtcNow(), ct);

    private static LinkRefusedException Refused() => new("token", "this link is invalid, has expired or has already been used");

    private string Token(string purpose, string id, long expires) => $"{id}.{expires.ToString(CultureInfo.InvariantCulture)}.{Sign(purpose, id, expires)}";

    private bool TryRead(string token, string purpose, out string id)
    {
        id = "";
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0].Length is 0 or > 64) return false;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)) return false;
        if (expires <= time.GetUtcNow().ToUnixTimeSeconds()) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(purpose, parts[0], expires));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[2]))) return false;
        id = parts[0];
        return true;
    }

    private string Sign(string purpose, string id, long expires) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{purpose}\n{id}\n{expires.ToString(CultureInfo.InvariantCulture)}"))[..16]);

    private static string NewId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}
