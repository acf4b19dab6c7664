using Dapper;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V0;

public sealed class WebhookApiTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Create_shows_the_secret_once_and_stores_it_sealed(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var inboxId = (string)(await api.CreateInboxAsync("hooked-" + Guid.NewGuid().ToString("N")[..6]))["inbox_id"]!;

        var (status, body) = await api.PostAsync("/api/v0/webhooks", new
        {
            url = "https://93.184.216.34/webhooks/email", event_types = new[] { "message.received", "message.sent" },
            inbox_ids = new[] { inboxId }, client_id = "my-integration",
        });

        Assert.Equal(201, status);
        var id = (string)body!["webhook_id"]!;
        Assert.StartsWith("wh_", id);
        Assert.Equal("https://93.184.216.34/webhooks/email", (string)body["url"]!);
        Assert.Equal(["message.received", "message.sent"], body["event_types"]!.AsArray().Select(e => (string)e!));
        Assert.Equal([inboxId], body["inbox_ids"]!.AsArray().Select(e => (string)e!));
        Assert.True((bool)body["enabled"]!);
        Assert.Equal("my-integration", (string)body["client_id"]!);
        var secret = (string)body["secret"]!;
        Assert.True(secret.Length >= 32);

        var got = await api.GetAsync($"/api/v0/webhooks/{id}");
        var list = await api.GetAsync("/api/v0/webhooks");
        Assert.Null(got.Body!["secret"]);
        Assert.Null(list.Body!["data"]![0]!["secret"]);
        Assert.Equal(1, (int)list.Body["total"]!);

        await using var db = server.Database.Open();
        await using var connection = await db.OpenAsync();
        var stored = await connection.ExecuteScalarAsync<string>("SELECT secret_sealed FROM webhooks WHERE id = @id", new { id });
        Assert.StartsWith("v1.", stored);
        Assert.DoesNotContain(secret, stored!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Update_changes_only_what_is_given_and_delete_removes(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        var id = (string)(await api.PostAsync("/api/v0/webhooks", new { url = "https://93.184.216.34/h", event_types = new[] { "message.received" } })).Body!["webhook_id"]!;

        var disabled = await api.PatchAsync($"/api/v0/webhooks/{id}", new { enabled = false });
        var moved = await api.PatchAsync($"/api/v0/webhooks/{id}", new { url = "https://93.184.215.14/hook", event_types = new[] { "domain.verified" } });
        var deleted = await api.DeleteAsync($"/api/v0/webhooks/{id}");

        Assert.Equal(200, disabled.Status);
        Assert.False((bool)disabled.Body!["enabled"]!);
        Assert.Equal("https://93.184.216.34/h", (string)disabled.Body["url"]!);
        Assert.Equal("https://93.184.215.14/hook", (string)moved.Body!["url"]!);
        Assert.Equal(["domain.verified"], moved.Body["event_types"]!.AsArray().Select(e => (string)e!));
        Assert.False((bool)moved.Body["enabled"]!);
        Assert.Equal(204, deleted.Status);
        Assert.Equal(404, (await api.GetAsync($"/api/v0/webhooks/{id}")).Status);
    }

    [Theory]
    [InlineData("{\"event_types\": [\"message.received\"]}", "url: is required")]
    [InlineData("{\"url\": \"ftp://x.example/\", \"event_types\": [\"message.received\"]}", "url: must be an absolute http or https URL")]
    [InlineData("{\"url\": \"/relative\", \"event_types\": [\"message.received\"]}", "url: must be an absolute http or https URL")]
    [InlineData("{\"url\": \"https://93.184.216.34/\"}", "event_types: is required")]
    [InlineData("{\"url\": \"https://93.184.216.34/\", \"event_types\": []}", "event_types: must name at least one event type")]
    [InlineData("{\"url\": \"https://93.184.216.34/\", \"event_types\": [\"message.exploded\"]}", "event_types: 'message.exploded' is not an event type")]
    [InlineData("{\"url\": \"https://93.184.216.34/\", \"event_types\": \"message.received\"}", "event_types: must be an array")]
    [InlineData("{\"url\": \"https://93.184.216.34/\", \"event_types\": [\"message.received\"], \"inbox_ids\": [\"inb_nope\"]}", "inbox_ids: inbox inb_nope was not found")]
    public async Task Invalid_webhooks_are_400(string json, string message)
    {
        var api = await (await servers.For("sqlite")).NewOrganizationAsync();
        var (status, body) = await api.PostAsync("/api/v0/webhooks", json);
        Assert.Equal(400, status);
        Assert.StartsWith(message, (string)body!["message"]!);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://192.168.0.1/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://[0:0:0:0:0:ffff:7f00:1]/hook")]
    [InlineData("http://[0:0:0:0:0:0:0:1]:8080/hook")]
    [InlineData("http://[::1%251]/hook")]
    [InlineData("http://[::127.0.0.1]/hook")]
    [InlineData("http://[::ffff:0:127.0.0.1]/hook")]
    [InlineData("http://[64:ff9b::127.0.0.1]/hook")]
    [InlineData("http://[2002:7f00:1::1]/hook")]
    [InlineData("http://[::ffff:169.254.169.254]/latest/meta-data")]
    [InlineData("http://[64:ff9b::10.0.0.1]/hook")]
    [InlineData("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook")]
    public async Task Private_and_loopback_targets_are_refused(string url)
    {
        var api = await (await servers.For("sqlite")).NewOrganizationAsync();
        var (status, body) = await api.PostAsync("/api/v0/webhooks", new { url, event_types = new[] { "message.received" } });
        Assert.Equal(400, status);
        Assert.Contains("private or reserved address", (string)body!["message"]!);
        Assert.StartsWith("url:", (string)body["message"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Another_orgs_inbox_cannot_be_a_filter(string provider)
    {
        var server = await servers.For(provider);
        var owner = await server.NewOrganizationAsync();
        var other = await server.NewOrganizationAsync();
        var inboxId = (string)(await owner.CreateInboxAsync("private-" + Guid.NewGuid().ToString("N")[..6]))["inbox_id"]!;

        var (status, _) = await other.PostAsync("/api/v0/webhooks", new { url = "https://93.184.216.34/", event_types = new[] { "message.received" }, inbox_ids = new[] { inboxId } });

        Assert.Equal(400, status);
    }
}
