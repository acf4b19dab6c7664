namespace Mailroom.Server.Hosting;

/// <summary>The <c>Mailroom</c> configuration section (see docs/configuration.md).</summary>
public sealed class MailroomOptions
{
    public const string Section = "Mailroom";

    public string DataDir { get; set; } = "data";
    /// <summary>
    /// This node's name in work-queue leases; unique per node, stable across restarts. When set, a restarted node takes
    /// back what its previous process held at once; when unset (the machine name is used) it waits for those leases to run out.
    /// </summary>
    public string? NodeId { get; set; }

    /// <summary>
    /// <see cref="NodeId"/>, else an id made once for this data folder (<c>{DataDir}/node-id</c>): stable across the
    /// restarts of a node, so a restarted node takes back its leases at once, and different for nodes with their own folders.
    /// </summary>
    public string ResolveNodeId() => string.IsNullOrWhiteSpace(NodeId)
        ? Core.Security.OwnerOnlyFile.ReadOrCreate(Path.Combine(DataDir, "node-id"),
            () => $"{Environment.MachineName}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}").Text
        : NodeId;

    public DatabaseOptions Database { get; set; } = new();
    public string DefaultDomain { get; set; } = "mailroom.local";
    /// <summary>Host name in the SMTP greeting and the MX record given to custom domains.</summary>
    public string? MailHost { get; set; }
    /// <summary>Defaults to <c>{DataDir}/master.key</c>.</summary>
    public string? MasterKeyFile { get; set; }
    /// <summary>The base URL people and callbacks reach the server at; links Mailroom hands out are built on it when set.</summary>
    public string? PublicUrl { get; set; }
    /// <summary>One log line per HTTP request (query strings redacted); off by default.</summary>
    public bool LogRequests { get; set; }
    public LimitOptions Limits { get; set; } = new();
    public RateLimitOptions RateLimit { get; set; } = new();
    public ApiOptions Api { get; set; } = new();
    public SenderIdentityOptions SenderIdentities { get; set; } = new();

    /// <summary>How often each domain's DNS records are checked again in the background; zero turns it off.</summary>
    public TimeSpan DomainRecheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a pre-signed attachment download URL works.</summary>
    public TimeSpan AttachmentLinkLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How work-queue rows are leased to the process working on them.</summary>
    public LeaseOptions Leases { get; set; } = new();

    public string MasterKeyPath => MasterKeyFile ?? Path.Combine(DataDir, "master.key");
}

/// <summary>
/// A lease lasts <see cref="Duration"/> and is renewed every third of it while its work runs, so the rows a dead node
/// held are taken over by another within <see cref="Duration"/> (plus a poll) after its last renewal.
/// </summary>
public sealed class LeaseOptions
{
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan RenewEvery => Duration / 3;
}

public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";
    /// <summary>For PostgreSQL an Npgsql connection string; for SQLite optional (defaults to <c>{DataDir}/mailroom.db</c>).</summary>
    public string? ConnectionString { get; set; }
}

public sealed class LimitOptions
{
    public int InboxesPerOrganization { get; set; } = 50;
    public int DomainsPerOrganization { get; set; } = 10;
    public int PhoneNumbersPerOrganization { get; set; } = 5;
    /// <summary>Identities an organization may create through the identities API (its 402 <c>plan_limit_reached</c>).</summary>
    public int IdentitiesPerOrganization { get; set; } = 10;
}

/// <summary>The largest request bodies the server reads; a body over its route's cap is answered 413.</summary>
public sealed class ApiOptions
{
    /// <summary>Every route but those that carry mail: inboxes, labels, webhooks, keys ... are a few hundred bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// send, reply, reply-all and forward, whose attachments travel in the body as base64; when unset, the base64
    /// size of <c>Mailroom:Outbound:MaxAttachmentBytes</c> plus room for text and html.
    /// </summary>
    public long? MaxMailRequestBodyBytes { get; set; }
}

/// <summary>A token bucket per API key.</summary>
public sealed class RateLimitOptions
{
    public int RequestsPerSecond { get; set; } = 20;
    public int Burst { get; set; } = 100;
}
