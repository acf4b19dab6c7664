namespace Mailroom.Core.Webhooks;

/// <summary>Decides whether a URL given by a customer may be called from this server.</summary>
public interface IOutboundTargetPolicy
{
    /// <summary>Null when the target is allowed, else the reason it is refused.</summary>
    Task<string?> RefusalAsync(Uri target, CancellationToken ct = default);
}
