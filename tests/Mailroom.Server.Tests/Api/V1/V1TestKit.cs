using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Mailroom.Server.Tests.Api.V1;

/// <summary>
/// An approval channel for tests: it records every card it posts and closes, and has a secret (<c>token</c>) so that
/// masking shows. A token of <c>bad</c> is refused when the channel is set, as a real channel refuses bad credentials.
/// </summary>
public sealed class RecordingChannel : IApprovalChannel
{
    public const string TypeName = "recording";
    private int _posted;

    public string Type => TypeName;
    public IReadOnlySet<string> SecretKeys { get; } = new HashSet<string> { "token" };
    public ConcurrentQueue<(ApprovalChannelConfig Config, ApprovalCard Card, string Reference)> Announced { get; } = new();
    public ConcurrentQueue<(ChannelNotice Notice, ApprovalOutcome Outcome)> Closed { get; } = new();

    public Task<ApprovalChannelConfig> PrepareAsync(string orgId, ApprovalChannelConfig config, CancellationToken ct) =>
        config["token"] == "bad" ? throw new ValidationException("approval_channel.config.token", "was refused") : Task.FromResult(config);

    public Task<ChannelNotice> AnnounceAsync(ApprovalChannelConfig config, ApprovalCard card, CancellationToken ct)
    {
        var reference = $"{config["room"]}/{Interlocked.Increment(ref _posted)}";
        Announced.Enqueue((config, card, reference));
        return Task.FromResult(new ChannelNotice(Type, reference));
    }

    public Task CloseAsync(ApprovalChannelConfig config, ChannelNotice notice, ApprovalCard card, ApprovalOutcome outcome, CancellationToken ct)
    {
        Closed.Enqueue((notice, outcome));
        return Task.CompletedTask;
    }

    public IReadOnlyList<ApprovalCard> CardsFor(string draftId) => Announced.Where(a => a.Card.DraftId == draftId).Select(a => a.Card).ToList();
}

/// <summary>A clock tests move forward: the system's time plus an offset.</summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}

/// <summary>A conversation to draft in: an identity and a customer inbox that wrote to it.</summary>
public sealed record Conversation(ApiClient Api, string IdentityId, string IdentityAddress, string CustomerInboxId, string CustomerAddress,
    string ThreadId, string InboundMessageId, string CustomerMessageId);

public static class V1TestKit
{
    public static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    public static object RecordingChannelSettings(string room = "room-1") =>
        new { type = RecordingChannel.TypeName, config = new { token = "tok-ABCDEFGHIJKLMNOP-9876", room } };

    public static async Task<JsonNode> CreateIdentityAsync(ApiClient api, object? channel = null, bool autoApprove = false, bool canSendCold = false,
        object? secondary = null, int? escalationMinutes = null)
    {
        var (status, body) = await api.PostAsync("/v1/identities", new
        {
            domain_id = "dom_platform", local_part = Unique("agent"), display_name = "Mia (AI Assistant)", approval_channel = channel,
            auto_approve_replies = autoApprove, can_send_cold = canSendCold, secondary_approval_channel = secondary, escalation_delay_minutes = escalationMinutes,
        });
        Assert.True(status == 201, $"creating identity: {status} {ApiClient.Json(body)}");
        return body!;
    }

    /// <summary>A customer inbox writes to the identity; answers once the identity holds the message in a thread.</summary>
    public static async Task<Conversation> ConversationAsync(ApiClient api, JsonNode identity, string subject = "Question about my order")
    {
        var customer = await api.CreateInboxAsync(Unique("customer"));
        var (identityId, address) = ((string)identity["id"]!, (string)identity["email_address"]!);
        var sent = (await api.PostAsync($"/api/v0/inboxes/{(string)customer["inbox_id"]!}/messages/send",
            new { to = address, subject, text = "Where is my parcel?" })).Body!;
        var thread = await EventuallyAsync(async () =>
        {
            var list = (await api.GetAsync($"/v1/threads?identity_id={identityId}")).Body!["data"]!.AsArray();
            return list.FirstOrDefault(t => (string)t!["subject"]! == subject);
        });
        var messages = (await api.GetAsync($"/v1/threads/{(string)thread!["id"]!}")).Body!["messages"]!.AsArray();
        return new Conversation(api, identityId, address, (string)customer["inbox_id"]!, (string)customer["email_address"]!, (string)thread["id"]!,
            (string)messages[^1]!["id"]!, (string)sent["message_id"]!);
    }

    /// <summary>The customer writes again in the same thread (a reply to its own first message), making drafts on it stale.</summary>
    public static async Task WriteAgainAsync(Conversation c)
    {
        await c.Api.PostAsync($"/api/v0/inboxes/{c.CustomerInboxId}/messages/{c.CustomerMessageId}/reply", new { text = "Any news?" });
        await EventuallyAsync(async () => (int)(await c.Api.GetAsync($"/v1/threads/{c.ThreadId}")).Body!["message_count"]! >= 2 ? (object)true : null);
    }

    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, int seconds = 20) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await probe() is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition did not hold in time");
            await Task.Delay(100);
        }
    }

    public static async Task<JsonNode> DraftAsync(Conversation c, string text = "Your parcel left our warehouse today.", object? more = null)
    {
        var body = new JsonObject
        {
            ["identity_id"] = c.IdentityId, ["thread_id"] = c.ThreadId, ["based_on_message_id"] = c.InboundMessageId, ["body_text"] = text,
            ["rationale"] = "The customer asked for the parcel status.",
        };
        if (more is not null)
            foreach (var (key, value) in System.Text.Json.JsonSerializer.SerializeToNode(more)!.AsObject().ToList()) body[key] = value?.DeepClone();
        var (status, draft) = await c.Api.PostAsync("/v1/drafts", body.ToJsonString());
        Assert.True(status == 201, $"creating draft: {status} {ApiClient.Json(draft)}");
        return draft!;
    }
}

public sealed class ApprovalLogTests
{
    [Fact]
    public void The_request_log_hides_the_one_time_token_of_an_approval_page()
    {
        Assert.Equal("/approvals/***", Mailroom.Server.Hosting.RequestLog.RedactedPath(new PathString("/approvals/abc.123.sig")));
        Assert.Equal("/v1/drafts", Mailroom.Server.Hosting.RequestLog.RedactedPath(new PathString("/v1/drafts")));
    }
}
