using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.AgentChannels;

/// <summary>One server per database provider, each with its own fake Twilio, shared by a test class.</summary>
public sealed class AgentChannelServers : IAsyncDisposable
{
    public const int PhoneNumberLimit = 4;

    public sealed record Setup(MailroomTestServer Server, FakeTwilio Carrier);

    private readonly Dictionary<string, Task<Setup>> _setups = [];
    private readonly Lock _gate = new();

    public Task<Setup> For(string provider)
    {
        lock (_gate)
        {
            if (!_setups.TryGetValue(provider, out var setup)) _setups[provider] = setup = StartAsync(provider);
            return setup;
        }
    }

    private static async Task<Setup> StartAsync(string provider)
    {
        var carrier = await FakeTwilio.StartAsync();
        var server = await MailroomTestServer.StartAsync(provider,
        [
            .. carrier.Settings, "--Mailroom:Webhooks:AllowPrivateTargets=true", $"--Mailroom:Limits:PhoneNumbersPerOrganization={PhoneNumberLimit}",
            "--Mailroom:Webhooks:RetrySchedule:0=0", "--Mailroom:Webhooks:RetrySchedule:1=0.3", "--Mailroom:Webhooks:RetrySchedule:2=0.3",
        ]);
        carrier.Mailroom = server.Address;
        return new Setup(server, carrier);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var setup in _setups.Values)
        {
            var (server, carrier) = await setup;
            await carrier.DisposeAsync();
            await server.DisposeAsync();
        }
    }
}

/// <summary>Calls of the /api/v1 dialect that tests repeat.</summary>
public static class V1
{
    public static string Unique(string stem) => $"{stem}-{Guid.NewGuid():N}"[..(stem.Length + 9)];

    public static async Task<JsonNode> CreateIdentityAsync(this ApiClient api, string handle)
    {
        var (status, body) = await api.PostAsync("/api/v1/identities", new { agent_handle = handle });
        Assert.True(status == 201, $"creating identity {handle}: {status} {ApiClient.Json(body)}");
        return body!;
    }

    public static async Task<JsonNode> CreateMailboxAsync(this ApiClient api, string localPart, string? handle = null)
    {
        var (status, body) = await api.PostAsync("/api/v1/mail/mailboxes", new { email_local_part = localPart, display_name = "Box " + localPart, agent_handle = handle });
        Assert.True(status == 201, $"creating mailbox {localPart}: {status} {ApiClient.Json(body)}");
        return body!;
    }

    public static async Task<JsonNode> BuyNumberAsync(this ApiClient api, string type = "local", string? areaCode = null, string? handle = null)
    {
        var (status, body) = await api.PostAsync("/api/v1/phone/numbers", new { type, area_code = areaCode, agent_handle = handle });
        Assert.True(status == 201, $"buying a {type} number: {status} {ApiClient.Json(body)}");
        return body!;
    }
}
