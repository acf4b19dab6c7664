using System.Text.Json.Nodes;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Mime;
using Mailroom.Server.Tests.Api.AgentChannels;
using Mailroom.Server.Tests.Api.V1;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;
using static Mailroom.Server.Tests.Api.V1.V1TestKit;

namespace Mailroom.Server.Tests.Automation;

/// <summary>A secondary approval channel that never takes a card (its service is down), for OnEscalateFailed.</summary>
public sealed class FailingChannel : IApprovalChannel
{
    public const string TypeName = "failing";

    public string Type => TypeName;
    public IReadOnlySet<string> SecretKeys { get; } = new HashSet<string>();

    public Task<ApprovalChannelConfig> PrepareAsync(string orgId, ApprovalChannelConfig config, CancellationToken ct) => Task.FromResult(config);

    public Task<ChannelNotice> AnnounceAsync(ApprovalChannelConfig config, ApprovalCard card, CancellationToken ct) =>
        throw new HttpRequestException("the chat service is down");

    public Task CloseAsync(ApprovalChannelConfig config, ChannelNotice notice, ApprovalCard card, ApprovalOutcome outcome, CancellationToken ct) =>
        Task.CompletedTask;
}

/// <summary>
/// The automation hooks around drafts, end to end: the escalation hooks on a controlled clock, and an automation's Reply
/// going through the identity's approval flow (the approval mail leaves through the outbound path to a receiver).
/// </summary>
public sealed class AutomationHookTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private static async Task<long> ActionAsync(ApiClient api, object body)
    {
        var (status, created) = await api.PostAsync("/api/Actions", body);
        Assert.True(status == 201, $"{status} {ApiClient.Json(created)}");
        return (long)created!["actionID"]!;
    }

    private static async Task HookAsync(ApiClient api, string hook, long actionId, int priority)
    {
        var (status, body) = await api.PostAsync("/api/HookActions", new { hookName = hook, actionID = actionId, priority });
        Assert.True(status == 201, $"{status} {ApiClient.Json(body)}");
    }

    private static async Task<JsonArray> RunsAsync(ApiClient api, string threadId, int count)
    {
        var runs = await EventuallyAsync(async () =>
        {
            var items = (await api.GetAsync($"/api/ActionRuns?threadId={threadId}&pageSize=100")).Body!["items"]!.AsArray();
            return items.Count >= count ? items : null;
        }, seconds: 30);
        return runs;
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_escalating_draft_runs_OnEscalate_then_PostEscalate_or_OnEscalateFailed_on_its_thread(string provider)
    {
        var clock = new TestClock();
        await using var receiver = await ApiReceiver.StartAsync();
        await using var server = await MailroomTestServer.StartAsync(provider, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<IApprovalChannel>(new RecordingChannel());
            services.AddSingleton<IApprovalChannel>(new FailingChannel());
        }, "--Mailroom:Approvals:EscalationPollInterval=00:00:00.2", "--Mailroom:Webhooks:AllowPrivateTargets=true");
        var api = await server.NewOrganizationAsync();
        var told = await ActionAsync(api, new
        {
            name = "Tell the CRM", actionType = "ApiCall", overrideApiBaseUrl = receiver.BaseUrl, apiEndpoint = "/escalated/{{ticket.id}}",
            apiMethod = "POST", apiBodyTemplate = """{"subject": {{json message.subject}} }""",
        });
        var close = await ActionAsync(api, new { name = "Close", actionType = "Close" });
        var failed = await ActionAsync(api, new { name = "Page someone", actionType = "ApiCall", overrideApiBaseUrl = receiver.BaseUrl,
            apiEndpoint = "/unannounced/{{ticket.id}}", apiMethod = "POST" });
        await HookAsync(api, "OnEscalate", told, 1);
        await HookAsync(api, "PostEscalate", close, 1);
        await HookAsync(api, "OnEscalateFailed", failed, 1);
        await HookAsync(api, "OnClose", await ActionAsync(api, new { name = "Closed", actionType = "ApiCall", overrideApiBaseUrl = receiver.BaseUrl,
            apiEndpoint = "/closed/{{ticket.id}}/{{ticket.status}}", apiMethod = "POST" }), 1);

        var taken = await ConversationAsync(api, await CreateIdentityAsync(api, RecordingChannelSettings("primary"),
            secondary: RecordingChannelSettings("secondary"), escalationMinutes: 10), "Taken by the secondary channel");
        var lost = await ConversationAsync(api, await CreateIdentityAsync(api, RecordingChannelSettings("primary"),
            secondary: new { type = FailingChannel.TypeName, config = new { room = "down" } }, escalationMinutes: 10), "Lost by the secondary channel");
        var takenDraft = (string)(await DraftAsync(taken))["id"]!;
        await DraftAsync(lost);

        // Before the delay nothing escalates, so no hook runs.
        clock.Advance(TimeSpan.FromMinutes(9));
        await Task.Delay(1000);
        Assert.Empty(receiver.Requests);
        Assert.Empty((await api.GetAsync($"/api/ActionRuns?threadId={taken.ThreadId}")).Body!["items"]!.AsArray());

        clock.Advance(TimeSpan.FromMinutes(2));
        var runs = await RunsAsync(api, taken.ThreadId, 3);
        Assert.Equal([("OnEscalate", "ApiCall", "succeeded"), ("PostEscalate", "Close", "succeeded"), ("OnClose", "ApiCall", "succeeded")],
            runs.Select(r => ((string)r!["hookName"]!, (string)r["actionType"]!, (string)r["outcome"]!)));
        Assert.Equal(200, (int)runs[0]!["httpStatus"]!);
        var call = Assert.Single(receiver.Requests, r => r.Path == $"/escalated/{taken.ThreadId}");
        Assert.Equal("""{"subject": "Taken by the secondary channel" }""", call.Body);
        Assert.NotNull((await api.GetAsync($"/v1/drafts/{takenDraft}")).Body!["escalated_at"]);
        Assert.Contains(receiver.Requests, r => r.Path == $"/closed/{taken.ThreadId}/closed");

        var lostRuns = await RunsAsync(api, lost.ThreadId, 2);
        Assert.Equal([("OnEscalate", "ApiCall"), ("OnEscalateFailed", "ApiCall")],
            lostRuns.Select(r => ((string)r!["hookName"]!, (string)r["actionType"]!)));
        Assert.Contains(receiver.Requests, r => r.Path == $"/unannounced/{lost.ThreadId}");
        Assert.DoesNotContain(receiver.Requests, r => r.Path.StartsWith($"/closed/{lost.ThreadId}"));

        // Each escalation fires its hooks once.
        clock.Advance(TimeSpan.FromMinutes(30));
        await Task.Delay(1000);
        Assert.Equal(3, (await api.GetAsync($"/api/ActionRuns?threadId={taken.ThreadId}")).Body!["items"]!.AsArray().Count);
        Assert.Equal(2, (await api.GetAsync($"/api/ActionRuns?threadId={lost.ThreadId}")).Body!["items"]!.AsArray().Count);
        Assert.Equal(4, receiver.Requests.Count);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_automation_Reply_goes_through_the_identitys_email_approval_and_is_a_v1_draft(string provider)
    {
        using var sink = await SmtpSink.StartAsync();
        await using var server = await MailroomTestServer.StartAsync(provider,
            [.. MailroomTestServer.RelayTo(sink.Port), "--Mailroom:Webhooks:AllowPrivateTargets=true"]);
        var api = await server.NewOrganizationAsync();
        var identity = await CreateIdentityAsync(api, new { type = "email", config = new { to = "approver@approvals.example" } });
        var reply = await ActionAsync(api, new
        {
            name = "Acknowledge", actionType = "Reply", apiBodyTemplate = "Thank you {{endUser.name}}, we are looking at \"{{message.subject}}\".",
        });
        await HookAsync(api, "PostTopicDetection", reply, 1);

        var run = await ExternalTools.RunAsync(ExternalTools.Swaks,
        [
            "--server", "127.0.0.1", "--port", server.SmtpEndPoint.Port.ToString(), "--helo", "client.example", "--from", "rita@remote.example",
            "--to", (string)identity["email_address"]!, "--header", "Subject: Order 1234", "--header", "From: Rita Remote <rita@remote.example>",
            "--header", "Message-Id: <order-1234@remote.example>", "--body", "Where is order 1234?",
        ]);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);

        // The approval mail, as for a draft submitted over /v1.
        var file = Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(30)));
        var raw = await File.ReadAllTextAsync(file);
        Assert.Contains("X-Envelope-To: approver@approvals.example", raw);
        var bytes = await File.ReadAllBytesAsync(file);
        var start = raw.IndexOf("\r\n", raw.IndexOf("X-Envelope-To:", StringComparison.Ordinal), StringComparison.Ordinal) + 2;
        var approval = MimeMessage.Parse(bytes.AsMemory(start));
        Assert.Equal("Approval needed: Re: Order 1234", approval.Subject);
        Assert.Contains("Thank you Rita Remote, we are looking at \"Order 1234\".", approval.TextBody);
        Assert.Contains("To: Rita Remote <rita@remote.example>", approval.TextBody);

        var drafts = (await api.GetAsync($"/v1/drafts?identity_id={(string)identity["id"]!}")).Body!["data"]!.AsArray();
        var draft = Assert.Single(drafts)!;
        Assert.Equal("pending", (string)draft["status"]!);
        Assert.Equal("automation", (string)draft["created_by"]!);
        Assert.Equal("email", (string)draft["notifications"]![0]!["type"]!);
        var threadId = (string)draft["thread_id"]!;
        var runs = await RunsAsync(api, threadId, 1);
        Assert.Equal(("Reply", "succeeded"), ((string)runs[0]!["actionType"]!, (string)runs[0]!["outcome"]!));

        // Approved through the mailed link, it answers Rita in her thread.
        var approveUrl = System.Text.RegularExpressions.Regex.Match(approval.TextBody!, @"Approve and send: (\S+)").Groups[1].Value;
        using var browser = new HttpClient();
        using (var post = await browser.PostAsync(approveUrl, new FormUrlEncodedContent([]))) Assert.Equal(200, (int)post.StatusCode);
        Assert.Equal("sent", (string)(await api.GetAsync($"/v1/drafts/{(string)draft["id"]!}")).Body!["status"]!);
        var files = await sink.WaitForAsync(2, TimeSpan.FromSeconds(30));
        var sentRaw = await File.ReadAllTextAsync(files[1]);
        Assert.Contains("X-Envelope-To: rita@remote.example", sentRaw);
        var sentBytes = await File.ReadAllBytesAsync(files[1]);
        var sent = MimeMessage.Parse(sentBytes.AsMemory(sentRaw.IndexOf("\r\n", sentRaw.IndexOf("X-Envelope-To:", StringComparison.Ordinal), StringComparison.Ordinal) + 2));
        Assert.Equal("order-1234@remote.example", sent.InReplyTo);
        Assert.Equal("Re: Order 1234", sent.Subject);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_automation_Reply_on_an_identity_that_auto_approves_replies_is_sent_at_once(string provider)
    {
        using var sink = await SmtpSink.StartAsync();
        await using var server = await MailroomTestServer.StartAsync(provider, MailroomTestServer.RelayTo(sink.Port));
        var api = await server.NewOrganizationAsync();
        var identity = await CreateIdentityAsync(api, new { type = "email", config = new { to = "approver@approvals.example" } }, autoApprove: true);
        await HookAsync(api, "PostSpam", await ActionAsync(api, new { name = "Acknowledge", actionType = "Reply", apiBodyTemplate = "Received, {{endUser.email}}." }), 1);

        var run = await ExternalTools.RunAsync(ExternalTools.Swaks,
        [
            "--server", "127.0.0.1", "--port", server.SmtpEndPoint.Port.ToString(), "--helo", "client.example", "--from", "rita@remote.example",
            "--to", (string)identity["email_address"]!, "--header", "Subject: Order 99", "--body", "Hello?",
        ]);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);

        // No approval mail: the reply itself goes to the sender.
        var sent = await File.ReadAllTextAsync(Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(30))));
        Assert.Contains("X-Envelope-To: rita@remote.example", sent);
        Assert.Contains("Received, rita@remote.example.", sent);
        var draft = Assert.Single((await api.GetAsync($"/v1/drafts?identity_id={(string)identity["id"]!}")).Body!["data"]!.AsArray())!;
        Assert.Equal(("sent", "auto_approve_replies"), ((string)draft["status"]!, (string)draft["decided_by"]!));
        await Task.Delay(1500);
        Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(1)));
    }
}

