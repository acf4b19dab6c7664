using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Approvals;

/// <summary>
/// The Slack channel from the server's own DI against a fake Slack on 127.0.0.1: cards to an incoming webhook or
/// through chat.postMessage, and clicks posted to <c>/hooks/slack/actions</c> signed as Slack signs them.
/// </summary>
public sealed class SlackApprovalChannelTests(ChatApprovalFixture fixture) : IClassFixture<ChatApprovalFixture>
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private FakeSlack Slack => fixture.Slack;

    private static ApprovalChannelConfig Config(params (string Key, string Value)[] values) =>
        new(ApprovalChannelTypes.Slack, values.ToDictionary(v => v.Key, v => v.Value));

    private async Task<(MailroomTestServer Server, ApiClient Api, IApprovalChannel Channel)> ChannelAsync(string provider)
    {
        var server = await fixture.For(provider);
        return (server, await server.NewOrganizationAsync(), ChatApprovalFixture.Channel(server, ApprovalChannelTypes.Slack));
    }

    private static string Sign(string secret, string timestamp, string body) =>
        "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));

    /// <summary>A block_actions payload as Slack posts it when a person clicks a button of the posted card.</summary>
    private static JsonObject Click(JsonObject postedMessage, string actionId, string responseUrl, string userId = "U0ANA")
    {
        var actions = postedMessage["blocks"]!.AsArray().Single(b => (string?)b!["type"] == "actions")!;
        var button = actions["elements"]!.AsArray().Single(e => (string?)e!["action_id"] == actionId)!;
        return new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = userId, ["username"] = "ana", ["name"] = "ana", ["team_id"] = "T0" },
            ["api_app_id"] = "A0APP", ["token"] = "deprecated-verification-token",
            ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = "1764000000.000100", ["channel_id"] = "C0APPROVALS", ["is_ephemeral"] = false },
            ["trigger_id"] = "1.2.3", ["team"] = new JsonObject { ["id"] = "T0", ["domain"] = "example" },
            ["channel"] = new JsonObject { ["id"] = "C0APPROVALS", ["name"] = "approvals" },
            ["message"] = new JsonObject
            {
                ["type"] = "message", ["text"] = postedMessage["text"]!.DeepClone(), ["ts"] = "1764000000.000100", ["blocks"] = postedMessage["blocks"]!.DeepClone(),
            },
            ["response_url"] = responseUrl,
            ["actions"] = new JsonArray(new JsonObject
            {
                ["action_id"] = actionId, ["block_id"] = actions["block_id"]?.DeepClone(), ["text"] = button["text"]!.DeepClone(),
                ["value"] = button["value"]?.DeepClone(), ["style"] = button["style"]?.DeepClone(), ["type"] = "button", ["action_ts"] = "1764000001.000200",
            }),
        };
    }

    private static async Task<HttpStatusCode> PostClickAsync(MailroomTestServer server, JsonObject payload, string signingSecret,
        TimeSpan? age = null, Func<string, string>? tamper = null, bool signed = true)
    {
        var body = "payload=" + Uri.EscapeDataString(payload.ToJsonString());
        var timestamp = (DateTimeOffset.UtcNow - (age ?? TimeSpan.Zero)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Sign(signingSecret, timestamp, body);
        using var client = server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/slack/actions")
        {
            Content = new StringContent(tamper?.Invoke(body) ?? body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        if (signed)
        {
            request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
            request.Headers.Add("X-Slack-Signature", signature);
        }
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static JsonArray? ActionsOf(JsonObject message) =>
        message["blocks"]!.AsArray().SingleOrDefault(b => (string?)b!["type"] == "actions")?["elements"]?.AsArray();

    [Theory, MemberData(nameof(Providers))]
    public async Task With_a_webhook_only_the_card_links_to_the_confirmation_pages(string provider)
    {
        var (_, api, channel) = await ChannelAsync(provider);
        var webhook = Slack.NewWebhookUrl();
        var config = await channel.PrepareAsync(api.OrgId, Config(("webhook_url", webhook), ("channel", "#approvals")), CancellationToken.None);
        Assert.Null(config["hook_id"]);
        Assert.Equal(["bot_token", "signing_secret", "webhook_url"], channel.SecretKeys.Order());
        var card = ChatApprovalFixture.Card(api.OrgId);

        var notice = await channel.AnnounceAsync(config, card, CancellationToken.None);

        var posted = Assert.Single(Slack.To(webhook)).Body;
        Assert.Contains("waiting for approval: Re: Your order <1234> & delivery", (string)posted["text"]!);
        var json = posted.ToJsonString();
        Assert.Contains("Re: Your order &lt;1234&gt; &amp; delivery", (string)posted["blocks"]![1]!["fields"]![3]!["text"]!);
        Assert.Contains("your order ships tomorrow", json);
        var buttons = ActionsOf(posted)!;
        Assert.Equal([card.ApproveUrl, card.RejectUrl], buttons.Select(b => (string)b!["url"]!));
        Assert.All(buttons, b => Assert.Null(b!["value"]));

        // A decision taken on the card's own Slack buttons replaced it already; one taken elsewhere is told in a follow-up.
        await channel.CloseAsync(config, notice, card, new ApprovalOutcome("sent", "slack:U0ANA", DateTimeOffset.UtcNow), CancellationToken.None);
        Assert.Single(Slack.To(webhook));
        await channel.CloseAsync(config, notice, card, new ApprovalOutcome("sent", "email:ana@example.org", DateTimeOffset.UtcNow), CancellationToken.None);
        var followUp = Slack.To(webhook)[1].Body;
        Assert.Null(ActionsOf(followUp));
        Assert.Contains("Approved by email:ana@example.org", followUp.ToJsonString());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Bad_settings_are_validation_errors_on_their_config_fields(string provider)
    {
        var (_, api, channel) = await ChannelAsync(provider);
        async Task<string?> FieldOf(ApprovalChannelConfig config) =>
            (await Assert.ThrowsAsync<ValidationException>(() => channel.PrepareAsync(api.OrgId, config, CancellationToken.None))).Field;

        Assert.Equal("approval_channel.config.webhook_url", await FieldOf(Config(("channel", "#approvals"))));
        Assert.Equal("approval_channel.config.webhook_url", await FieldOf(Config(("webhook_url", "hooks.slack.com/services/x"))));
        Assert.Equal("approval_channel.config.channel", await FieldOf(Config(("bot_token", Slack.NewBotToken()))));
        Assert.Equal("approval_channel.config.bot_token", await FieldOf(Config(("bot_token", "xoxb-revoked"), ("channel", "#approvals"))));
        Assert.Contains(Slack.Requests, r => r.Path == "/api/auth.test" && r.Authorization == "Bearer xoxb-revoked");
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_signed_click_decides_and_replaces_the_card_through_its_response_url(string provider)
    {
        var (server, api, channel) = await ChannelAsync(provider);
        var webhook = Slack.NewWebhookUrl();
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var config = await channel.PrepareAsync(api.OrgId, Config(("webhook_url", webhook), ("signing_secret", secret)), CancellationToken.None);
        Assert.StartsWith("sl_", config["hook_id"]);
        var card = ChatApprovalFixture.Card(api.OrgId);
        await channel.AnnounceAsync(config, card, CancellationToken.None);
        var posted = Assert.Single(Slack.To(webhook)).Body;
        var buttons = ActionsOf(posted)!;
        Assert.All(buttons, b => Assert.Null(b!["url"]));
        Assert.All(buttons, b => Assert.Equal(56, ((string)b!["value"]!).Length));

        var responseUrl = Slack.NewResponseUrl();
        Assert.Equal(HttpStatusCode.OK, await PostClickAsync(server, Click(posted, "approve", responseUrl), secret));

        var decision = Assert.Single(await fixture.Reviews.WaitForAsync(card.DraftId));
        Assert.Equal(new RecordingDraftReviews.Decision("approve", api.OrgId, card.DraftId, "slack:U0ANA", null), decision);
        var replaced = (await Slack.WaitForAsync(r => Slack.BaseUrl + r.Path == responseUrl)).Body;
        Assert.True((bool?)replaced["replace_original"]);
        Assert.Null(ActionsOf(replaced));
        Assert.Contains("Approved by slack:U0ANA at ", replaced["blocks"]!.AsArray()[^1]!.ToJsonString());
        Assert.Contains("your order ships tomorrow", replaced.ToJsonString());

        // The card's other button acts no more: only the person who clicked is told.
        var again = Slack.NewResponseUrl();
        Assert.Equal(HttpStatusCode.OK, await PostClickAsync(server, Click(posted, "reject", again, "U0BOB"), secret));
        var told = (await Slack.WaitForAsync(r => Slack.BaseUrl + r.Path == again)).Body;
        Assert.Equal("ephemeral", (string?)told["response_type"]);
        Assert.False((bool?)told["replace_original"]);
        Assert.Contains("no longer acts", (string?)told["text"]);
        Assert.Single(fixture.Reviews.Of(card.DraftId));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Clicks_with_a_bad_signature_or_an_old_timestamp_are_refused(string provider)
    {
        var (server, api, channel) = await ChannelAsync(provider);
        var webhook = Slack.NewWebhookUrl();
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var config = await channel.PrepareAsync(api.OrgId, Config(("webhook_url", webhook), ("signing_secret", secret)), CancellationToken.None);
        var card = ChatApprovalFixture.Card(api.OrgId);
        await channel.AnnounceAsync(config, card, CancellationToken.None);
        var posted = Assert.Single(Slack.To(webhook)).Body;
        var responseUrl = Slack.NewResponseUrl();
        var click = Click(posted, "approve", responseUrl);

        Assert.Equal(HttpStatusCode.Unauthorized, await PostClickAsync(server, click, "another-apps-secret"));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostClickAsync(server, click, secret, age: TimeSpan.FromMinutes(6)));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostClickAsync(server, click, secret, age: TimeSpan.FromMinutes(-6)));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostClickAsync(server, click, secret, tamper: body => body.Replace("U0ANA", "U0EVE", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostClickAsync(server, click, secret, signed: false));
        var elsewhere = (JsonObject)click.DeepClone();
        elsewhere["actions"]![0]!["block_id"] = "mailroom:sl_nosuchhook";
        Assert.Equal(HttpStatusCode.Unauthorized, await PostClickAsync(server, elsewhere, secret));

        // Within the window the same click is taken: the refusals above were for the signature and the time alone.
        Assert.Equal(HttpStatusCode.OK, await PostClickAsync(server, click, secret, age: TimeSpan.FromMinutes(4)));
        Assert.Single(await fixture.Reviews.WaitForAsync(card.DraftId));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_refused_decision_is_told_only_to_the_person_who_clicked(string provider)
    {
        var (server, api, channel) = await ChannelAsync(provider);
        var webhook = Slack.NewWebhookUrl();
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var config = await channel.PrepareAsync(api.OrgId, Config(("webhook_url", webhook), ("signing_secret", secret)), CancellationToken.None);
        var card = ChatApprovalFixture.Card(api.OrgId);
        fixture.Reviews.Refusals[card.DraftId] = "the draft is stale: newer mail reached the thread";
        await channel.AnnounceAsync(config, card, CancellationToken.None);
        var responseUrl = Slack.NewResponseUrl();

        Assert.Equal(HttpStatusCode.OK, await PostClickAsync(server, Click(Assert.Single(Slack.To(webhook)).Body, "approve", responseUrl), secret));

        var told = (await Slack.WaitForAsync(r => Slack.BaseUrl + r.Path == responseUrl)).Body;
        Assert.Equal("ephemeral", (string?)told["response_type"]);
        Assert.Equal("Nothing was done: the draft is stale: newer mail reached the thread", (string?)told["text"]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task With_a_bot_token_cards_go_out_by_chat_postMessage_and_are_kept_current_by_chat_update(string provider)
    {
        var (_, api, channel) = await ChannelAsync(provider);
        var bot = Slack.NewBotToken();
        var config = await channel.PrepareAsync(api.OrgId, Config(("bot_token", bot), ("channel", "#approvals"),
            ("signing_secret", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)))), CancellationToken.None);
        Assert.Contains(Slack.Requests, r => r.Path == "/api/auth.test" && r.Authorization == "Bearer " + bot);
        var card = ChatApprovalFixture.Card(api.OrgId);

        var notice = await channel.AnnounceAsync(config, card, CancellationToken.None);

        var post = Assert.Single(Slack.Requests, r => r.Path == "/api/chat.postMessage" && r.Authorization == "Bearer " + bot).Body;
        Assert.Equal("#approvals", (string?)post["channel"]);
        Assert.Equal(2, ActionsOf(post)!.Count);
        await channel.CloseAsync(config, notice, card, new ApprovalOutcome("rejected", "api:key_1", DateTimeOffset.UtcNow, "wrong tone"), CancellationToken.None);
        var update = Assert.Single(Slack.Requests, r => r.Path == "/api/chat.update" && r.Authorization == "Bearer " + bot).Body;
        Assert.Equal("CAPPROVALS", (string?)update["channel"]);
        Assert.NotNull((string?)update["ts"]);
        Assert.Null(ActionsOf(update));
        Assert.Contains("Rejected by api:key_1 at ", update.ToJsonString());
        Assert.Contains("wrong tone", update.ToJsonString());
    }
}
