using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Mailroom.Server.Hosting;

namespace Mailroom.Server.Pages;

/// <summary>
/// Absolute URLs people and outside services are handed (links in approval and confirmation mail, webhook
/// registrations), built on <c>Mailroom:PublicUrl</c>. Without it they fall back to the address HTTP listens on, which
/// is right for one machine and tests; a server reached through a proxy or by a carrier must set it.
/// </summary>
public sealed class PublicLinks(MailroomOptions options, IServer server)
{
    public string Absolute(string pathAndQuery) => Origin() + pathAndQuery;

    /// <summary>Whether links are https, which outside services (Telegram's setWebhook) require.</summary>
    public bool IsHttps => Origin().StartsWith("https://", StringComparison.Ordinal);

    public string Origin()
    {
        if (!string.IsNullOrEmpty(options.PublicUrl)) return options.PublicUrl.TrimEnd('/');
        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Mailroom:PublicUrl is not set and HTTP is not listening yet");
        // A wildcard listen address is no place to send a person: name the loopback instead.
        return listening.Replace("://0.0.0.0", "://127.0.0.1").Replace("://[::]", "://127.0.0.1").Replace("://+", "://127.0.0.1").TrimEnd('/');
    }
}
