namespace Mailroom.Core.Domains;

/// <summary>A sending and receiving domain of one organization, with the DNS records it must publish.</summary>
public sealed class Domain
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    /// <summary>Lower-case domain name, unique across organizations (v0 spells it <c>domain_id</c>; other dialects use <see cref="Id"/>).</summary>
    public required string Name { get; init; }
    public string Status { get; set; } = DomainStatus.Pending;
    public bool FeedbackEnabled { get; set; } = true;
    public required string DkimSelector { get; init; }
    /// <summary>Base64 SubjectPublicKeyInfo, as published in the DKIM record's <c>p=</c>.</summary>
    public required string DkimPublicKey { get; init; }
    /// <summary>PKCS#8 private key sealed by <see cref="Security.SecretBox"/>.</summary>
    public required string DkimPrivateKeySealed { get; init; }
    public List<DomainRecord> Records { get; set; } = [];
    public DateTimeOffset? VerifiedAt { get; set; }
    public DateTimeOffset? LastCheckedAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class DomainStatus
{
    public const string Pending = "PENDING";
    public const string Verified = "VERIFIED";
    public const string Failed = "FAILED";
}

/// <summary>One DNS record the operator of the domain must publish, and what the last check found.</summary>
public sealed record DomainRecord(string Type, string Name, string Value, string Status, int? Priority)
{
    public DomainRecord WithStatus(string status) => this with { Status = status };
}

public static class DomainRecordStatus
{
    public const string Missing = "MISSING";
    public const string Valid = "VALID";
    public const string Invalid = "INVALID";
}

public interface IDomainRepository
{
    Task CreateAsync(Domain domain, CancellationToken ct = default);
    Task<Domain?> GetByNameAsync(string orgId, string name, CancellationToken ct = default);
    Task<Domain?> GetByIdAsync(string orgId, string id, CancellationToken ct = default);
    /// <summary>The domain of that name in any organization: names are claimed once.</summary>
    Task<Domain?> FindByNameAsync(string name, CancellationToken ct = default);
    Task<Common.Page<Domain>> ListAsync(string orgId, Common.PageRequest page, CancellationToken ct = default);
    Task UpdateAsync(Domain domain, CancellationToken ct = default);
    Task<bool> DeleteAsync(string orgId, string name, CancellationToken ct = default);
    Task<long> CountAsync(string orgId, CancellationToken ct = default);
    /// <summary>Domains of every organization last checked before <paramref name="checkedBefore"/> (or never), oldest check first.</summary>
    Task<IReadOnlyList<Domain>> ListDueForCheckAsync(DateTimeOffset checkedBefore, int limit, CancellationToken ct = default);
}
