using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Approvals;

/// <summary>
/// The Telegram channel from the server's own DI against a fake Bot API on 127.0.0.1, driven as Telegram drives it: real
/// Update JSON posted to the webhook the channel registered, or handed out by getUpdates in polling mode.
/// </summary>
public sealed class TelegramApprovalChannelTests(ChatApprovalFixture fixture) : IClassFixture<ChatApprovalFixture>
{
    private const long ChatId = -1001234567;
    private static readonly JsonObject Ana = FakeTelegramBotApi.Person(4242, "Ana", "ana");

    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private FakeTelegramBotApi Bot => fixture.Telegram;

    private async Task<(MailroomTestServer Server, ApiClient Api, IApprovalChannel Channel, ApprovalChannelConfig Config, string Token)> PreparedAsync(string provider)
    {
        var server = await fixture.For(provider);
        var api = await server.NewOrganizationAsync();
        var channel = ChatApprovalFixture.Channel(server, ApprovalChannelTypes.Telegram);
        var token = Bot.NewBot();
        var config = await channel.PrepareAsync(api.OrgId, Config(token), CancellationToken.None);
        return (server, api, channel, config, token);
    }

    private static ApprovalChannelConfig Config(string token, long chat = ChatId) =>
        new(ApprovalChannelTypes.Telegram, new Dictionary<string, string> { ["bot_token"] = token, ["chat_id"] = chat.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    private static async Task<HttpStatusCode> PostUpdateAsync(MailroomTestServer server, ApprovalChannelConfig config, JsonObject update, string? secret = "")
    {
        using var client = server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/telegram/{config["hook_id"]}")
        {
            Content = new StringContent(update.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (secret is not null) request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret.Length == 0 ? config["secret_token"] : secret);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Preparing_checks_the_token_with_getMe_and_registers_the_webhook_with_a_secret_token(string provider)
    {
        var (server, _, channel, config, token) = await PreparedAsync(provider);

        Assert.Single(Bot.CallsOf(token, "getMe"));
        var registration = Assert.Single(Bot.CallsOf(token, "setWebhook")).Body;
        Assert.Equal($"{server.Address.ToString().TrimEnd('/')}/hooks/telegram/{config["hook_id"]}", (string?)registration["url"]);
        Assert.Equal(config["secret_token"], (string?)registration["secret_token"]);
        Assert.True(config["secret_token"]!.Length >= 32);
        Assert.Equal(["message", "callback_query"], registration["allowed_updates"]!.AsArray().Select(u => (string)u!));
        Assert.Equal("approvals_test_bot", config["bot_username"]);
        Assert.Contains("bot_token", channel.SecretKeys);
        Assert.Contains("secret_token", channel.SecretKeys);
        Assert.Empty(Bot.CallsOf(token, "deleteWebhook"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_bad_token_or_chat_is_a_validation_error_on_its_config_field(string provider)
    {
        var server = await fixture.For(provider);
        var api = await server.NewOrganizationAsync();
        var channel = ChatApprovalFixture.Channel(server, ApprovalChannelTypes.Telegram);

        var unknown = "123456:unknown-" + Guid.NewGuid().ToString("N");
        var refused = await Assert.ThrowsAsync<ValidationException>(() => channel.PrepareAsync(api.OrgId, Config(unknown), CancellationToken.None));
        Assert.Equal("approval_channel.config.bot_token", refused.Field);
        Assert.Contains("Unauthorized", refused.Detail);
        Assert.Single(Bot.CallsOf(unknown, "getMe"));

        var malformed = await Assert.ThrowsAsync<ValidationException>(() => channel.PrepareAsync(api.OrgId, Config("not a token"), CancellationToken.None));
        Assert.Equal("approval_channel.config.bot_token", malformed.Field);
        var noChat = await Assert.ThrowsAsync<ValidationException>(() => channel.PrepareAsync(api.OrgId,
            new ApprovalChannelConfig(ApprovalChannelTypes.Telegram, new Dictionary<string, string> { ["bot_token"] = Bot.NewBot() }), CancellationToken.None));
        Assert.Equal("approval_channel.config.chat_id", noChat.Field);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Approve_on_the_card_decides_answers_the_callback_and_closes_the_card(string provider)
    {
        var (server, api, channel, config, token) = await PreparedAsync(provider);
        var card = ChatApprovalFixture.Card(api.OrgId);

        var notice = await channel.AnnounceAsync(config, card, CancellationToken.None);
        Assert.Equal(ApprovalChannelTypes.Telegram, notice.Type);
        var posted = Bot.LastSent(token, ChatId);
        Assert.Contains("Re: Your order <1234> & delivery", (string)posted["text"]!);
        Assert.Contains("your order ships tomorrow", (string)posted["text"]!);
        Assert.Contains("Why: The customer asked", (string)posted["text"]!);
        var buttons = FakeTelegramBotApi.Buttons(posted);
        Assert.Equal(["✅ Approve", "❌ Reject", "✏️ Edit"], buttons.Select(b => b.Text));
        Assert.All(buttons, b => Assert.InRange(Encoding.UTF8.GetByteCount(b.Data), 1, 64));
        Assert.Equal(3, buttons.Select(b => b.Data).Distinct().Count());

        Assert.Equal(HttpStatusCode.OK, await PostUpdateAsync(server, config, Bot.ButtonPress(posted, buttons[0].Data, Ana)));

        var decision = Assert.Single(fixture.Reviews.Of(card.DraftId));
        Assert.Equal(new RecordingDraftReviews.Decision("approve", api.OrgId, card.DraftId, "telegram:@ana", null), decision);
        Assert.Contains("Approved by telegram:@ana", (string?)Assert.Single(Bot.CallsOf(token, "answerCallbackQuery")).Body["text"]);
        var closed = Bot.Message(ChatId, (int)posted["message_id"]!);
        Assert.Null(closed["reply_markup"]);
        Assert.Contains("✅ Approved by telegram:@ana at ", (string)closed["text"]!);
        Assert.StartsWith((string)posted["text"]!, (string)closed["text"]!);

        // The use case then closes every card of the draft: this one shows the decision already and stays as it is.
        await channel.CloseAsync(config, notice, card, new ApprovalOutcome("sent", "telegram:@ana", DateTimeOffset.UtcNow), CancellationToken.None);

        // A second press of the same card acts no more.
        Assert.Equal(HttpStatusCode.OK, await PostUpdateAsync(server, config, Bot.ButtonPress(posted, buttons[1].Data, Ana)));
        Assert.Single(fixture.Reviews.Of(card.DraftId));
        var refusal = Bot.CallsOf(token, "answerCallbackQuery")[^1].Body;
        Assert.Contains("no longer acts", (string?)refusal["text"]);
        Assert.True((bool?)refusal["show_alert"]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Reject_on_the_card_rejects(string provider)
    {
        var (server, api, channel, config, token) = await PreparedAsync(provider);
        var card = ChatApprovalFixture.Card(api.OrgId);
        await channel.AnnounceAsync(config, card, CancellationToken.None);
        var posted = Bot.LastSent(token, ChatId);

        var bob = FakeTelegramBotApi.Person(777, "Bob", null);
        Assert.Equal(HttpStatusCode.OK, await PostUpdateAsync(server, config, Bot.ButtonPress(posted, FakeTelegramBotApi.Buttons(posted)[1].Data, bob)));

        Assert.Equal("reject", Assert.Single(fixture.Reviews.Of(card.DraftId)).Kind);
        Assert.Equal("telegram:777", fixture.Reviews.Of(card.DraftId)[0].By);
        Assert.Contains("❌ Rejected by telegram:777", (string)Bot.Message(ChatId, (int)posted["message_id"]!)["text"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Updates_without_the_secret_token_are_refused_and_change_nothing(string provider)
    {
        var (server, api, channel, config, token) = await PreparedAsync(provider);
        var card = ChatApprovalFixture.Card(api.OrgId);
        await channel.AnnounceAsync(config, card, CancellationToken.None);
        var posted = Bot.LastSent(token, ChatId);
        var press = Bot.ButtonPress(posted, FakeTelegramBotApi.Buttons(posted)[0].Data, Ana);

        Assert.Equal(HttpStatusCode.Unauthorized, await PostUpdateAsync(server, config, press, secret: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostUpdateAsync(server, config, press, secret: "wrong-secret"));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostUpdateAsync(server, config, press, secret: config["secret_token"]![..^1]));
        var elsewhere = config with { Values = new Dictionary<string, string>(config.Values) { ["hook_id"] = "tg_nosuchhook" } };
        Assert.Equal(HttpStatusCode.NotFound, await PostUpdateAsync(server, elsewhere, press));

        Assert.Empty(fixture.Reviews.Of(card.DraftId));
        Assert.Empty(Bot.CallsOf(token, "answerCallbackQuery"));
        Assert.NotNull(Bot.Message(ChatId, (int)posted["message_id"]!)["reply_markup"]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_button_pressed_in_another_chat_is_ignored(string provider)
    {
        var (server, api, channel, config, token) = await PreparedAsync(provider);
        var card = ChatApprovalFixture.Card(api.OrgId);
        await channel.AnnounceAsync(config, card, CancellationToken.None);
        var posted = Bot.LastSent(token, ChatId);
        var copy = (JsonObject)posted.DeepClone();
        copy["chat"] = new JsonObject { ["id"] = 555, ["type"] = "private", ["first_name"] = "Mallory" };

        Assert.Equal(HttpStatusCode.OK, await PostUpdateAsync(server, config, Bot.ButtonPress(copy, FakeTelegramBotApi.Buttons(posted)[0].Data, Ana)));

        Assert.Empty(fixture.Reviews.Of(card.DraftId));
        Assert.Contains("no longer acts", (string?)Assert.Single(Bot.CallsOf(token, "answerCallbackQuery")).Body["text"]);
        Assert.NotNull(Bot.Message(ChatId, (int)posted["message_id"]!)["reply_markup"]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_refused_decision_is_told_to_the_person_and_the_card_stays(string provider)
    {
        var (server, api, channel, config, token) = await PreparedAsync(provider);
        var card = ChatApprovalFixture.Card(api.OrgId);
        fixture.Reviews.Refusals[card.DraftId] = "the draft is stale: newer mail reached the thread";
        await channel.AnnounceAsync(config, card, CancellationToken.None);
        var posted = Bot.LastSent(token, ChatId);

        Assert.Equal(HttpStatusCode.OK, await PostUpdateAsync(server, config, Bot.ButtonPress(posted, FakeTelegramBotApi.Buttons(posted)[0].Data, Ana)));

        var answer = Assert.Single(Bot.CallsOf(token, "answerCallbackQuery")).Body;
        Assert.Equal("the draft is stale: newer mail reached the thread", (string?)answer["text"]);
        Assert.True((bool?)answer["show_alert"]);
        Assert.NotNull(Bot.Message(ChatId, (int)posted["message_id"]!)["reply_markup"]);
        Assert.Empty(Bot.CallsOf(token, "editMessageText"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Edit_asks_with_ForceReply_and_the_reply_becomes_the_new_text(string provider)
    {
        var (server, api, channel, config, token) = await PreparedAsync(provider);
        var card = ChatApprovalFixture.Card(api.OrgId);
        await channel.AnnounceAsync(config, card, CancellationToken.None);
        var posted = Bot.LastSent(token, ChatId);
        var buttons = FakeTelegramBotApi.Buttons(posted);

        Assert.Equal(HttpStatusCode.OK, await PostUpdateAsync(server, config, Bot.ButtonPress(posted, buttons[2].Data, Ana)));
        var ask = Bot.CallsOf(token, "sendMessage")[^1];
        Assert.Equal(true, (bool?)ask.Body["reply_markup"]!["force_reply"]);
        Assert.Equal(true, (bool?)ask.Body["reply_markup"]!["selective"]);
        Assert.StartsWith("@ana, reply to this message", (string)ask.Body["text"]!);
        Assert.Equal((int)posted["message_id"]!, (int)ask.Body["reply_parameters"]!["message_id"]!);
        Assert.Empty(fixture.Reviews.Of(card.DraftId));
        var question = Bot.Message(ChatId, (int)ask.Sent!["message_id"]!);

        // A reply to some other message of the chat is conversation, not an edit.
        var chatter = new JsonObject { ["message_id"] = 1, ["from"] = Ana.DeepClone(), ["chat"] = posted["chat"]!.DeepClone(), ["date"] = 1, ["text"] = "hi" };
        Assert.Equal(HttpStatusCode.OK, await PostUpdateAsync(server, config, Bot.Reply(chatter, "not this", Ana)));
        Assert.Empty(fixture.Reviews.Of(card.DraftId));

        Assert.Equal(HttpStatusCode.OK, await PostUpdateAsync(server, config, Bot.Reply(question, "Hello,\n\nit ships on Monday.\n\nMia", Ana)));

        var edit = Assert.Single(fixture.Reviews.Of(card.DraftId));
        Assert.Equal(new RecordingDraftReviews.Decision("edit", api.OrgId, card.DraftId, "telegram:@ana", "Hello,\n\nit ships on Monday.\n\nMia"), edit);
        var old = Bot.Message(ChatId, (int)posted["message_id"]!);
        Assert.Null(old["reply_markup"]);
        Assert.Contains("✏️ Edited by telegram:@ana", (string)old["text"]!);

        // The old card's buttons stopped with it; the question was answered once.
        Assert.Equal(HttpStatusCode.OK, await PostUpdateAsync(server, config, Bot.ButtonPress(posted, buttons[0].Data, Ana)));
        Assert.Equal(HttpStatusCode.OK, await PostUpdateAsync(server, config, Bot.Reply(question, "again", Ana)));
        Assert.Single(fixture.Reviews.Of(card.DraftId));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_decision_taken_elsewhere_closes_the_card_and_stops_its_buttons(string provider)
    {
        var (server, api, channel, config, token) = await PreparedAsync(provider);
        var card = ChatApprovalFixture.Card(api.OrgId);
        var notice = await channel.AnnounceAsync(config, card, CancellationToken.None);
        var posted = Bot.LastSent(token, ChatId);

        await channel.CloseAsync(config, notice, card, new ApprovalOutcome("rejected", "api:key_1", DateTimeOffset.UtcNow, "wrong tone"), CancellationToken.None);

        var closed = Bot.Message(ChatId, (int)posted["message_id"]!);
        Assert.Null(closed["reply_markup"]);
        Assert.Contains("❌ Rejected by api:key_1 at ", (string)closed["text"]!);
        Assert.EndsWith("UTC: wrong tone", (string)closed["text"]!);
        Assert.Equal(HttpStatusCode.OK, await PostUpdateAsync(server, config, Bot.ButtonPress(posted, FakeTelegramBotApi.Buttons(posted)[0].Data, Ana)));
        Assert.Empty(fixture.Reviews.Of(card.DraftId));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Polling_mode_takes_the_same_updates_from_getUpdates(string provider)
    {
        await using var server = await fixture.StartAsync(provider, fixture.Settings("polling"));
        var api = await server.NewOrganizationAsync();
        var channel = ChatApprovalFixture.Channel(server, ApprovalChannelTypes.Telegram);
        var token = Bot.NewBot();
        var config = await channel.PrepareAsync(api.OrgId, Config(token), CancellationToken.None);
        Assert.Single(Bot.CallsOf(token, "deleteWebhook"));
        Assert.Empty(Bot.CallsOf(token, "setWebhook"));

        var card = ChatApprovalFixture.Card(api.OrgId);
        await channel.AnnounceAsync(config, card, CancellationToken.None);
        var posted = Bot.LastSent(token, ChatId);
        var press = Bot.ButtonPress(posted, FakeTelegramBotApi.Buttons(posted)[0].Data, Ana);
        Bot.QueueUpdate(token, press);

        Assert.Equal("approve", Assert.Single(await fixture.Reviews.WaitForAsync(card.DraftId)).Kind);
        await Bot.WaitForCallAsync(token, "editMessageText");
        Assert.Null(Bot.Message(ChatId, (int)posted["message_id"]!)["reply_markup"]);
        // The next poll confirms the update, so it is not handed out again.
        var next = (int)press["update_id"]! + 1;
        await Bot.WaitForCallAsync(token, "getUpdates", c => (int?)c.Body["offset"] == next);
        Assert.Single(fixture.Reviews.Of(card.DraftId));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_Bot_API_is_reached_through_the_guarded_client(string provider)
    {
        string[] settings = [.. fixture.Settings("webhook").Where(s => !s.Contains("AllowPrivateTargets", StringComparison.Ordinal))];
        await using var server = await fixture.StartAsync(provider, settings);
        var api = await server.NewOrganizationAsync();
        var token = Bot.NewBot();

        var refused = await Assert.ThrowsAsync<ValidationException>(() =>
            ChatApprovalFixture.Channel(server, ApprovalChannelTypes.Telegram).PrepareAsync(api.OrgId, Config(token), CancellationToken.None));
        Assert.Contains("private or reserved", refused.Detail);
        Assert.Empty(Bot.CallsOf(token, "getMe"));
    }
}
