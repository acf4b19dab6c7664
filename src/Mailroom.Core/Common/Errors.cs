namespace Mailroom.Core.Common;

/// <summary>The few kinds of refusal the core raises; each dialect maps a kind to its own status code and error body.</summary>
public enum ErrorKind
{
    /// <summary>A field is missing or malformed.</summary>
    Invalid,
    /// <summary>The thing named does not exist in the caller's organization.</summary>
    NotFound,
    /// <summary>The request clashes with what exists (a taken address, a domain in use).</summary>
    Conflict,
    /// <summary>An organization limit (inboxes, domains, identities) would be passed.</summary>
    LimitReached,
    /// <summary>A policy of the organization or the inbox refused it.</summary>
    Refused,
    /// <summary>The thing exists but is not active (a suspended inbox).</summary>
    NotActive,
    /// <summary>A service Mailroom depends on (an SMS carrier) failed or is not configured.</summary>
    Unavailable,
}

/// <summary>
/// A refusal the caller can fix: a kind, the canonical field it is about (the core model's name in snake_case, or
/// null when it is about the request as a whole) and a detail in plain words. Dialects render it; the exception's
/// <see cref="Exception.Message"/> is for logs.
/// </summary>
public abstract class MailroomException(ErrorKind kind, string? field, string detail, string? code = null)
    : Exception(field is null ? detail : $"{field}: {detail}")
{
    public ErrorKind Kind { get; } = kind;
    public string? Field { get; } = field;
    public string Detail { get; } = detail;
    /// <summary>A stable name for the reason, where a dialect needs to tell reasons apart (see <see cref="ErrorCodes"/>).</summary>
    public string? Code { get; } = code;
}

public sealed class ValidationException(string field, string reason, string? code = null) : MailroomException(ErrorKind.Invalid, field, reason, code);

/// <summary>Not found; <see cref="MailroomException.Detail"/> reads "<c>inbox not found</c>".</summary>
public sealed class NotFoundException(string what) : MailroomException(ErrorKind.NotFound, null, $"{what} not found")
{
    /// <summary>What was looked for: <c>inbox</c>, <c>message</c> ...</summary>
    public string What { get; } = what;
}

public sealed class ConflictException(string field, string detail, string? code = null) : MailroomException(ErrorKind.Conflict, field, detail, code);

public sealed class LimitReachedException(string field, string detail) : MailroomException(ErrorKind.LimitReached, field, detail);

/// <summary>A service Mailroom relies on failed (<see cref="ErrorCodes.UpstreamFailed"/>) or is not set up (<see cref="ErrorCodes.NotConfigured"/>).</summary>
public sealed class UnavailableException(string field, string detail, string code) : MailroomException(ErrorKind.Unavailable, field, detail, code);
/// <summary>An operation refused for now because it ran too often; it may be tried again after <see cref="RetryAfter"/>.</summary>
public sealed class TooManyException(string field, string detail, TimeSpan retryAfter) : MailroomException(ErrorKind.Refused, field, detail, ErrorCodes.RateLimited)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>The thing exists but is not active (a disabled identity asked to send).</summary>
public sealed class NotActiveException(string field, string detail, string? code = null) : MailroomException(ErrorKind.NotActive, field, detail, code);

/// <summary>A signed link that is altered, expired or already used: refused, whoever follows it.</summary>
public sealed class LinkRefusedException(string field, string detail) : MailroomException(ErrorKind.Refused, field, detail);

/// <summary>Reasons dialects tell apart by more than kind and field.</summary>
public static class ErrorCodes
{
    /// <summary>A domain was named that the organization has not added.</summary>
    public const string DomainNotInOrganization = "domain_not_in_organization";
    /// <summary>Deleting the key would leave the organization without a full-access key: a conflict with its state, not a duplicate.</summary>
    public const string LastFullAccessKey = "last_full_access_key";
    /// <summary>The outside service answered with an error or could not be reached; the detail is its message.</summary>
    public const string UpstreamFailed = "upstream_failed";
    /// <summary>The operator has not configured the service; the detail names the settings.</summary>
    public const string NotConfigured = "not_configured";
    /// <summary>The API key is limited to scopes that do not cover the operation.</summary>
    public const string ScopeMissing = "scope_missing";
    /// <summary>A draft was approved or sent after newer mail reached its thread.</summary>
    public const string StaleDraft = "stale_draft";
    /// <summary>A draft is no longer in a state that allows the operation (already decided, sent ...).</summary>
    public const string DraftDecided = "draft_decided";
    /// <summary>An identity that is disabled (or deleted) was asked to send.</summary>
    public const string IdentityNotActive = "identity_not_active";
    /// <summary>Too many of an operation in its window; the exception says when to retry.</summary>
    public const string RateLimited = "rate_limited";
}
