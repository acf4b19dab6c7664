using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mailroom.Core.Approvals;
using Mailroom.Mime;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;
using static Mailroom.Server.Tests.Api.V1.V1TestKit;

namespace Mailroom.Server.Tests.Api.V1;

/// <summary>
/// The email approval channel end to end: mail from a remote sender arrives over SMTP, the approval mail leaves through
/// the DKIM-signed outbound path to an independent receiver, its links show and only a POST acts, and the approved reply
/// reaches the remote sender in the same thread. Escalation runs on a controlled clock, across a restart.
/// </summary>
public sealed partial class EmailApprovalTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    [GeneratedRegex(@"Approve and send: (\S+)")]
    private static partial Regex ApproveLink();

    [GeneratedRegex(@"Reject: (\S+)")]
    private static partial Regex RejectLink();

    private static string[] Relay(SmtpSink sink, params string[] more) =>
    [
        .. MailroomTestServer.RelayTo(sink.Port), "--Mailroom:Webhooks:AllowPrivateTargets=true", .. more,
    ];

    /// <summary>A remote sender writes to the identity over SMTP, with its own Message-ID.</summary>
    private static async Task<(string ThreadId, string MessageId)> RemoteMailAsync(MailroomTestServer server, ApiClient api, JsonNode identity, string rfcId)
    {
        const string send = """
            import smtplib, sys
            port, to, rfc_id = int(sys.argv[1]), sys.argv[2], sys.argv[3]
            msg = "From: Rita Remote <rita@remote.example>\r\nTo: %s\r\nSubject: Order 1234\r\nMessage-ID: <%s>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n\r\nWhere is order 1234?\r\n" % (to, rfc_id)
            s = smtplib.SMTP("127.0.0.1", port, timeout=10)
            s.sendmail("rita@remote.example", [to], msg)
            s.quit()
            """;
        var run = await ExternalTools.PythonAsync(send, server.SmtpEndPoint.Port.ToString(), (string)identity["email_address"]!, rfcId);
        Assert.True(run.ExitCode == 0, run.Error);
        var thread = await EventuallyAsync(async () =>
            (await api.GetAsync($"/v1/threads?identity_id={(string)identity["id"]!}")).Body!["data"]!.AsArray().FirstOrDefault());
        var message = (await api.GetAsync($"/v1/threads/{(string)thread!["id"]!}")).Body!["messages"]![0]!;
        return ((string)thread["id"]!, (string)message["id"]!);
    }

    private static async Task<MimeMessage> ReadAsync(string file)
    {
        var bytes = await File.ReadAllBytesAsync(file);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        // The sink puts its envelope lines first; the message starts after them.
        var start = text.IndexOf("\r\n", text.IndexOf("X-Envelope-To:", StringComparison.Ordinal), StringComparison.Ordinal) + 2;
        return MimeMessage.Parse(bytes.AsMemory(start));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_approval_mail_links_show_a_page_only_its_post_approves_and_the_reply_reaches_the_remote_sender_in_thread(string provider)
    {
        using var sink = await SmtpSink.StartAsync();
        await using var server = await MailroomTestServer.StartAsync(provider, Relay(sink));
        var api = await server.NewOrganizationAsync();
        var identity = await CreateIdentityAsync(api, new { type = "email", config = new { to = "approver@approvals.example" } });
        Assert.Equal("approver@approvals.example", (string)identity["approval_channel"]!["config"]!["to"]!);
        var (threadId, messageId) = await RemoteMailAsync(server, api, identity, "order-1234@remote.example");

        var draft = (await api.PostAsync("/v1/drafts", new
        {
            identity_id = (string)identity["id"]!, thread_id = threadId, based_on_message_id = messageId, body_text = "Order 1234 ships today.",
            rationale = "Rita asked about her order.",
        })).Body!;
        var draftId = (string)draft["id"]!;
        Assert.Equal("email", (string)draft["notifications"]![0]!["type"]!);

        var approvalFile = Assert.Single(await sink.WaitForAsync(1));
        var raw = await File.ReadAllTextAsync(approvalFile);
        Assert.Contains("X-Envelope-To: approver@approvals.example", raw);
        Assert.Contains("X-Envelope-From: mailroom-approvals@mailroom.local", raw);
        Assert.Contains("d=mailroom.local", raw);
        var approval = await ReadAsync(approvalFile);
        Assert.Equal("Approval needed: Re: Order 1234", approval.Subject);
        var text = approval.TextBody!;
        Assert.Contains("Order 1234 ships today.", text);
        Assert.Contains("Why: Rita asked about her order.", text);
        Assert.Contains("To: Rita Remote <rita@remote.example>", text);
        var approveUrl = ApproveLink().Match(text).Groups[1].Value;
        var rejectUrl = RejectLink().Match(text).Groups[1].Value;
        Assert.StartsWith(server.Address.ToString().TrimEnd('/') + "/approvals/", approveUrl);

        // Following the links (as a mail scanner would) changes nothing.
        using var browser = new HttpClient();
        foreach (var url in new[] { approveUrl, rejectUrl, approveUrl })
        {
            using var page = await browser.GetAsync(url);
            Assert.Equal(200, (int)page.StatusCode);
            Assert.Equal("no-store", page.Headers.CacheControl!.ToString());
            Assert.Contains("no-referrer", page.Headers.GetValues("Referrer-Policy"));
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains("Order 1234 ships today.", html);
            Assert.Contains("method=\"post\"", html);
        }
        Assert.Equal("pending", (string)(await api.GetAsync($"/v1/drafts/{draftId}")).Body!["status"]!);

        using (var post = await browser.PostAsync(approveUrl, new FormUrlEncodedContent([])))
        {
            Assert.Equal(200, (int)post.StatusCode);
            Assert.Contains("approved", await post.Content.ReadAsStringAsync());
        }
        var decided = (await api.GetAsync($"/v1/drafts/{draftId}")).Body!;
        Assert.Equal("sent", (string)decided["status"]!);
        Assert.Equal("email:approver@approvals.example", (string)decided["decided_by"]!);

        // The reply reaches Rita, answering her message, in the same thread on our side.
        var files = await sink.WaitForAsync(2);
        Assert.Equal(2, files.Count);
        var replyRaw = await File.ReadAllTextAsync(files[1]);
        Assert.Contains("X-Envelope-To: rita@remote.example", replyRaw);
        var reply = await ReadAsync(files[1]);
        Assert.Equal("order-1234@remote.example", reply.InReplyTo);
        Assert.Equal(["order-1234@remote.example"], reply.References);
        Assert.Equal("Re: Order 1234", reply.Subject);
        Assert.Contains("Order 1234 ships today.", reply.TextBody);
        var thread = (await api.GetAsync($"/v1/threads/{threadId}")).Body!;
        Assert.Equal(2, (int)thread["message_count"]!);
        Assert.Equal(reply.MessageId, (string)thread["messages"]![1]!["rfc_message_id"]!);

        // Used once: the same link, and its sibling, no longer act.
        using var again = await browser.PostAsync(approveUrl, new FormUrlEncodedContent([]));
        Assert.Equal(410, (int)again.StatusCode);
        using var sibling = await browser.PostAsync(rejectUrl, new FormUrlEncodedContent([new KeyValuePair<string, string>("reason", "too late")]));
        Assert.Equal(410, (int)sibling.StatusCode);
        using var shown = await browser.GetAsync(approveUrl);
        Assert.Equal(410, (int)shown.StatusCode);
        Assert.Equal("sent", (string)(await api.GetAsync($"/v1/drafts/{draftId}")).Body!["status"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_decision_through_the_api_voids_the_mailed_links_and_a_reject_link_rejects_with_its_reason(string provider)
    {
        using var sink = await SmtpSink.StartAsync();
        await using var server = await MailroomTestServer.StartAsync(provider, Relay(sink));
        var api = await server.NewOrganizationAsync();
        var identity = await CreateIdentityAsync(api, new { type = "email", config = new { to = "approver@approvals.example" } });
        var (threadId, messageId) = await RemoteMailAsync(server, api, identity, "order-77@remote.example");
        using var browser = new HttpClient();

        var first = (string)(await api.PostAsync("/v1/drafts", new { identity_id = (string)identity["id"]!, thread_id = threadId, body_text = "One." })).Body!["id"]!;
        var firstText = (await ReadAsync((await sink.WaitForAsync(1))[0])).TextBody!;
        await api.PostAsync($"/v1/drafts/{first}/reject", new { reason = "no" });
        using (var voided = await browser.GetAsync(ApproveLink().Match(firstText).Groups[1].Value)) Assert.Equal(410, (int)voided.StatusCode);
        using (var voided = await browser.PostAsync(ApproveLink().Match(firstText).Groups[1].Value, new FormUrlEncodedContent([])))
            Assert.Equal(410, (int)voided.StatusCode);

        var second = (string)(await api.PostAsync("/v1/drafts", new
        {
            identity_id = (string)identity["id"]!, thread_id = threadId, based_on_message_id = messageId, body_text = "Two.",
        })).Body!["id"]!;
        var secondText = (await ReadAsync((await sink.WaitForAsync(2))[1])).TextBody!;
        using (var rejected = await browser.PostAsync(RejectLink().Match(secondText).Groups[1].Value, new FormUrlEncodedContent([new KeyValuePair<string, string>("reason", "wrong tone")])))
            Assert.Equal(200, (int)rejected.StatusCode);
        var draft = (await api.GetAsync($"/v1/drafts/{second}")).Body!;
        Assert.Equal("rejected", (string)draft["status"]!);
        Assert.Equal("wrong tone", (string)draft["reject_reason"]!);
        Assert.Equal(2, (await sink.WaitForAsync(3, TimeSpan.FromSeconds(1))).Count);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_pending_draft_escalates_once_to_the_secondary_channel_when_the_clock_passes_the_delay(string provider)
    {
        var clock = new TestClock();
        var channel = new RecordingChannel();
        await using var server = await MailroomTestServer.StartAsync(provider, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<IApprovalChannel>(channel);
        }, "--Mailroom:Approvals:EscalationPollInterval=00:00:00.2");
        var api = await server.NewOrganizationAsync();
        var identity = await CreateIdentityAsync(api, RecordingChannelSettings("primary"), secondary: RecordingChannelSettings("secondary"), escalationMinutes: 10);
        var c = await ConversationAsync(api, identity);
        var draft = await DraftAsync(c);
        var draftId = (string)draft["id"]!;
        Assert.NotNull(draft["escalation_due_at"]);
        Assert.Null(draft["escalated_at"]);
        Assert.Equal(["primary"], channel.Announced.Where(a => a.Card.DraftId == draftId).Select(a => a.Config["room"]!));

        clock.Advance(TimeSpan.FromMinutes(9));
        await Task.Delay(1000);
        Assert.Single(channel.CardsFor(draftId));

        clock.Advance(TimeSpan.FromMinutes(2));
        var escalated = await EventuallyAsync(async () =>
        {
            var d = (await api.GetAsync($"/v1/drafts/{draftId}")).Body!;
            return d["escalated_at"] is null ? null : d;
        });
        Assert.Null(escalated["escalation_due_at"]);
        await Task.Delay(1000);
        var cards = channel.Announced.Where(a => a.Card.DraftId == draftId).ToList();
        Assert.Equal(["primary", "secondary"], cards.Select(a => a.Config["room"]!));
        Assert.True(cards[1].Card.Escalated);
        Assert.True((bool)(await api.GetAsync($"/v1/drafts/{draftId}")).Body!["notifications"]![1]!["escalated"]!);

        // Decided drafts never escalate; the decision closes both cards.
        var decided = (string)(await DraftAsync(c, "Another."))["id"]!;
        await api.PostAsync($"/v1/drafts/{draftId}/reject", null);
        await api.PostAsync($"/v1/drafts/{decided}/reject", null);
        Assert.Equal(2, channel.Closed.Count(x => cards.Select(k => k.Reference).Contains(x.Notice.Reference)));
        clock.Advance(TimeSpan.FromMinutes(30));
        await Task.Delay(1000);
        Assert.Single(channel.CardsFor(decided));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_escalation_due_while_the_server_was_down_is_sent_by_the_next_start_as_an_escalated_approval_mail(string provider)
    {
        using var sink = await SmtpSink.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        var clock = new TestClock();
        string draftId;
        ApiClient api;
        await using (var first = await MailroomTestServer.StartOnAsync(database, services =>
                     {
                         services.AddSingleton<TimeProvider>(clock);
                         services.AddSingleton<IApprovalChannel>(new RecordingChannel());
                     }, Relay(sink, "--Mailroom:Approvals:EscalationPollInterval=00:00:00.2")))
        {
            api = await first.NewOrganizationAsync();
            var identity = await CreateIdentityAsync(api, RecordingChannelSettings("primary"),
                secondary: new { type = "email", config = new { to = "boss@approvals.example" } }, escalationMinutes: 5);
            draftId = (string)(await DraftAsync(await ConversationAsync(api, identity)))["id"]!;
        }

        clock.Advance(TimeSpan.FromMinutes(6));
        await using var second = await MailroomTestServer.StartOnAsync(database, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<IApprovalChannel>(new RecordingChannel());
        }, Relay(sink, "--Mailroom:Approvals:EscalationPollInterval=00:00:00.2"));
        var mail = await ReadAsync(Assert.Single(await sink.WaitForAsync(1)));
        Assert.Equal("Escalated: approval needed: Re: Question about my order", mail.Subject);
        Assert.Contains("not decided in time", mail.TextBody);
        var restarted = new ApiClient(second.Client(api.Token), api.OrgId, api.Token);
        var draft = (await restarted.GetAsync($"/v1/drafts/{draftId}")).Body!;
        Assert.NotNull(draft["escalated_at"]);
        Assert.Equal(["recording", "email"], draft["notifications"]!.AsArray().Select(n => (string)n!["type"]!));

        // The escalated mail's link decides the draft like any other.
        using var browser = new HttpClient();
        using var post = await browser.PostAsync(ApproveLink().Match(mail.TextBody!).Groups[1].Value, new FormUrlEncodedContent([]));
        Assert.Equal(200, (int)post.StatusCode);
        Assert.Equal("email:boss@approvals.example", (string)(await restarted.GetAsync($"/v1/drafts/{draftId}")).Body!["decided_by"]!);
    }
}
