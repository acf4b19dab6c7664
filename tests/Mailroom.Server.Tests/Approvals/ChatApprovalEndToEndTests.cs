using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Api.V1;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;
using static Mailroom.Server.Tests.Api.V1.V1TestKit;

namespace Mailroom.Server.Tests.Approvals;

/// <summary>The fakes and one server per database with the product's own draft use cases (no recorded decisions).</summary>
public sealed class EndToEndServers : ChatApprovalFixture
{
    protected override Action<IServiceCollection>? Replacements => null;
}

/// <summary>
/// The whole loop over HTTP: an identity with a Telegram or Slack approval channel made through <c>/v1/identities</c>, a
/// draft submitted through <c>/v1/drafts</c>, and the person's decision coming back as Telegram and Slack send it.
/// </summary>
public sealed class ChatApprovalEndToEndTests(EndToEndServers servers) : IClassFixture<EndToEndServers>
{
    private const long ChatId = -1009876543;
    private static readonly JsonObject Ana = FakeTelegramBotApi.Person(4242, "Ana", "ana");

    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private FakeTelegramBotApi Bot => servers.Telegram;

    private async Task<(MailroomTestServer Server, Conversation C, string Token, string HookUrl, string Secret)> TelegramIdentityAsync(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var token = Bot.NewBot();
        var identity = await CreateIdentityAsync(api, new
        {
            type = "telegram", config = new { bot_token = token, chat_id = ChatId.ToString(CultureInfo.InvariantCulture) },
        });
        // Secrets are shown masked: the webhook's secret is learnt the way Telegram learns it, from setWebhook.
        var shown = identity["approval_channel"]!["config"]!;
        Assert.DoesNotContain(token, identity.ToJsonString());
        Assert.StartsWith("••••", (string)shown["bot_token"]!);
        Assert.StartsWith("••••", (string)shown["secret_token"]!);
        Assert.Equal(ChatId.ToString(CultureInfo.InvariantCulture), (string)shown["chat_id"]!);
        var registration = Assert.Single(Bot.CallsOf(token, "setWebhook")).Body;
        return (server, await ConversationAsync(api, identity), token, (string)registration["url"]!, (string)registration["secret_token"]!);
    }

