using System.Text.Json.Nodes;
using Mailroom.Core.Webhooks;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Api.V0;

/// <summary>POST /domains/:id/verify against a real DNS server (dnsmasq on 127.0.0.1) serving the records.</summary>
public sealed class DomainVerificationTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    /// <summary>dnsmasq options publishing the records as the API asked for them, with <paramref name="change"/> applied.</summary>
    private static List<string> Publish(JsonArray records, Func<int, string, string?>? change = null)
    {
        var options = new List<string>();
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i]!;
            var value = change is null ? (string)record["value"]! : change(i, (string)record["value"]!);
            if (value is null) continue;
            var name = (string)record["name"]!;
            options.Add((string)record["type"]! == "MX" ? $"--mx-host={name},{value},{(int)record["priority"]!}" : Dnsmasq.TxtRecord(name, value));
        }
        return options;
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Records_as_published_verify_the_domain_and_announce_it_once(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var port = Dnsmasq.FreePort();
        await using var server = await MailroomTestServer.StartAsync(provider, $"--Mailroom:Dns:Servers=127.0.0.1:{port}",
            "--Mailroom:Webhooks:AllowPrivateTargets=true");
        var api = await server.NewOrganizationAsync();
        var secret = (string)(await api.PostAsync("/api/v0/webhooks", new { url = receiver.Url, event_types = new[] { "domain.verified" } })).Body!["secret"]!;
        var records = (await api.PostAsync("/api/v0/domains", new { domain = "verified.example" })).Body!["records"]!.AsArray();
        using var dns = Dnsmasq.Start(Publish(records), port);

        var (status, body) = await api.PostAsync("/api/v0/domains/verified.example/verify", null);
        var again = await api.PostAsync("/api/v0/domains/verified.example/verify", null);

        Assert.Equal(200, status);
        Assert.Equal("VERIFIED", (string)body!["status"]!);
        Assert.All(body["records"]!.AsArray(), r => Assert.Equal("VALID", (string)r!["status"]!));
        Assert.Equal("VERIFIED", (string)(await api.GetAsync("/api/v0/domains/verified.example")).Body!["status"]!);
        Assert.Equal("VERIFIED", (string)again.Body!["status"]!);

        var received = Assert.Single(await receiver.WaitForAsync(1));
        await Task.Delay(500);
        Assert.Single(receiver.Requests);
        var payload = JsonNode.Parse(received.Body)!;
        Assert.Equal("domain.verified", (string)payload["event_type"]!);
        Assert.Equal("verified.example", (string)payload["domain"]!["domain_id"]!);
        Assert.Equal(received.Id, (string)payload["event_id"]!);
        Assert.True(WebhookSignature.Verify(secret, received.Id, long.Parse(received.Timestamp), received.Body, received.Signature,
            DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Wrong_and_absent_records_are_invalid_and_missing(string provider)
    {
        var port = Dnsmasq.FreePort();
        await using var server = await MailroomTestServer.StartAsync(provider, $"--Mailroom:Dns:Servers=127.0.0.1:{port}");
        var api = await server.NewOrganizationAsync();
        var records = (await api.PostAsync("/api/v0/domains", new { domain = "half.example" })).Body!["records"]!.AsArray();
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        using var dns = Dnsmasq.Start(Publish(records, (i, value) => i switch
        {
            1 => "v=spf1 include:_spf.someone-else.example ~all",
            2 => "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(otherKey.ExportSubjectPublicKeyInfo()),
            3 => null,
            _ => value,
        }), port);

        var (status, body) = await api.PostAsync("/api/v0/domains/half.example/verify", null);

        Assert.Equal(200, status);
        Assert.Equal("FAILED", (string)body!["status"]!);
        Assert.Equal(["VALID", "INVALID", "INVALID", "MISSING"], body["records"]!.AsArray().Select(r => (string)r!["status"]!));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Nothing_published_leaves_every_record_missing(string provider)
    {
        using var dns = Dnsmasq.Start(["--address=/unrelated.example/127.0.0.2"]);
        await using var server = await MailroomTestServer.StartAsync(provider, $"--Mailroom:Dns:Servers={dns.Endpoint}");
        var api = await server.NewOrganizationAsync();
        await api.PostAsync("/api/v0/domains", new { domain = "empty.example" });

        var (_, body) = await api.PostAsync("/api/v0/domains/empty.example/verify", null);
        var other = await (await server.NewOrganizationAsync()).PostAsync("/api/v0/domains/empty.example/verify", null);

        Assert.Equal("PENDING", (string)body!["status"]!);
        Assert.All(body["records"]!.AsArray(), r => Assert.Equal("MISSING", (string)r!["status"]!));
        Assert.Equal(404, other.Status);
    }
}
