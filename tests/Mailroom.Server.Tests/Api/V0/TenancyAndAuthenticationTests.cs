using System.Net.Http.Headers;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V0;

/// <summary>Every route: no key or a bad key is 401; another organization's id is 404 and changes nothing.</summary>
public sealed class TenancyAndAuthenticationTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    public static TheoryData<string, string> Routes() => new()
    {
        { "GET", "/api/v0/organizations" },
        { "POST", "/api/v0/inboxes" }, { "GET", "/api/v0/inboxes" }, { "GET", "/api/v0/inboxes/inb_x" },
        { "PATCH", "/api/v0/inboxes/inb_x" }, { "DELETE", "/api/v0/inboxes/inb_x" },
        { "POST", "/api/v0/domains" }, { "GET", "/api/v0/domains" }, { "GET", "/api/v0/domains/x.example" },
        { "DELETE", "/api/v0/domains/x.example" },
        { "POST", "/api/v0/webhooks" }, { "GET", "/api/v0/webhooks" }, { "GET", "/api/v0/webhooks/wh_x" },
        { "PATCH", "/api/v0/webhooks/wh_x" }, { "DELETE", "/api/v0/webhooks/wh_x" },
        { "POST", "/api/v0/api-keys" }, { "GET", "/api/v0/api-keys" }, { "DELETE", "/api/v0/api-keys/key_x" },
    };

    [Theory, MemberData(nameof(Routes))]
    public async Task Every_route_needs_a_valid_bearer_key(string method, string path)
    {
        var server = await servers.For("sqlite");
        foreach (var authorization in new AuthenticationHeaderValue?[]
                 {
                     null, new("Bearer", "inai_wrong_key"), new("Basic", "dXNlcjpwYXNz"), new("Bearer", "not-even-our-format"),
                 })
        {
            using var client = server.Client();
            using var request = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'));
            request.Headers.Authorization = authorization;
            if (method is "POST" or "PATCH") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(request);
            Assert.Equal(401, (int)response.StatusCode);
            Assert.Contains("UnauthorizedError", await response.Content.ReadAsStringAsync());
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Another_organizations_resources_are_404_on_every_route(string provider)
    {
        var server = await servers.For(provider);
        var owner = await server.NewOrganizationAsync();
        var other = await server.NewOrganizationAsync();
        var inboxId = (string)(await owner.CreateInboxAsync("mine-" + Guid.NewGuid().ToString("N")[..6]))["inbox_id"]!;
        var domain = $"d{Guid.NewGuid():N}"[..14] + ".example";
        await owner.PostAsync("/api/v0/domains", new { domain });
        var webhookId = (string)(await owner.PostAsync("/api/v0/webhooks", new { url = "https://93.184.216.34/", event_types = new[] { "message.received" } })).Body!["webhook_id"]!;
        var keyId = (string)(await owner.PostAsync("/api/v0/api-keys", new { name = "second" })).Body!["key_id"]!;

        (string Method, string Path, object? Body)[] attempts =
        [
            ("GET", $"/api/v0/inboxes/{inboxId}", null),
            ("PATCH", $"/api/v0/inboxes/{inboxId}", new { display_name = "stolen" }),
            ("DELETE", $"/api/v0/inboxes/{inboxId}", null),
            ("GET", $"/api/v0/domains/{domain}", null),
            ("DELETE", $"/api/v0/domains/{domain}", null),
            ("GET", $"/api/v0/webhooks/{webhookId}", null),
            ("PATCH", $"/api/v0/webhooks/{webhookId}", new { enabled = false }),
            ("DELETE", $"/api/v0/webhooks/{webhookId}", null),
            ("DELETE", $"/api/v0/api-keys/{keyId}", null),
        ];
        foreach (var (method, path, body) in attempts)
        {
            var (status, error) = await other.SendAsync(new HttpMethod(method), path, body);
            Assert.True(status == 404, $"{method} {path} answered {status}");
            Assert.Equal("NotFoundError", (string)error!["name"]!);
        }

        // Nothing changed for the owner, and the other org's lists are empty.
        var inbox = await owner.GetAsync($"/api/v0/inboxes/{inboxId}");
        Assert.Null(inbox.Body!["display_name"]);
        Assert.True((bool)(await owner.GetAsync($"/api/v0/webhooks/{webhookId}")).Body!["enabled"]!);
        Assert.Equal(200, (await owner.GetAsync($"/api/v0/domains/{domain}")).Status);
        Assert.Equal(2, (int)(await owner.GetAsync("/api/v0/api-keys")).Body!["total"]!);
        foreach (var list in new[] { "/api/v0/inboxes", "/api/v0/domains", "/api/v0/webhooks" })
            Assert.Equal(0, (int)(await other.GetAsync(list)).Body!["total"]!);
    }
}