    private static async Task PostUpdateAsync(string hookUrl, string secret, JsonObject update)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, hookUrl) { Content = new StringContent(update.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_bad_bot_token_is_refused_when_the_identity_is_created(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var (status, body) = await api.PostAsync("/v1/identities", new
        {
            domain_id = "dom_platform", local_part = Unique("agent"), display_name = "Mia",
            approval_channel = new { type = "telegram", config = new { bot_token = "123:revoked", chat_id = "1" } },
        });
        Assert.Equal(422, status);
        Assert.Equal("invalid_request", (string?)body!["error"]);
        Assert.Contains("bot_token", (string?)body["message"]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Approve_pressed_in_Telegram_sends_the_draft_and_closes_the_card(string provider)
    {
        var (_, c, token, hookUrl, secret) = await TelegramIdentityAsync(provider);

        var draftId = (string)(await DraftAsync(c))["id"]!;

        var card = Bot.LastSent(token, ChatId);
        Assert.Contains("Your parcel left our warehouse today.", (string)card["text"]!);
        Assert.Contains(c.IdentityAddress, (string)card["text"]!);
        await PostUpdateAsync(hookUrl, secret, Bot.ButtonPress(card, FakeTelegramBotApi.Buttons(card)[0].Data, Ana));

        var draft = (await c.Api.GetAsync($"/v1/drafts/{draftId}")).Body!;
        Assert.Equal("sent", (string)draft["status"]!);
        Assert.Equal("telegram:@ana", (string)draft["decided_by"]!);
        var closed = Bot.Message(ChatId, (int)card["message_id"]!);
        Assert.Null(closed["reply_markup"]);
        Assert.Contains("✅ Approved by telegram:@ana at ", (string)closed["text"]!);
        Assert.Contains("Approved by telegram:@ana", (string?)Bot.CallsOf(token, "answerCallbackQuery")[^1].Body["text"]);
        // The customer gets the reply.
        await EventuallyAsync(async () =>
            (await c.Api.GetAsync($"/api/v0/inboxes/{c.CustomerInboxId}/threads")).Body!["data"]!.AsArray().FirstOrDefault(t => (int)t!["message_count"]! == 2));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Edit_through_ForceReply_makes_a_new_version_with_a_new_card(string provider)
    {
        var (_, c, token, hookUrl, secret) = await TelegramIdentityAsync(provider);
        var draftId = (string)(await DraftAsync(c))["id"]!;
        var card = Bot.LastSent(token, ChatId);

        await PostUpdateAsync(hookUrl, secret, Bot.ButtonPress(card, FakeTelegramBotApi.Buttons(card)[2].Data, Ana));
        var question = Bot.LastSent(token, ChatId);
        Assert.Contains("reply to this message", (string)question["text"]!);
        await PostUpdateAsync(hookUrl, secret, Bot.Reply(question, "Your parcel arrives on Monday.", Ana));

        var versions = (await c.Api.GetAsync($"/v1/drafts/{draftId}/versions")).Body!["data"]!.AsArray();
        Assert.Equal(2, versions.Count);
        var draft = (await c.Api.GetAsync($"/v1/drafts/{draftId}")).Body!;
        Assert.Equal(2, (int)draft["version"]!);
        Assert.Equal("pending", (string)draft["status"]!);
        Assert.Equal("Your parcel arrives on Monday.", (string)draft["body_text"]!);
        var old = Bot.Message(ChatId, (int)card["message_id"]!);
        Assert.Null(old["reply_markup"]);
        Assert.Contains("✏️ Edited by telegram:@ana", (string)old["text"]!);
        var renewed = Bot.LastSent(token, ChatId);
        Assert.Contains("Your parcel arrives on Monday.", (string)renewed["text"]!);
        Assert.Contains("Version 2", (string)renewed["text"]!);

        // The old card's buttons stopped; the new card's approve the new text.
        await PostUpdateAsync(hookUrl, secret, Bot.ButtonPress(card, FakeTelegramBotApi.Buttons(card)[0].Data, Ana));
        Assert.Equal("pending", (string)(await c.Api.GetAsync($"/v1/drafts/{draftId}")).Body!["status"]!);
        await PostUpdateAsync(hookUrl, secret, Bot.ButtonPress(renewed, FakeTelegramBotApi.Buttons(renewed)[0].Data, Ana));
        Assert.Equal("sent", (string)(await c.Api.GetAsync($"/v1/drafts/{draftId}")).Body!["status"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_decision_through_the_API_closes_the_Telegram_card(string provider)
    {
        var (_, c, token, hookUrl, secret) = await TelegramIdentityAsync(provider);
        var draftId = (string)(await DraftAsync(c))["id"]!;
        var card = Bot.LastSent(token, ChatId);

        var (status, _) = await c.Api.PostAsync($"/v1/drafts/{draftId}/reject", new { reason = "wrong tone" });
        Assert.Equal(200, status);

        var closed = Bot.Message(ChatId, (int)card["message_id"]!);
        Assert.Null(closed["reply_markup"]);
        Assert.Contains("❌ Rejected by api_key:", (string)closed["text"]!);
        await PostUpdateAsync(hookUrl, secret, Bot.ButtonPress(card, FakeTelegramBotApi.Buttons(card)[0].Data, Ana));
        Assert.Equal("rejected", (string)(await c.Api.GetAsync($"/v1/drafts/{draftId}")).Body!["status"]!);
        Assert.Contains("no longer acts", (string?)Bot.CallsOf(token, "answerCallbackQuery")[^1].Body["text"]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Approve_clicked_in_Slack_sends_the_draft_and_replaces_the_card(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var webhook = servers.Slack.NewWebhookUrl();
        var signingSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var identity = await CreateIdentityAsync(api, new
        {
            type = "slack", config = new { webhook_url = webhook, channel = "#approvals", signing_secret = signingSecret },
        });
        var shown = identity["approval_channel"]!["config"]!;
        Assert.StartsWith("••••", (string)shown["webhook_url"]!);
        Assert.StartsWith("••••", (string)shown["signing_secret"]!);
        Assert.DoesNotContain(signingSecret, identity.ToJsonString());
        var c = await ConversationAsync(api, identity);

        var draftId = (string)(await DraftAsync(c))["id"]!;

        var posted = (await servers.Slack.WaitForAsync(r => servers.Slack.BaseUrl + r.Path == webhook)).Body;
        var actions = posted["blocks"]!.AsArray().Single(b => (string?)b!["type"] == "actions")!;
        var approve = actions["elements"]!.AsArray().Single(e => (string?)e!["action_id"] == "approve")!;
        var responseUrl = servers.Slack.NewResponseUrl();
        var payload = new JsonObject
        {
            ["type"] = "block_actions", ["user"] = new JsonObject { ["id"] = "U0ANA", ["username"] = "ana" },
            ["channel"] = new JsonObject { ["id"] = "C0APPROVALS" }, ["response_url"] = responseUrl,
            ["message"] = new JsonObject { ["ts"] = "1764000000.000100", ["text"] = posted["text"]!.DeepClone(), ["blocks"] = posted["blocks"]!.DeepClone() },
            ["actions"] = new JsonArray(new JsonObject
            {
                ["type"] = "button", ["action_id"] = "approve", ["block_id"] = actions["block_id"]!.DeepClone(), ["value"] = approve["value"]!.DeepClone(),
            }),
        };
        var body = "payload=" + Uri.EscapeDataString(payload.ToJsonString());
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/slack/actions") { Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded") };
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature",
            "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}"))));
        using var client = server.Client();
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var replaced = (await servers.Slack.WaitForAsync(r => servers.Slack.BaseUrl + r.Path == responseUrl)).Body;
        Assert.True((bool?)replaced["replace_original"]);
        Assert.DoesNotContain(replaced["blocks"]!.AsArray(), b => (string?)b!["type"] == "actions");
        Assert.Contains("Approved by slack:U0ANA", replaced.ToJsonString());
        var draft = (await api.GetAsync($"/v1/drafts/{draftId}")).Body!;
        Assert.Equal("sent", (string)draft["status"]!);
        Assert.Equal("slack:U0ANA", (string)draft["decided_by"]!);
        // The card was replaced by the click itself: no follow-up on the webhook.
        Assert.Single(servers.Slack.To(webhook));
    }
}