/// <summary><c>/api/Channels</c> lists the organization's phone numbers with its inboxes, under ids that links can name.</summary>
public sealed class AutomationChannelTests(AgentChannelServers servers) : IClassFixture<AgentChannelServers>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Phone_numbers_are_channels_with_stable_ids_that_hook_and_topic_links_name(string provider)
    {
        var (server, _) = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("channels-" + Guid.NewGuid().ToString("N")[..6]);
        var number = await api.BuyNumberAsync();
        var channels = (await api.GetAsync("/api/Channels")).Body!.AsArray();
        Assert.Equal(2, channels.Count);
        var email = channels.Single(c => (string)c!["channelType"]! == "Email")!;
        var phone = channels.Single(c => (string)c!["channelType"]! == "Phone")!;
        Assert.Equal((string)inbox["email_address"]!, (string)email["address"]!);
        Assert.Equal((string)number["number"]!, (string)phone["address"]!);
        Assert.Equal(Guid.Parse((string)number["id"]!), Ids.ToUuid((string)phone["targetId"]!));
        var phoneChannel = (long)phone["channelID"]!;

        // Stable: listed again, and after another number joins, the ids stay.
        await api.BuyNumberAsync();
        var again = (await api.GetAsync("/api/Channels")).Body!.AsArray();
        Assert.Equal(3, again.Count);
        Assert.Equal(phoneChannel, (long)again.Single(c => (string)c!["address"]! == (string)number["number"]!)!["channelID"]!);

        var (created, action) = await api.PostAsync("/api/Actions", new { name = "Close", actionType = "Close" });
        Assert.Equal(201, created);
        var actionId = (long)action!["actionID"]!;
        var (hookStatus, hook) = await api.PostAsync("/api/HookActions", new { hookName = "PreSpam", actionID = actionId, channelID = phoneChannel, priority = 1 });
        Assert.True(hookStatus == 201, ApiClient.Json(hook));
        Assert.Equal(phoneChannel, (long)hook!["channelID"]!);
        var (topicStatus, topic) = await api.PostAsync("/api/Topics", new { name = "Billing", keywords = new[] { "invoice" } });
        Assert.Equal(201, topicStatus);
        Assert.Equal(201, (await api.PostAsync("/api/TopicActions",
            new { topicID = (long)topic!["topicID"]!, actionID = actionId, channelID = phoneChannel, priority = 1 })).Status);

        // Another organization neither sees nor links it.
        var other = await server.NewOrganizationAsync();
        Assert.Empty((await other.GetAsync("/api/Channels")).Body!.AsArray());
        var (_, otherAction) = await other.PostAsync("/api/Actions", new { name = "Close", actionType = "Close" });
        Assert.Equal(404, (await other.PostAsync("/api/HookActions",
            new { hookName = "PreSpam", actionID = (long)otherAction!["actionID"]!, channelID = phoneChannel, priority = 1 })).Status);

        // A released number is no longer a channel.
        Assert.Equal(204, (await api.DeleteAsync($"/api/v1/phone/numbers/{(string)number["id"]!}")).Status);
        Assert.DoesNotContain((await api.GetAsync("/api/Channels")).Body!.AsArray(), c => (long)c!["channelID"]! == phoneChannel);
    }
}
