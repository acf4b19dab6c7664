using Mailroom.Core.Common;
using Mailroom.Core.Security;

namespace Mailroom.Core.Approvals;

/// <summary>A channel row: its id and its settings, opened from their sealed form.</summary>
public sealed record StoredChannel(string Id, string OrgId, ApprovalChannelConfig Config);

/// <summary>The <c>channels</c> table: settings are stored sealed, as one opaque text.</summary>
public interface IChannelRepository
{
    Task CreateAsync(string id, string orgId, string type, string configSealed, DateTimeOffset at, CancellationToken ct = default);
    Task<(string Type, string ConfigSealed)?> GetAsync(string orgId, string id, CancellationToken ct = default);
    Task DeleteAsync(string orgId, string id, CancellationToken ct = default);
}

/// <summary>
/// Approval channels as identities hold them: checked and prepared by their <see cref="IApprovalChannel"/>, stored with
/// their whole config sealed (secrets included), and shown with the channel's secret keys masked.
/// </summary>
public sealed class ApprovalChannelStore(IChannelRepository rows, SecretBox secrets, IEnumerable<IApprovalChannel> channels, TimeProvider time)
{
    private const string Purpose = "channel.config";
    private readonly Dictionary<string, IApprovalChannel> _byType = channels.ToDictionary(c => c.Type, StringComparer.Ordinal);

    public IApprovalChannel? ChannelFor(string type) => _byType.GetValueOrDefault(type);

    /// <summary>Checks the type, then lets the channel check and prepare its settings (outside any transaction: it may call out).</summary>
    public async Task<ApprovalChannelConfig> PrepareAsync(string orgId, string field, ApprovalChannelConfig config, CancellationToken ct)
    {
        var channel = ChannelFor(config.Type)
            ?? throw new ValidationException(field + ".type", $"must be one of {string.Join(", ", _byType.Keys.Order(StringComparer.Ordinal))}");
        foreach (var (key, value) in config.Values)
        {
            Check.Line($"{field}.config.{key}", key, 64);
            Check.Line($"{field}.config.{key}", value, 2048);
        }
        return await channel.PrepareAsync(orgId, config, ct);
    }

    /// <summary>Stores prepared settings; call inside the transaction that points an identity at them.</summary>
    public async Task<string> CreateAsync(string orgId, ApprovalChannelConfig config, CancellationToken ct)
    {
        var id = Ids.New(Ids.Channel, time);
        var sealedConfig = secrets.Seal(StoredJson.Write(new SealedConfig(config.Type, config.Values.ToDictionary())), Purpose);
        await rows.CreateAsync(id, orgId, config.Type, sealedConfig, time.GetUtcNow(), ct);
        return id;
    }

    public async Task<StoredChannel?> GetAsync(string orgId, string? id, CancellationToken ct)
    {
        if (id is null || await rows.GetAsync(orgId, id, ct) is not { } row) return null;
        var config = StoredJson.Read<SealedConfig?>(secrets.OpenString(row.ConfigSealed, Purpose), null)
                     ?? throw new InvalidOperationException($"channel {id} holds no settings");
        return new StoredChannel(id, orgId, new ApprovalChannelConfig(config.Type, config.Values));
    }

    public Task DeleteAsync(string orgId, string? id, CancellationToken ct) => id is null ? Task.CompletedTask : rows.DeleteAsync(orgId, id, ct);

    /// <summary>The settings as an API may show them: every secret value masked, never whole.</summary>
    public IReadOnlyDictionary<string, string> Masked(ApprovalChannelConfig config)
    {
        var secretKeys = ChannelFor(config.Type)?.SecretKeys ?? new HashSet<string>();
        return config.Values.ToDictionary(p => p.Key, p => secretKeys.Contains(p.Key) ? Mask(p.Value) : p.Value);
    }

    /// <summary>Long secrets keep their last four characters so that a person can tell which one is set; short ones show nothing.</summary>
    public static string Mask(string value) => value.Length >= 16 ? "••••" + value[^4..] : "••••";

    private sealed record SealedConfig(string Type, Dictionary<string, string> Values);
}
