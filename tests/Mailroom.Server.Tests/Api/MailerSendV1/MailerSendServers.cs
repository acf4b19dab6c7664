using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Api.MailerSendV1;

/// <summary>
/// One server per database provider for a test class, relaying all outbound mail to one independent SMTP receiver
/// (aiosmtpd), with at most two resends per identity. Tests use addresses of their own, so they read only their mail.
/// </summary>
public sealed partial class MailerSendServers : IAsyncDisposable
{
    public const int MaxResends = 2;

    private readonly Dictionary<string, Task<MailroomTestServer>> _servers = [];
    private readonly Lock _gate = new();
    private Task<SmtpSink>? _sink;

    public Task<SmtpSink> Sink()
    {
        lock (_gate) return _sink ??= SmtpSink.StartAsync();
    }

    public Task<MailroomTestServer> For(string provider)
    {
        lock (_gate)
        {
            if (!_servers.TryGetValue(provider, out var server)) _servers[provider] = server = StartAsync(provider);
            return server;
        }
    }

    private async Task<MailroomTestServer> StartAsync(string provider)
    {
        var sink = await Sink();
        return await MailroomTestServer.StartAsync(provider,
            [.. MailroomTestServer.RelayTo(sink.Port), "--Mailroom:Webhooks:AllowPrivateTargets=true",
            $"--Mailroom:SenderIdentities:MaxResends={MaxResends}"]);
    }

    /// <summary>The messages the receiver got for <paramref name="recipient"/>, waiting until there are <paramref name="count"/>.</summary>
    public async Task<IReadOnlyList<string>> MailForAsync(string recipient, int count = 1)
    {
        var sink = await Sink();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<string> found;
        do
        {
            found = [];
            foreach (var file in Directory.GetFiles(sink.Folder, "*.eml").Order())
            {
                var text = await File.ReadAllTextAsync(file);
                var envelopeTo = text[..text.IndexOf("\r\n", text.IndexOf("X-Envelope-To:", StringComparison.Ordinal), StringComparison.Ordinal)];
                if (envelopeTo.Split(':', ',', ' ').Contains(recipient, StringComparer.OrdinalIgnoreCase)) found.Add(text);
            }
            if (found.Count >= count) return found;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        return found;
    }

    /// <summary>The confirmation link of a mail (quoted-printable soft breaks undone), relative to the server.</summary>
    public static string ConfirmationPath(string mail)
    {
        var text = mail.Replace("=\r\n", "").Replace("=3D", "=");
        var match = ConfirmationLink().Match(text);
        Assert.True(match.Success, "no confirmation link in:\n" + mail);
        return new Uri(match.Value).PathAndQuery;
    }

    [GeneratedRegex(@"https?://[^\s]+/confirm/sender-identity\?token=[A-Za-z0-9._%-]+")]
    private static partial Regex ConfirmationLink();

    /// <summary>Posts the confirmation page's form, as a person's browser does.</summary>
    public static async Task<(HttpStatusCode Status, string Html)> PostConfirmationAsync(MailroomTestServer server, string path)
    {
        using var client = server.Client();
        var token = Uri.UnescapeDataString(path[(path.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        using var response = await client.PostAsync("confirm/sender-identity", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A domain of the organization (pending: no DNS answers in tests); its v0 id is its name.</summary>
    public static async Task<string> AddDomainAsync(ApiClient api, string? name = null)
    {
        name ??= $"d{Guid.NewGuid():N}"[..12] + ".example";
        var (status, body) = await api.PostAsync("/api/v0/domains", new { domain = name });
        Assert.True(status == 201, $"adding {name}: {status} {ApiClient.Json(body)}");
        return name;
    }

    public static string NewAddress(string local = "sender") => $"{local}-{Guid.NewGuid():N}"[..(local.Length + 9)] + "@people.example";

    public static async Task<JsonNode> CreateIdentityAsync(ApiClient api, string domainId, string email, string name = "Pedro Doe", object? more = null)
    {
        var body = new JsonObject { ["domain_id"] = domainId, ["email"] = email, ["name"] = name };
        if (more is not null)
            foreach (var (key, value) in JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(more))!.AsObject().ToList())
                body[key] = value?.DeepClone();
        var (status, created) = await api.PostAsync("/mailersend/v1/identities", body.ToJsonString());
        Assert.True(status == 201, $"creating {email}: {status} {ApiClient.Json(created)}");
        return created!["data"]!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values) await (await server).DisposeAsync();
        if (_sink is not null) (await _sink).Dispose();
    }
}
