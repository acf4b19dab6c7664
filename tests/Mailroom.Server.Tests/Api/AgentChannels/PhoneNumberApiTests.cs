using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.AgentChannels;

/// <summary>Phone numbers bought, imported, changed and released at the (fake) carrier through the Twilio client, on both databases.</summary>
public sealed class PhoneNumberApiTests(AgentChannelServers servers) : IClassFixture<AgentChannelServers>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_number_is_bought_pointed_at_mailroom_changed_and_released(string provider)
    {
        var (server, carrier) = await servers.For(provider);
        var api = await server.NewOrganizationAsync();

        var number = await api.BuyNumberAsync("local", "212");
        var e164 = (string)number["number"]!;
        Assert.StartsWith("+1212", e164);
        Assert.Equal("local", (string)number["type"]!);
        Assert.Equal("active", (string)number["status"]!);
        Assert.Equal("auto_reject", (string)number["incoming_call_action"]!);
        Assert.Null(number["client_websocket_url"]);
        var held = carrier.Holding(e164)!;
        Assert.Equal(FakeTwilio.PublicUrl + "/hooks/twilio/sms", held.SmsUrl);

        var tollFree = await api.BuyNumberAsync("toll_free");
        Assert.StartsWith("+1800", (string)tollFree["number"]!);
        Assert.Equal("toll_free", (string)tollFree["type"]!);

        var id = (string)number["id"]!;
        Assert.Equal(e164, (string)(await api.GetAsync($"/api/v1/phone/numbers/{id}")).Body!["number"]!);
        var list = (await api.GetAsync("/api/v1/phone/numbers")).Body!.AsArray();
        Assert.Equal([(string)tollFree["id"]!, id], list.Select(n => (string)n!["id"]!)); // newest first
        Assert.Single((await api.GetAsync("/api/v1/phone/numbers?limit=1&offset=1")).Body!.AsArray());
        Assert.Equal(422, (await api.GetAsync("/api/v1/phone/numbers?limit=0")).Status);

        var changed = await api.PatchAsync($"/api/v1/phone/numbers/{id}", new
        {
            incoming_call_action = "webhook", client_websocket_url = "wss://agent.example/calls", incoming_call_webhook_url = "https://agent.example/call",
        });
        Assert.Equal(200, changed.Status);
        Assert.Equal("webhook", (string)changed.Body!["incoming_call_action"]!);
        Assert.Equal("wss://agent.example/calls", (string)changed.Body["client_websocket_url"]!);
        var cleared = await api.PatchAsync($"/api/v1/phone/numbers/{id}", "{\"client_websocket_url\": null}");
        Assert.Null(cleared.Body!["client_websocket_url"]);
        Assert.Equal("https://agent.example/call", (string)cleared.Body["incoming_call_webhook_url"]!);
        Assert.Equal(422, (await api.PatchAsync($"/api/v1/phone/numbers/{id}", new { incoming_call_action = "ring_forever" })).Status);
        Assert.Equal(422, (await api.PatchAsync($"/api/v1/phone/numbers/{id}", new { client_websocket_url = "ftp://x" })).Status);
        Assert.Equal(422, (await api.GetAsync("/api/v1/phone/numbers/not-a-uuid")).Status);
        Assert.Equal(404, (await api.GetAsync($"/api/v1/phone/numbers/{Guid.NewGuid()}")).Status);

        Assert.Equal(204, (await api.DeleteAsync($"/api/v1/phone/numbers/{id}")).Status);
        Assert.Contains(held.Sid, carrier.Released);
        Assert.Null(carrier.Holding(e164));
        Assert.Equal(404, (await api.GetAsync($"/api/v1/phone/numbers/{id}")).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_number_the_account_holds_is_imported_and_linked_to_an_identity(string provider)
    {
        var (server, carrier) = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var handle = V1.Unique("imported");
        await api.CreateIdentityAsync(handle);
        var e164 = "+1646" + Random.Shared.Next(1_000_000, 9_999_999);
        var held = carrier.Hold(e164);

        var (status, number) = await api.PostAsync("/api/v1/phone/numbers", new { number = e164, agent_handle = handle });
        Assert.Equal(201, status);
        Assert.Equal(e164, (string)number!["number"]!);
        Assert.Equal(FakeTwilio.PublicUrl + "/hooks/twilio/sms", carrier.Owned[held.Sid].SmsUrl);
        Assert.Equal((string)number["id"]!, (string)(await api.GetAsync($"/api/v1/identities/{handle}")).Body!["phone_number"]!["id"]!);

        Assert.Equal(409, (await api.PostAsync("/api/v1/phone/numbers", new { number = e164 })).Status);
        var (notHeld, notHeldBody) = await api.PostAsync("/api/v1/phone/numbers", new { number = "+16465550000" });
        Assert.Equal(422, notHeld);
        Assert.Equal(["body", "number"], notHeldBody!["detail"]![0]!["loc"]!.AsArray().Select(l => (string)l!));
        Assert.Equal(422, (await api.PostAsync("/api/v1/phone/numbers", new { number = "555-0100" })).Status);
        Assert.Equal(422, (await api.PostAsync("/api/v1/phone/numbers", new { type = "satellite" })).Status);
        Assert.Equal(422, (await api.PostAsync("/api/v1/phone/numbers", new { type = "local", area_code = "41" })).Status);
        Assert.Equal(404, (await api.PostAsync("/api/v1/phone/numbers", new { type = "local", agent_handle = "nobody-at-all" })).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_number_limit_is_429_and_carrier_failures_are_502_with_the_carriers_message(string provider)
    {
        var (server, carrier) = await servers.For(provider);
        var api = await server.NewOrganizationAsync();

        var (none, noneBody) = await api.PostAsync("/api/v1/phone/numbers", new { type = "local", area_code = "999" });
        Assert.Equal(502, none);
        Assert.Contains("no available local number in area code 999", (string)noneBody!["detail"]!);
        carrier.RefusePurchaseWith = "PhoneNumber requested is not available";
        var (refused, refusedBody) = await api.PostAsync("/api/v1/phone/numbers", new { type = "local" });
        Assert.Equal(502, refused);
        Assert.Contains("PhoneNumber requested is not available", (string)refusedBody!["detail"]!);
        Assert.Empty((await api.GetAsync("/api/v1/phone/numbers")).Body!.AsArray());

        for (var i = 0; i < AgentChannelServers.PhoneNumberLimit; i++) await api.BuyNumberAsync();
        var owned = carrier.Owned.Count;
        var (limited, limitedBody) = await api.PostAsync("/api/v1/phone/numbers", new { type = "local" });
        Assert.Equal(429, limited);
        Assert.Contains("limit", (string)limitedBody!["detail"]!);
        Assert.Equal(owned, carrier.Owned.Count); // nothing bought for a refused request
    }
}

/// <summary>Without a carrier configured, phone numbers are refused with the settings to set.</summary>
public sealed class SmsNotConfiguredTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Buying_a_number_names_the_settings(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync();
        var (status, body) = await api.PostAsync("/api/v1/phone/numbers", new { type = "local" });
        Assert.Equal(503, status);
        Assert.Contains("Mailroom:Sms:Provider", (string)body!["detail"]!);
        Assert.Contains("Mailroom:Sms:Twilio:AuthToken", (string)body["detail"]!);
    }
}
