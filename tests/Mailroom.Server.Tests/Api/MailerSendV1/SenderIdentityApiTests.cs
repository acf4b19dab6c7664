using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;
using static Mailroom.Server.Tests.Api.MailerSendV1.MailerSendServers;

namespace Mailroom.Server.Tests.Api.MailerSendV1;

/// <summary>The nine identity routes over HTTP, on SQLite and PostgreSQL: bodies, codes, paging, validation and tenancy.</summary>
public sealed partial class SenderIdentityApiTests(MailerSendServers servers) : IClassFixture<MailerSendServers>
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    [GeneratedRegex("^[0-9a-z]{16}$")]
    private static partial Regex ShortId();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")]
    private static partial Regex Microseconds();

    [Theory, MemberData(nameof(Providers))]
    public async Task Create_get_update_and_delete_answer_in_MailerSend_shapes(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var domain = await AddDomainAsync(api);
        var email = NewAddress("pedro");

        var (status, created) = await api.PostAsync("/mailersend/v1/identities", new
        {
            domain_id = domain, email, name = "Pedro Doe", personal_note = "Hi Pedro, please confirm.", reply_to_name = "Test Doe",
            reply_to_email = "test@test.example", add_note = true,
        });
        Assert.Equal(201, status);
        var data = created!["data"]!;
        var id = (string)data["id"]!;
        Assert.Matches(ShortId(), id);
        Assert.Equal(email, (string)data["email"]!);
        Assert.Equal("Pedro Doe", (string)data["name"]!);
        Assert.Equal("test@test.example", (string)data["reply_to_email"]!);
        Assert.Equal("Test Doe", (string)data["reply_to_name"]!);
        Assert.False((bool)data["is_verified"]!);
        Assert.Equal(0, (int)data["resends"]!);
        Assert.True((bool)data["add_note"]!);
        Assert.Equal("Hi Pedro, please confirm.", (string)data["personal_note"]!);
        Assert.Equal(domain, (string)data["domain"]!["id"]!);
        Assert.Equal(domain, (string)data["domain"]!["name"]!);
        Assert.Matches(Microseconds(), (string)data["domain"]!["created_at"]!);
        Assert.Matches(Microseconds(), (string)data["domain"]!["updated_at"]!);
        Assert.Equal(["id", "email", "name", "reply_to_email", "reply_to_name", "is_verified", "resends", "add_note", "personal_note", "domain"],
            data.AsObject().Select(p => p.Key));

        var (getStatus, got) = await api.GetAsync($"/mailersend/v1/identities/{id}");
        Assert.Equal(200, getStatus);
        Assert.Equal(ApiClient.Json(created), ApiClient.Json(got));
        var (byEmailStatus, byEmail) = await api.GetAsync($"/mailersend/v1/identities/email/{email.ToUpperInvariant()}");
        Assert.Equal(200, byEmailStatus);
        Assert.Equal(id, (string)byEmail!["data"]!["id"]!);

        var (putStatus, put) = await api.SendAsync(HttpMethod.Put, $"/mailersend/v1/identities/{id}", new { name = "Pedro Renamed", add_note = false });
        Assert.Equal(200, putStatus);
        Assert.Equal("Pedro Renamed", (string)put!["data"]!["name"]!);
        Assert.False((bool)put["data"]!["add_note"]!);
        Assert.Equal("Test Doe", (string)put["data"]!["reply_to_name"]!);
        var (putByEmailStatus, putByEmail) = await api.SendAsync(HttpMethod.Put, $"/mailersend/v1/identities/email/{email}", new { reply_to_name = "Desk" });
        Assert.Equal(200, putByEmailStatus);
        Assert.Equal("Desk", (string)putByEmail!["data"]!["reply_to_name"]!);
        Assert.Equal("Pedro Renamed", (string)putByEmail["data"]!["name"]!);

        var (deleteStatus, _) = await api.DeleteAsync($"/mailersend/v1/identities/{id}");
        Assert.Equal(200, deleteStatus);
        Assert.Equal(404, (await api.GetAsync($"/mailersend/v1/identities/{id}")).Status);
        Assert.Equal(404, (await api.DeleteAsync($"/mailersend/v1/identities/{id}")).Status);

        var other = NewAddress("other");
        await CreateIdentityAsync(api, domain, other);
        Assert.Equal(200, (await api.DeleteAsync($"/mailersend/v1/identities/email/{other}")).Status);
        Assert.Equal(404, (await api.GetAsync($"/mailersend/v1/identities/email/{other}")).Status);
        Assert.Equal(404, (await api.DeleteAsync($"/mailersend/v1/identities/email/{other}")).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Lists_page_with_links_and_meta_and_filter_by_domain_and_query(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var first = await AddDomainAsync(api);
        var second = await AddDomainAsync(api);
        for (var i = 0; i < 12; i++) await CreateIdentityAsync(api, first, NewAddress($"a{i}"), $"Sender {i}");
        await CreateIdentityAsync(api, second, NewAddress("zed"), "Zed Special");

        var (status, all) = await api.GetAsync("/mailersend/v1/identities");
        Assert.Equal(200, status);
        Assert.Equal(13, all!["data"]!.AsArray().Count);
        Assert.Equal(13, (int)all["meta"]!["total"]!);
        Assert.Equal(25, (int)all["meta"]!["per_page"]!);
        Assert.Equal(1, (int)all["meta"]!["current_page"]!);
        Assert.Equal(1, (int)all["meta"]!["last_page"]!);

        var (_, page2) = await api.GetAsync($"/mailersend/v1/identities?domain_id={first}&limit=10&page=2");
        Assert.Equal(2, page2!["data"]!.AsArray().Count);
        Assert.Equal(12, (int)page2["meta"]!["total"]!);
        Assert.Equal(2, (int)page2["meta"]!["current_page"]!);
        Assert.Equal(11, (int)page2["meta"]!["from"]!);
        Assert.Equal(12, (int)page2["meta"]!["to"]!);
        Assert.EndsWith("/mailersend/v1/identities?page=1", (string)page2["links"]!["prev"]!);
        Assert.Null(page2["links"]!["next"]);
        Assert.All(page2["data"]!.AsArray(), item => Assert.Equal(first, (string)item!["domain"]!["id"]!));

        var (_, queried) = await api.GetAsync("/mailersend/v1/identities?query=special");
        Assert.Equal("Zed Special", (string)Assert.Single(queried!["data"]!.AsArray())!["name"]!);
        var (_, byAddress) = await api.GetAsync("/mailersend/v1/identities?query=ZED-");
        Assert.Single(byAddress!["data"]!.AsArray());
        var (_, wildcard) = await api.GetAsync("/mailersend/v1/identities?query=%25");
        Assert.Empty(wildcard!["data"]!.AsArray());
        var (_, unknownDomain) = await api.GetAsync("/mailersend/v1/identities?domain_id=nowhere.example");
        Assert.Empty(unknownDomain!["data"]!.AsArray());

        foreach (var limit in new[] { "9", "101", "x" })
        {
            var (limitStatus, error) = await api.GetAsync($"/mailersend/v1/identities?limit={limit}");
            Assert.Equal(422, limitStatus);
            Assert.NotNull(error!["errors"]!["limit"]);
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Invalid_identities_are_422_with_errors_by_field(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var domain = await AddDomainAsync(api);
        var taken = NewAddress("taken");
        await CreateIdentityAsync(api, domain, taken);
        var stranger = await server.NewOrganizationAsync();
        var strangersDomain = await AddDomainAsync(stranger);

        async Task Refused(object body, string field)
        {
            var (status, error) = await api.PostAsync("/mailersend/v1/identities", body);
            Assert.True(status == 422, $"{ApiClient.Json(JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(body)))}: {status} {ApiClient.Json(error)}");
            Assert.False(string.IsNullOrEmpty((string?)error!["message"]));
            Assert.Equal(JsonValueKindArray, error["errors"]![field]!.GetValueKind());
        }

        await Refused(new { email = NewAddress(), name = "N" }, "domain_id");
        await Refused(new { domain_id = domain, email = NewAddress() }, "name");
        await Refused(new { domain_id = domain, name = "N" }, "email");
        await Refused(new { domain_id = domain, email = NewAddress(), name = new string('n', 192) }, "name");
        await Refused(new { domain_id = domain, email = new string('e', 180) + "@people.example", name = "N" }, "email");
        await Refused(new { domain_id = domain, email = "not an address", name = "N" }, "email");
        await Refused(new { domain_id = domain, email = "Name <x@people.example>", name = "N" }, "email");
        await Refused(new { domain_id = domain, email = taken.ToUpperInvariant(), name = "N" }, "email");
        await Refused(new { domain_id = "nowhere.example", email = NewAddress(), name = "N" }, "domain_id");
        await Refused(new { domain_id = strangersDomain, email = NewAddress(), name = "N" }, "domain_id");
        await Refused(new { domain_id = domain, email = NewAddress(), name = "N", reply_to_email = "nope" }, "reply_to_email");
        await Refused(new { domain_id = domain, email = NewAddress(), name = "N", add_note = "yes" }, "add_note");

        var id = (string)(await CreateIdentityAsync(api, domain, NewAddress()))["id"]!;
        var (putStatus, putError) = await api.SendAsync(HttpMethod.Put, $"/mailersend/v1/identities/{id}", new { email = taken });
        Assert.Equal(422, putStatus);
        Assert.NotNull(putError!["errors"]!["email"]);

        var (unauthorized, body) = await server.Client().GetAsync("mailersend/v1/identities") is var response
            ? ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()))
            : default;
        Assert.Equal(401, unauthorized);
        Assert.Equal("Unauthenticated.", (string)body!["message"]!);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindArray = System.Text.Json.JsonValueKind.Array;

    [Theory, MemberData(nameof(Providers))]
    public async Task Another_organizations_identity_is_404_on_every_route(string provider)
    {
        var server = await servers.For(provider);
        var owner = await server.NewOrganizationAsync();
        var email = NewAddress("owned");
        var id = (string)(await CreateIdentityAsync(owner, await AddDomainAsync(owner), email))["id"]!;
        var stranger = await server.NewOrganizationAsync();
        await AddDomainAsync(stranger);

        Assert.Equal(404, (await stranger.GetAsync($"/mailersend/v1/identities/{id}")).Status);
        Assert.Equal(404, (await stranger.GetAsync($"/mailersend/v1/identities/email/{email}")).Status);
        Assert.Equal(404, (await stranger.SendAsync(HttpMethod.Put, $"/mailersend/v1/identities/{id}", new { name = "Stolen" })).Status);
        Assert.Equal(404, (await stranger.SendAsync(HttpMethod.Put, $"/mailersend/v1/identities/email/{email}", new { name = "Stolen" })).Status);
        Assert.Equal(404, (await stranger.PostAsync($"/mailersend/v1/identities/{id}/resend", new { })).Status);
        Assert.Equal(404, (await stranger.DeleteAsync($"/mailersend/v1/identities/{id}")).Status);
        Assert.Equal(404, (await stranger.DeleteAsync($"/mailersend/v1/identities/email/{email}")).Status);
        Assert.Empty((await stranger.GetAsync("/mailersend/v1/identities")).Body!["data"]!.AsArray());
        // The stranger may hold the same address as an identity of its own: uniqueness is per organization.
        await CreateIdentityAsync(stranger, await AddDomainAsync(stranger), email);

        var (status, still) = await owner.GetAsync($"/mailersend/v1/identities/{id}");
        Assert.Equal(200, status);
        Assert.Equal("Pedro Doe", (string)still!["data"]!["name"]!);
        Assert.Equal(0, (int)still["data"]!["resends"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Concurrent_requests_keep_addresses_unique_and_resends_within_the_limit(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var domain = await AddDomainAsync(api);
        var email = NewAddress("race");
        var creates = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            api.PostAsync("/mailersend/v1/identities", new { domain_id = domain, email, name = "Racer" })));
        Assert.Equal(1, creates.Count(c => c.Status == 201));
        Assert.All(creates.Where(c => c.Status != 201), c => Assert.NotNull(c.Body!["errors"]!["email"]));

        var id = (string)creates.Single(c => c.Status == 201).Body!["data"]!["id"]!;
        var resends = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => api.PostAsync($"/mailersend/v1/identities/{id}/resend", new { })));
        Assert.Equal(MaxResends, resends.Count(r => r.Status == 200));
        Assert.All(resends.Where(r => r.Status != 200), r => Assert.Equal(429, r.Status));
        Assert.Equal(MaxResends, (int)(await api.GetAsync($"/mailersend/v1/identities/{id}")).Body!["data"]!["resends"]!);
    }
}
