using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V0;

public sealed class InboxApiTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Create_returns_201_with_the_documented_fields_on_the_platform_domain(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();

        var (status, body) = await api.PostAsync("/api/v0/inboxes", new { username = "agent-1", display_name = "Agent One", client_id = "my-agent" });

        Assert.Equal(201, status);
        Assert.StartsWith("inb_", (string)body!["inbox_id"]!);
        Assert.Equal("agent-1@mailroom.local", (string)body["email_address"]!);
        Assert.Equal("agent-1", (string)body["username"]!);
        Assert.Equal("mailroom.local", (string)body["domain"]!);
        Assert.Equal("Agent One", (string)body["display_name"]!);
        Assert.Equal("my-agent", (string)body["client_id"]!);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", (string)body["created_at"]!);
        Assert.Equal((string)body["created_at"]!, (string)body["updated_at"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Create_with_a_client_id_is_idempotent(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();

        var first = await api.PostAsync("/api/v0/inboxes", new { username = "once", client_id = "agent-7" });
        var again = await api.PostAsync("/api/v0/inboxes", new { username = "once-more", client_id = "agent-7" });
        var list = await api.GetAsync("/api/v0/inboxes");

        Assert.Equal(201, first.Status);
        Assert.Equal(200, again.Status);
        Assert.Equal((string)first.Body!["inbox_id"]!, (string)again.Body!["inbox_id"]!);
        Assert.Equal(1, (int)list.Body!["total"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_taken_address_is_409_even_in_another_case_or_org(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var other = await server.NewOrganizationAsync();
        var name = "taken" + Guid.NewGuid().ToString("N")[..6];
        await api.CreateInboxAsync(name);

        var same = await api.PostAsync("/api/v0/inboxes", new { username = name });
        var upper = await other.PostAsync("/api/v0/inboxes", new { username = name.ToUpperInvariant() });

        Assert.Equal(409, same.Status);
        Assert.Equal("AlreadyExistsError", (string)same.Body!["name"]!);
        Assert.Contains("username", (string)same.Body["message"]!);
        Assert.Equal(409, upper.Status);
    }

    [Theory]
    [InlineData("{}", "username: is required")]
    [InlineData("{\"username\": \"\"}", "username: is required")]
    [InlineData("{\"username\": \"has space\"}", "username: may contain only")]
    [InlineData("{\"username\": \"bad/slash\"}", "username: may contain only")]
    [InlineData("{\"username\": \".dot\"}", "username: must not start or end with a dot")]
    [InlineData("{\"username\": 42}", "username: must be a string")]
    [InlineData("{\"username\": \"ok\", \"display_name\": \"a\\r\\nBcc: x@y\"}", "display_name: must not contain line breaks")]
    [InlineData("{\"username\": \"ok\", \"domain\": \"not a domain\"}", "domain: is not a valid domain name")]
    [InlineData("{\"username\": \"ok\", \"domain\": \"unknown-to-us.example\"}", "domain: unknown-to-us.example is not a domain of this organization")]
    [InlineData("not json", "body: is not a valid JSON object")]
    [InlineData("", "body: a JSON object is required")]
    public async Task Invalid_create_requests_are_400_naming_the_field(string json, string message)
    {
        var api = await (await servers.For("sqlite")).NewOrganizationAsync();

        var (status, body) = await api.PostAsync("/api/v0/inboxes", json);

        Assert.Equal(400, status);
        Assert.Equal("ValidationError", (string)body!["name"]!);
        Assert.StartsWith(message, (string)body["message"]!);
    }

    [Fact]
    public async Task A_username_longer_than_64_characters_is_refused()
    {
        var api = await (await servers.For("sqlite")).NewOrganizationAsync();
        var (status, body) = await api.PostAsync("/api/v0/inboxes", new { username = new string('a', 65) });
        Assert.Equal(400, status);
        Assert.Equal("username: must be at most 64 characters", (string)body!["message"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_inbox_on_a_custom_domain_of_the_org_is_created_there(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        var domain = $"d{Guid.NewGuid():N}"[..12] + ".example";
        Assert.Equal(201, (await api.PostAsync("/api/v0/domains", new { domain })).Status);

        var (status, body) = await api.PostAsync("/api/v0/inboxes", new { username = "sales", domain = domain.ToUpperInvariant() });

        Assert.Equal(201, status);
        Assert.Equal($"sales@{domain}", (string)body!["email_address"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Another_orgs_domain_cannot_hold_my_inbox(string provider)
    {
        var server = await servers.For(provider);
        var owner = await server.NewOrganizationAsync();
        var intruder = await server.NewOrganizationAsync();
        var domain = $"d{Guid.NewGuid():N}"[..12] + ".example";
        await owner.PostAsync("/api/v0/domains", new { domain });

        var (status, body) = await intruder.PostAsync("/api/v0/inboxes", new { username = "sales", domain });

        Assert.Equal(400, status);
        Assert.StartsWith("domain:", (string)body!["message"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task List_pages_with_total_page_and_page_size(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        for (var i = 0; i < 3; i++) await api.CreateInboxAsync($"p{i}-{Guid.NewGuid():N}"[..12]);

        var (status, body) = await api.GetAsync("/api/v0/inboxes?page=2&page_size=2");
        var defaults = await api.GetAsync("/api/v0/inboxes");

        Assert.Equal(200, status);
        Assert.Equal(3, (int)body!["total"]!);
        Assert.Equal(2, (int)body["page"]!);
        Assert.Equal(2, (int)body["page_size"]!);
        Assert.Single(body["data"]!.AsArray());
        Assert.Equal(20, (int)defaults.Body!["page_size"]!);
        Assert.Equal(1, (int)defaults.Body["page"]!);
        Assert.Equal(3, defaults.Body["data"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("page_size=101", "page_size: must be between 1 and 100")]
    [InlineData("page_size=0", "page_size: must be between 1 and 100")]
    [InlineData("page=0", "page: must be 1 or greater")]
    [InlineData("page=two", "page: must be a whole number")]
    public async Task Bad_paging_is_400(string query, string message)
    {
        var api = await (await servers.For("sqlite")).NewOrganizationAsync();
        var (status, body) = await api.GetAsync("/api/v0/inboxes?" + query);
        Assert.Equal(400, status);
        Assert.Equal(message, (string)body!["message"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Get_update_and_delete_an_inbox(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        var id = (string)(await api.CreateInboxAsync("life-" + Guid.NewGuid().ToString("N")[..6]))["inbox_id"]!;

        var got = await api.GetAsync($"/api/v0/inboxes/{id}");
        var renamed = await api.PatchAsync($"/api/v0/inboxes/{id}", new { display_name = "Updated Name" });
        var untouched = await api.PatchAsync($"/api/v0/inboxes/{id}", new { });
        var deleted = await api.DeleteAsync($"/api/v0/inboxes/{id}");
        var gone = await api.GetAsync($"/api/v0/inboxes/{id}");

        Assert.Equal(200, got.Status);
        Assert.Equal(id, (string)got.Body!["inbox_id"]!);
        Assert.Equal(200, renamed.Status);
        Assert.Equal("Updated Name", (string)renamed.Body!["display_name"]!);
        Assert.Equal("Updated Name", (string)untouched.Body!["display_name"]!);
        Assert.Equal(204, deleted.Status);
        Assert.Null(deleted.Body);
        Assert.Equal(404, gone.Status);
        Assert.Equal("NotFoundError", (string)gone.Body!["name"]!);
    }

    [Fact]
    public async Task Inbox_and_domain_limits_are_enforced()
    {
        await using var server = await MailroomTestServer.StartAsync("sqlite",
            "--Mailroom:Limits:InboxesPerOrganization=2", "--Mailroom:Limits:DomainsPerOrganization=1");
        var api = await server.NewOrganizationAsync();
        await api.CreateInboxAsync("first");
        await api.CreateInboxAsync("second");

        var third = await api.PostAsync("/api/v0/inboxes", new { username = "third" });
        var firstDomain = await api.PostAsync("/api/v0/domains", new { domain = "one.example" });
        var secondDomain = await api.PostAsync("/api/v0/domains", new { domain = "two.example" });
        var organization = await api.GetAsync("/api/v0/organizations");

        Assert.Equal(403, third.Status);
        Assert.Equal("LimitExceededError", (string)third.Body!["name"]!);
        Assert.StartsWith("inbox_limit:", (string)third.Body["message"]!);
        Assert.Equal(201, firstDomain.Status);
        Assert.Equal(403, secondDomain.Status);
        Assert.StartsWith("domain_limit:", (string)secondDomain.Body!["message"]!);
        Assert.Equal(2, (int)organization.Body!["inbox_count"]!);
        Assert.Equal(2, (int)organization.Body["inbox_limit"]!);
        Assert.Equal(1, (int)organization.Body["domain_count"]!);
        Assert.Equal(1, (int)organization.Body["domain_limit"]!);
    }
}
