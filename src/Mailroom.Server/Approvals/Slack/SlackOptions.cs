namespace Mailroom.Server.Approvals.Slack;

/// <summary>The <c>Mailroom:Slack</c> section (docs/configuration.md, docs/approvals.md).</summary>
public sealed class SlackOptions
{
    public const string Section = "Mailroom:Slack";

    /// <summary>The Web API base (<c>auth.test</c>, <c>chat.postMessage</c>, <c>chat.update</c>).</summary>
    public string ApiBaseUrl { get; set; } = "https://slack.com/api";

    /// <summary>How long a card's buttons act.</summary>
    public TimeSpan ButtonLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How far a signed request's <c>X-Slack-Request-Timestamp</c> may be from now (Slack's own advice: 5 minutes).</summary>
    public TimeSpan SignatureWindow { get; set; } = TimeSpan.FromMinutes(5);

    public void Validate()
    {
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"Mailroom:Slack:ApiBaseUrl '{ApiBaseUrl}' is not an http(s) URL");
    }
}
