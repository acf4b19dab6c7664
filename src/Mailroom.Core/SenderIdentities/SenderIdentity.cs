using System.Security.Cryptography;
using Mailroom.Core.Common;

namespace Mailroom.Core.SenderIdentities;

/// <summary>
/// An address an organization may send from once the person holding it has confirmed it by email, whatever its domain:
/// a From address, not an inbox (it receives nothing here). It belongs to one of the organization's domains, its
/// sending domain, whose key signs its mail once that domain is verified.
/// </summary>
public sealed class SenderIdentity
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string DomainId { get; set; }
    public required string Email { get; set; }
    public required string Name { get; set; }
    public string? ReplyToEmail { get; set; }
    public string? ReplyToName { get; set; }
    public bool AddNote { get; set; }
    public string? PersonalNote { get; set; }
    /// <summary>When the holder of <see cref="Email"/> confirmed it; null while unconfirmed (a changed address starts over).</summary>
    public DateTimeOffset? VerifiedAt { get; set; }
    /// <summary>Confirmation mails sent again on request (the first one is not counted).</summary>
    public int Resends { get; set; }
    /// <summary>The one-time links of the latest confirmation mail; a new mail voids the older links.</summary>
    public string? ConfirmationGroupId { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool IsVerified => VerifiedAt is not null;

    /// <summary>Opaque short ids in the shape MailerSend's users know (<c>7nxe3yjmeq28vp0k</c>): 16 characters of [0-9a-z], 80 random bits.</summary>
    public static string NewId()
    {
        const string alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        return string.Create(16, 0, static (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }

    /// <summary>How addresses are compared: case-insensitively, as mail providers do in practice.</summary>
    public static string KeyOf(string email) => email.ToLowerInvariant();
}

/// <summary>The organization's domain an identity belongs to, as identities show it.</summary>
public sealed record SenderDomain(string Id, string Name, bool Verified, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A list filter: by sending domain, and <see cref="Query"/> matching the address or the name (case-insensitive, anywhere).</summary>
public sealed record SenderIdentityFilter(string? DomainId, string? Query);

public interface ISenderIdentityRepository
{
    /// <summary>Inserts the identity; false when the organization already has one with that address (checked by the unique index, so races lose).</summary>
    Task<bool> CreateAsync(SenderIdentity identity, CancellationToken ct = default);
    /// <summary>
    /// Counts one more resend of an unverified identity that has had fewer than <paramref name="max"/>, in one
    /// statement that holds the row until the caller's transaction ends; false when it is verified, gone or at the limit.
    /// </summary>
    Task<bool> CountResendAsync(string orgId, string id, int max, CancellationToken ct = default);
    Task<SenderIdentity?> GetAsync(string orgId, string id, CancellationToken ct = default);
    Task<SenderIdentity?> FindByEmailAsync(string orgId, string email, CancellationToken ct = default);
    /// <summary>Oldest first, so that pages stay put while identities are added.</summary>
    Task<Page<SenderIdentity>> ListAsync(string orgId, SenderIdentityFilter filter, PageRequest page, CancellationToken ct = default);
    Task UpdateAsync(SenderIdentity identity, CancellationToken ct = default);
    Task<bool> DeleteAsync(string orgId, string id, CancellationToken ct = default);
    /// <summary>
    /// One of the organization's domains by its id or its name (the name is the domain's id in the v0 API, where
    /// domains are added); null for an unknown domain or another organization's.
    /// </summary>
    Task<SenderDomain?> GetDomainAsync(string orgId, string domainId, CancellationToken ct = default);
    /// <summary>The organization's domain of that name; null when it has none.</summary>
    Task<SenderDomain?> FindDomainByNameAsync(string orgId, string name, CancellationToken ct = default);
}
