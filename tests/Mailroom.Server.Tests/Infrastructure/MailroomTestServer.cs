using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Organizations;
using Mailroom.Server.Dialects.Shared;
using Mailroom.Server.Hosting;
using Mailroom.Tests.Shared;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>The whole server on a free loopback port, with its own database, reached over real HTTP.</summary>
public sealed class MailroomTestServer : IAsyncDisposable
{
    private readonly TestDatabase _database;
    private readonly WebApplication _app;
    private readonly bool _ownsDatabase;

    private MailroomTestServer(TestDatabase database, WebApplication app, Uri address, bool ownsDatabase = true)
    {
        _database = database;
        _app = app;
        Address = address;
        _ownsDatabase = ownsDatabase;
    }

    public Uri Address { get; }

    /// <summary>Where the SMTP listener took its port.</summary>
    public System.Net.IPEndPoint SmtpEndPoint => Services.GetRequiredService<Mailroom.Server.Mail.Inbound.SmtpListener>().LocalEndPoint!;
    public IServiceProvider Services => _app.Services;
    public TestDatabase Database => _database;

    /// <summary>The settings that send outbound mail through a plain SMTP relay on 127.0.0.1 (a test's sink).</summary>
    public static string[] RelayTo(int port) =>
        ["--Mailroom:Outbound:Mode=relay", "--Mailroom:Outbound:Relay:Host=127.0.0.1", $"--Mailroom:Outbound:Relay:Port={port}", "--Mailroom:Outbound:Relay:Tls=none"];

    public static Task<MailroomTestServer> StartAsync(string provider, params string[] configuration) => StartAsync(provider, null, configuration);

    public static Task<MailroomTestServer> StartAsync(string provider, Action<IServiceCollection>? replaceServices, params string[] configuration) =>
        StartAsync(provider, replaceServices, null, configuration);

    /// <summary>The server with <paramref name="moreDialects"/> mounted after the product's own.</summary>
    public static Task<MailroomTestServer> StartWithDialectsAsync(string provider, IReadOnlyList<IApiDialect> moreDialects,
        params string[] configuration) => StartAsync(provider, null, moreDialects, configuration);

    /// <summary>A server on a database the caller owns (and disposes): a second server on it is a restart of the first.</summary>
    public static Task<MailroomTestServer> StartOnAsync(TestDatabase database, Action<IServiceCollection>? replaceServices, params string[] configuration) =>
        StartAsync(database, ownsDatabase: false, replaceServices, null, configuration);

    private static async Task<MailroomTestServer> StartAsync(string provider, Action<IServiceCollection>? replaceServices,
        IReadOnlyList<IApiDialect>? moreDialects, string[] configuration) =>
        await StartAsync(await TestDatabase.CreateAsync(provider), ownsDatabase: true, replaceServices, moreDialects, configuration);

    private static async Task<MailroomTestServer> StartAsync(TestDatabase database, bool ownsDatabase, Action<IServiceCollection>? replaceServices,
        IReadOnlyList<IApiDialect>? moreDialects, string[] configuration)
    {
        // Tests never ask the machine's resolvers: DNS goes to a dead loopback port unless a test names a server,
        // and the background domain re-check is off unless a test turns it on.
        string[] args =
        [
            "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--Mailroom:Dns:Servers=127.0.0.1:9",
            "--Mailroom:DomainRecheckInterval=00:00:00", "--Mailroom:Smtp:Listen=127.0.0.1:0", .. database.HostArguments(), .. configuration,
        ];
        var app = MailroomApp.Build(args, replaceServices, moreDialects);
        await app.PrepareToServeAsync();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MailroomTestServer(database, app, new Uri(address), ownsDatabase);
    }

    /// <summary>A new organization and a client that presents its first key.</summary>
    public async Task<ApiClient> NewOrganizationAsync(string name = "Test Org")
    {
        var (organization, key) = await Services.GetRequiredService<OrganizationService>().CreateAsync(name);
        return new ApiClient(Client(key.Token), organization.Id, key.Token);
    }

    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDatabase) await _database.DisposeAsync();
    }
}

/// <summary>An organization's view of the API: JSON in, status and JSON out.</summary>
public sealed record ApiClient(HttpClient Http, string OrgId, string Token)
{
    public async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is string raw) request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public Task<(int Status, JsonNode? Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);
    public Task<(int Status, JsonNode? Body)> PostAsync(string path, object? body) => SendAsync(HttpMethod.Post, path, body);
    public Task<(int Status, JsonNode? Body)> PatchAsync(string path, object? body) => SendAsync(HttpMethod.Patch, path, body);
    public Task<(int Status, JsonNode? Body)> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    public async Task<JsonNode> CreateInboxAsync(string username, string? domain = null)
    {
        var (status, body) = await PostAsync("/api/v0/inboxes", new { username, domain });
        Assert.True(status == 201, $"creating inbox {username}: {status} {body?.ToJsonString()}");
        return body!;
    }

    public static string Json(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) ?? "null";
}
