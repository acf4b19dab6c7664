namespace Mailroom.Server.Approvals.Telegram;

/// <summary>The <c>Mailroom:Telegram</c> section (docs/configuration.md, docs/approvals.md).</summary>
public sealed class TelegramOptions
{
    public const string Section = "Mailroom:Telegram";

    /// <summary><c>webhook</c> or <c>polling</c>; unset: webhook when <c>Mailroom:PublicUrl</c> is https (Telegram calls only https webhooks), polling otherwise.</summary>
    public string? Mode { get; set; }

    /// <summary>The Bot API server: Telegram's, or a self-hosted <c>telegram-bot-api</c>.</summary>
    public string ApiBaseUrl { get; set; } = "https://api.telegram.org";

    /// <summary>How long one <c>getUpdates</c> call waits for updates in polling mode.</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How long a card's buttons act.</summary>
    public TimeSpan ButtonLifetime { get; set; } = TimeSpan.FromDays(7);

    public void Validate()
    {
        if (Mode is { Length: > 0 } mode && mode is not ("webhook" or "polling"))
            throw new InvalidOperationException($"Mailroom:Telegram:Mode '{mode}' is not webhook or polling");
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"Mailroom:Telegram:ApiBaseUrl '{ApiBaseUrl}' is not an http(s) URL");
        if (PollTimeout < TimeSpan.Zero || PollTimeout > TimeSpan.FromMinutes(5))
            throw new InvalidOperationException("Mailroom:Telegram:PollTimeout must be between 0 and 5 minutes");
    }
}
