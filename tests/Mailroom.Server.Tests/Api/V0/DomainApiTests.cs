using System.Security.Cryptography;
using Dapper;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V0;

public sealed class DomainApiTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    private static string UniqueDomain() => $"d{Guid.NewGuid():N}"[..14] + ".example";

    [Theory, MemberData(nameof(Providers))]
    public async Task Add_returns_the_records_to_publish_with_a_fresh_dkim_key(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var domain = UniqueDomain();

        var (status, body) = await api.PostAsync("/api/v0/domains", new { domain = domain.ToUpperInvariant() + "." });

        Assert.Equal(201, status);
        Assert.Equal(domain, (string)body!["domain_id"]!);
        Assert.Equal("PENDING", (string)body["status"]!);
        Assert.True((bool)body["feedback_enabled"]!);
        var records = body["records"]!.AsArray();
        Assert.Equal(4, records.Count);
        Assert.All(records, r => Assert.Equal("MISSING", (string)r!["status"]!));
        Assert.Equal(("MX", domain, 10), ((string)records[0]!["type"]!, (string)records[0]!["name"]!, (int)records[0]!["priority"]!));
        Assert.StartsWith("v=spf1 ", (string)records[1]!["value"]!);
        Assert.Null(records[1]!["priority"]);
        Assert.Equal($"mailroom._domainkey.{domain}", (string)records[2]!["name"]!);
        Assert.StartsWith("v=DMARC1;", (string)records[3]!["value"]!);
        Assert.Equal($"_dmarc.{domain}", (string)records[3]!["name"]!);

        var dkim = (string)records[2]!["value"]!;
        var publicKey = Convert.FromBase64String(dkim[(dkim.IndexOf("p=", StringComparison.Ordinal) + 2)..]);
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(publicKey, out _);
        Assert.Equal(2048, rsa.KeySize);

        // The private half is sealed at rest: not PKCS#8 DER in base64, not PEM.
        await using var db = server.Database.Open();
        await using var connection = await db.OpenAsync();
        var stored = await connection.ExecuteScalarAsync<string>("SELECT dkim_private_key_sealed FROM domains WHERE name = @domain", new { domain });
        Assert.StartsWith("v1.", stored);
        Assert.DoesNotContain("MII", stored![..10]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Feedback_can_be_turned_off_and_domains_list_get_and_delete(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        var domain = UniqueDomain();

        var created = await api.PostAsync("/api/v0/domains", new { domain, feedback_enabled = false });
        var list = await api.GetAsync("/api/v0/domains");
        var got = await api.GetAsync($"/api/v0/domains/{domain}");
        var deleted = await api.DeleteAsync($"/api/v0/domains/{domain}");
        var gone = await api.GetAsync($"/api/v0/domains/{domain}");

        Assert.False((bool)created.Body!["feedback_enabled"]!);
        Assert.Equal(1, (int)list.Body!["total"]!);
        Assert.Equal(domain, (string)list.Body["data"]![0]!["domain_id"]!);
        Assert.Equal(4, list.Body["data"]![0]!["records"]!.AsArray().Count);
        Assert.Equal(200, got.Status);
        Assert.Equal(204, deleted.Status);
        Assert.Equal(404, gone.Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_domain_is_claimed_once_across_organizations(string provider)
    {
        var server = await servers.For(provider);
        var first = await server.NewOrganizationAsync();
        var second = await server.NewOrganizationAsync();
        var domain = UniqueDomain();
        await first.PostAsync("/api/v0/domains", new { domain });

        var again = await first.PostAsync("/api/v0/domains", new { domain });
        var elsewhere = await second.PostAsync("/api/v0/domains", new { domain });

        Assert.Equal(409, again.Status);
        Assert.Equal(409, elsewhere.Status);
        Assert.StartsWith("domain:", (string)elsewhere.Body!["message"]!);
    }

    [Theory]
    [InlineData("{}", "domain: is required")]
    [InlineData("{\"domain\": \"localhost\"}", "domain: is not a valid domain name")]
    [InlineData("{\"domain\": \"bad_label.example\"}", "domain: is not a valid domain name")]
    [InlineData("{\"domain\": \"-lead.example\"}", "domain: is not a valid domain name")]
    [InlineData("{\"domain\": \"a.example\", \"feedback_enabled\": \"yes\"}", "feedback_enabled: must be true or false")]
    public async Task Invalid_domains_are_400(string json, string message)
    {
        var api = await (await servers.For("sqlite")).NewOrganizationAsync();
        var (status, body) = await api.PostAsync("/api/v0/domains", json);
        Assert.Equal(400, status);
        Assert.Equal(message, (string)body!["message"]!);
    }

    [Fact]
    public async Task The_platform_domain_cannot_be_added()
    {
        var api = await (await servers.For("sqlite")).NewOrganizationAsync();
        var (status, _) = await api.PostAsync("/api/v0/domains", new { domain = "mailroom.local" });
        Assert.Equal(409, status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_domain_with_inboxes_is_not_deleted(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        var domain = UniqueDomain();
        await api.PostAsync("/api/v0/domains", new { domain });
        await api.CreateInboxAsync("keep", domain);

        var (status, body) = await api.DeleteAsync($"/api/v0/domains/{domain}");

        Assert.Equal(409, status);
        Assert.Contains("1 inbox", (string)body!["message"]!);
        Assert.Equal(200, (await api.GetAsync($"/api/v0/domains/{domain}")).Status);
    }
}
