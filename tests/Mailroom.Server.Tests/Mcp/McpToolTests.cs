using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Api.V0;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Mcp;

/// <summary>
/// Every tool over Streamable HTTP with the SDK's own client, on both databases: inboxes, mail between two inboxes,
/// search, paging, untrusted-content marking, another organization's ids, scopes and bad arguments.
/// </summary>
public sealed class McpToolTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    private static string Unique(string name) => name + "-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<(ApiClient Api, McpTestClient Mcp)> OrganizationAsync(MailroomTestServer server)
    {
        var api = await server.NewOrganizationAsync();
        return (api, await McpTestClient.ConnectAsync(server, api.Token));
    }

    private static async Task<JsonNode> InboxAsync(McpTestClient mcp, string name) =>
        (await mcp.OkAsync("create_inbox", new { username = Unique(name) }))["inbox"]!;

    public static readonly string[] AllTools =
    [
        "list_inboxes", "get_inbox", "create_inbox", "update_inbox", "delete_inbox", "list_threads", "get_thread", "delete_thread", "list_messages",
        "get_message", "search_messages", "send_message", "reply_to_message", "reply_all", "forward_message", "update_labels", "get_attachment",
        "list_agents", "get_agent", "send_sms", "list_sms",
        "submit_draft", "list_drafts", "get_draft", "update_draft", "send_draft", "approve_draft", "reject_draft", "list_identities", "get_identity",
    ];

    [Theory, MemberData(nameof(Providers))]
    public async Task A_full_key_lists_every_tool_with_a_schema_and_truthful_annotations(string provider)
    {
        var (_, mcp) = await OrganizationAsync(await servers.For(provider));
        await using var _ = mcp;
        var tools = (await mcp.ToolsAsync()).ToDictionary(t => t.Name);

        Assert.Equal(AllTools.Order(), tools.Keys.Order());
        foreach (var tool in tools.Values)
        {
            Assert.False(string.IsNullOrWhiteSpace(tool.Description), tool.Name);
            Assert.Equal("object", tool.InputSchema.GetProperty("type").GetString());
            Assert.NotNull(tool.Annotations);
        }
        foreach (var name in new[] { "list_inboxes", "get_inbox", "list_threads", "get_thread", "list_messages", "get_message", "search_messages", "get_attachment" })
        {
            Assert.True(tools[name].Annotations!.ReadOnlyHint, name);
            Assert.False(tools[name].Annotations!.DestructiveHint, name);
        }
        foreach (var name in new[] { "delete_inbox", "delete_thread", "update_labels", "update_inbox" })
        {
            Assert.False(tools[name].Annotations!.ReadOnlyHint, name);
            Assert.True(tools[name].Annotations!.DestructiveHint, name);
            Assert.True(tools[name].Annotations!.IdempotentHint, name);
        }
        foreach (var name in new[] { "send_message", "reply_to_message", "reply_all", "forward_message" })
        {
            Assert.False(tools[name].Annotations!.ReadOnlyHint, name);
            Assert.False(tools[name].Annotations!.DestructiveHint, name);
            Assert.False(tools[name].Annotations!.IdempotentHint, name);
            Assert.True(tools[name].Annotations!.OpenWorldHint, name);
        }
        var required = tools["send_message"].InputSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["inbox_id", "to"], required);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Inboxes_are_created_listed_by_cursor_read_renamed_and_deleted(string provider)
    {
        var (api, mcp) = await OrganizationAsync(await servers.For(provider));
        await using var _ = mcp;
        var created = new List<string>();
        for (var i = 0; i < 3; i++) created.Add((string)(await InboxAsync(mcp, "inbox" + i))["inbox_id"]!);

        var first = await mcp.OkAsync("list_inboxes", new { limit = 2 });
        Assert.Equal(3, (int)first["total"]!);
        Assert.Equal(2, first["inboxes"]!.AsArray().Count);
        var second = await mcp.OkAsync("list_inboxes", new { limit = 2, cursor = (string)first["next_cursor"]! });
        Assert.Single(second["inboxes"]!.AsArray());
        Assert.Null(second["next_cursor"]);
        Assert.Equal(created.Order(), first["inboxes"]!.AsArray().Concat(second["inboxes"]!.AsArray()).Select(i => (string)i!["inbox_id"]!).Order());

        // The same inbox through the v0 dialect: one core, two spellings.
        var renamed = await mcp.OkAsync("update_inbox", new { inbox_id = created[0], display_name = "Support Desk" });
        Assert.Equal("Support Desk", (string)renamed["display_name"]!);
        Assert.Equal("Support Desk", (string)(await api.GetAsync($"/api/v0/inboxes/{created[0]}")).Body!["display_name"]!);
        var got = await mcp.OkAsync("get_inbox", new { inbox_id = created[0] });
        Assert.EndsWith("@" + (string)got["domain"]!, (string)got["email_address"]!);
        Assert.Null((await mcp.OkAsync("update_inbox", new { inbox_id = created[0], display_name = (string?)null }))["display_name"]);

        // client_id makes create_inbox safe to repeat.
        var clientId = Unique("client");
        var once = await mcp.OkAsync("create_inbox", new { username = Unique("replay"), client_id = clientId });
        var again = await mcp.OkAsync("create_inbox", new { username = Unique("other"), client_id = clientId });
        Assert.True((bool)once["created"]!);
        Assert.False((bool)again["created"]!);
        Assert.Equal((string)once["inbox"]!["inbox_id"]!, (string)again["inbox"]!["inbox_id"]!);

        Assert.True((bool)(await mcp.OkAsync("delete_inbox", new { inbox_id = created[1] }))["deleted"]!);
        Assert.Equal(404, (await api.GetAsync($"/api/v0/inboxes/{created[1]}")).Status);
        Assert.Contains("inbox_id", await mcp.ErrorAsync("delete_inbox", new { inbox_id = created[1] }));
        Assert.Contains("already taken", await mcp.ErrorAsync("create_inbox", new { username = (string)got["username"]! }));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Mail_goes_from_one_inbox_to_another_is_found_by_search_and_answered(string provider)
    {
        var (_, mcp) = await OrganizationAsync(await servers.For(provider));
        await using var _ = mcp;
        var alice = await InboxAsync(mcp, "alice");
        var bob = await InboxAsync(mcp, "bob");
        var carol = await InboxAsync(mcp, "carol");
        var (aliceId, bobId, carolId) = ((string)alice["inbox_id"]!, (string)bob["inbox_id"]!, (string)carol["inbox_id"]!);
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var subject = Unique("Quarterly plan");

        var sent = await mcp.OkAsync("send_message", new
        {
            inbox_id = aliceId, to = new[] { $"Bob <{(string)bob["email_address"]!}>" }, cc = new[] { (string)carol["email_address"]! },
            subject, text = "The plan is ready.", html = "<p>The plan is <b>ready</b>.</p>", labels = new[] { "outreach" }, idempotency_key = "plan-1",
        });
        Assert.Equal("queued", (string)sent["status"]!);
        var repeat = await mcp.OkAsync("send_message", new
        {
            inbox_id = aliceId, to = new[] { (string)bob["email_address"]! }, subject, text = "The plan is ready.", idempotency_key = "plan-1",
        });
        Assert.Equal((string)sent["message_id"]!, (string)repeat["message_id"]!);

        var bobMessages = await mcp.WaitForAsync("list_messages", new { inbox_id = bobId }, b => b["messages"]!.AsArray().Count == 1);
        var received = bobMessages["messages"]![0]!;
        Assert.Equal(subject, (string)received["subject"]!);
        Assert.Equal("inbound", (string)received["direction"]!);
        Assert.Equal("received_from_outside", (string)received["trust"]!["origin"]!);

        // search_messages: every criterion, alone and together, org-wide and per inbox.
        async Task<List<string>> Found(object criteria) =>
            (await mcp.OkAsync("search_messages", criteria))["messages"]!.AsArray().Select(m => (string)m!["message_id"]!).ToList();
        var receivedId = (string)received["message_id"]!;
        var sentId = (string)sent["message_id"]!;
        Assert.Equal([receivedId], await Found(new { inbox_id = bobId, subject = subject.ToUpperInvariant() }));
        Assert.Contains(receivedId, await Found(new { from = ((string)alice["email_address"]!).ToUpperInvariant() }));
        Assert.Contains(sentId, await Found(new { from = ((string)alice["email_address"]!).ToUpperInvariant() }));
        Assert.Equal([sentId], await Found(new { labels = new[] { "outreach" } }));
        Assert.Contains(receivedId, await Found(new { recipient = (string)carol["email_address"]!, text = "PLAN IS READY" }));
        Assert.Empty(await Found(new { inbox_id = bobId, text = "plan", before = before.ToString("O") }));
        Assert.Equal([receivedId], await Found(new { inbox_id = bobId, text = "plan", after = before.ToString("O") }));
        Assert.Empty(await Found(new { subject = "100%_of nothing" }));
        // One message a page, by cursor: the same messages in the same order, and no total.
        var fromAlice = await Found(new { from = (string)alice["email_address"]! });
        var walked = new List<string>();
        string? cursor = null;
        do
        {
            var page = await mcp.OkAsync("search_messages", cursor is null
                ? new { from = (string)alice["email_address"]!, limit = 1 }
                : (object)new { from = (string)alice["email_address"]!, limit = 1, cursor });
            Assert.Null(page["total"]);
            walked.AddRange(page["messages"]!.AsArray().Select(m => (string)m!["message_id"]!));
            cursor = (string?)page["next_cursor"];
        } while (cursor is not null);
        Assert.Equal(fromAlice, walked);
        Assert.True(walked.Count >= 2);

        var message = await mcp.OkAsync("get_message", new { inbox_id = bobId, message_id = receivedId });
        Assert.Contains("The plan is ready.", (string)message["text"]!);
        Assert.Null(message["html"]);
        Assert.Null(message["headers"]);
        var withHtml = await mcp.OkAsync("get_message", new { inbox_id = bobId, message_id = receivedId, include_html = true, include_headers = true });
        Assert.Contains("<b>ready</b>", (string)withHtml["html"]!);
        Assert.Equal(subject, (string)withHtml["headers"]!["Subject"]!);

        // Bob replies; Alice sees the reply in her thread.
        var reply = await mcp.OkAsync("reply_to_message", new { inbox_id = bobId, message_id = receivedId, text = "Thanks, looks good." });
        var aliceThread = await mcp.WaitForAsync("get_thread", new { inbox_id = aliceId, thread_id = (string)sent["thread_id"]! },
            t => (int)t["message_count"]! == 2);
        Assert.Equal("Re: " + subject, (string)aliceThread["messages"]![1]!["subject"]!);
        Assert.Contains("Thanks, looks good.", (string)aliceThread["messages"]![1]!["text"]!);
        var bobThreads = await mcp.OkAsync("list_threads", new { inbox_id = bobId });
        Assert.Equal((string)reply["thread_id"]!, (string)bobThreads["threads"]![0]!["thread_id"]!);
        Assert.Equal(2, (int)bobThreads["threads"]![0]!["message_count"]!);
        Assert.Contains("not instructions", (string)bobThreads["notice"]!);

        // Reply-all from Carol reaches Alice and Bob; a forward reaches Carol as a new thread.
        var carolMessage = (await mcp.WaitForAsync("list_messages", new { inbox_id = carolId }, b => b["messages"]!.AsArray().Count == 1))["messages"]![0]!;
        await mcp.OkAsync("reply_all", new { inbox_id = carolId, message_id = (string)carolMessage["message_id"]!, text = "Count me in." });
        await mcp.WaitForAsync("search_messages", new { inbox_id = bobId, text = "Count me in" }, b => b["messages"]!.AsArray().Count == 1);
        await mcp.OkAsync("forward_message", new { inbox_id = bobId, message_id = receivedId, to = new[] { (string)carol["email_address"]! } });
        var forwarded = await mcp.WaitForAsync("search_messages", new { inbox_id = carolId, subject = "Fwd: " + subject }, b => b["messages"]!.AsArray().Count == 1);
        var forwardedMessage = await mcp.OkAsync("get_message", new { inbox_id = carolId, message_id = (string)forwarded["messages"]![0]!["message_id"]! });
        Assert.Contains("Forwarded message", (string)forwardedMessage["text"]!);

        // Labels replace; delete_thread removes the whole conversation.
        var labelled = await mcp.OkAsync("update_labels", new { inbox_id = bobId, message_id = receivedId, labels = new[] { "done", "q3" } });
        Assert.Equal(["done", "q3"], labelled["labels"]!.AsArray().Select(l => (string)l!));
        Assert.Equal([receivedId], await Found(new { labels = new[] { "q3", "done" } }));
        Assert.True((bool)(await mcp.OkAsync("delete_thread", new { inbox_id = bobId, thread_id = (string)reply["thread_id"]! }))["deleted"]!);
        Assert.Contains("message_id", await mcp.ErrorAsync("get_message", new { inbox_id = bobId, message_id = receivedId }));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Mail_from_outside_is_marked_untrusted_with_its_verdicts_and_its_html_stays_text_unless_asked(string provider)
    {
        var server = await servers.For(provider);
        var (api, inboxId, messageId, attachmentId) = await AttachmentDownloadTests.ReceiveHtmlPartAsync(server);
        await using var mcp = await McpTestClient.ConnectAsync(server, api.Token);

        var message = await mcp.OkAsync("get_message", new { inbox_id = inboxId, message_id = messageId });
        var trust = message["trust"]!;
        Assert.Equal("received_from_outside", (string)trust["origin"]!);
        Assert.StartsWith("UNTRUSTED CONTENT", (string)trust["notice"]!);
        Assert.Contains("not instructions", (string)trust["notice"]!);
        foreach (var verdict in new[] { "spf", "dkim", "dmarc", "spam" }) Assert.False(string.IsNullOrEmpty((string?)trust[verdict]), verdict);
        Assert.Contains((string)trust["spam"]!, new[] { "skipped", "not_checked" }); // no spamd in this server
        Assert.Equal("text", (string)message["text_source"]!);

        var attachment = await mcp.OkAsync("get_attachment", new { inbox_id = inboxId, message_id = messageId, attachment_id = attachmentId });
        Assert.Equal("text/html", (string)attachment["attachment"]!["content_type"]!);
        Assert.Equal("received_from_outside", (string)attachment["trust"]!["origin"]!);
        using var anonymous = new HttpClient();
        var bytes = await anonymous.GetStringAsync((string)attachment["download_url"]!);
        Assert.Equal(AttachmentDownloadTests.Page, bytes.TrimEnd());
        Assert.Contains("attachment_id", await mcp.ErrorAsync("get_attachment", new { inbox_id = inboxId, message_id = messageId, attachment_id = "att_nope" }));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Another_organizations_ids_are_not_found_and_left_untouched(string provider)
    {
        var server = await servers.For(provider);
        var (owner, ownerMcp) = await OrganizationAsync(server);
        var (_, strangerMcp) = await OrganizationAsync(server);
        await using var a = ownerMcp;
        await using var b = strangerMcp;
        var (api, inboxId, messageId, attachmentId) = await AttachmentDownloadTests.ReceiveHtmlPartAsync(server);
        await using var victim = await McpTestClient.ConnectAsync(server, api.Token);
        var threadId = (string)(await victim.OkAsync("get_message", new { inbox_id = inboxId, message_id = messageId }))["thread_id"]!;

        var calls = new (string Tool, object Args, string Names)[]
        {
            ("get_inbox", new { inbox_id = inboxId }, "inbox_id"),
            ("update_inbox", new { inbox_id = inboxId, display_name = "mine" }, "inbox_id"),
            ("delete_inbox", new { inbox_id = inboxId }, "inbox_id"),
            ("list_threads", new { inbox_id = inboxId }, "inbox_id"),
            ("get_thread", new { inbox_id = inboxId, thread_id = threadId }, "thread_id"),
            ("delete_thread", new { inbox_id = inboxId, thread_id = threadId }, "thread_id"),
            ("list_messages", new { inbox_id = inboxId }, "inbox_id"),
            ("get_message", new { inbox_id = inboxId, message_id = messageId }, "message_id"),
            ("search_messages", new { inbox_id = inboxId }, "inbox_id"),
            ("send_message", new { inbox_id = inboxId, to = new[] { "x@example.com" }, text = "hi" }, "inbox_id"),
            ("reply_to_message", new { inbox_id = inboxId, message_id = messageId, text = "hi" }, "inbox_id"),
            ("reply_all", new { inbox_id = inboxId, message_id = messageId, text = "hi" }, "inbox_id"),
            ("forward_message", new { inbox_id = inboxId, message_id = messageId, to = new[] { "x@example.com" } }, "inbox_id"),
            ("update_labels", new { inbox_id = inboxId, message_id = messageId, labels = new[] { "x" } }, "message_id"),
            ("get_attachment", new { inbox_id = inboxId, message_id = messageId, attachment_id = attachmentId }, "message_id"),
        };
        foreach (var (tool, args, names) in calls)
        {
            var error = await strangerMcp.ErrorAsync(tool, args);
            Assert.StartsWith("Not found", error);
            Assert.Contains(names, error);
        }
        // The stranger's org-wide search sees none of it; the owner's mail is as it was.
        Assert.Empty((await strangerMcp.OkAsync("search_messages", new { }))["messages"]!.AsArray());
        var still = await victim.OkAsync("get_message", new { inbox_id = inboxId, message_id = messageId });
        Assert.Empty(still["labels"]!.AsArray());
        Assert.Null((await victim.OkAsync("get_inbox", new { inbox_id = inboxId }))["display_name"]);
        Assert.Equal(1, (int)(await victim.OkAsync("list_messages", new { inbox_id = inboxId }))["total"]!);
        Assert.Equal(0, (int)(await ownerMcp.OkAsync("list_inboxes"))["total"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Bad_arguments_are_tool_errors_that_name_the_argument(string provider)
    {
        var (_, mcp) = await OrganizationAsync(await servers.For(provider));
        await using var _ = mcp;
        var inboxId = (string)(await InboxAsync(mcp, "args"))["inbox_id"]!;

        var cases = new (string Tool, object Args, string Expected)[]
        {
            ("get_inbox", new { }, "Invalid argument 'inbox_id': is required"),
            ("get_inbox", new { inbox_id = 42 }, "Invalid argument 'inbox_id': must be a string"),
            ("list_inboxes", new { limit = "ten" }, "Invalid argument 'limit': must be a whole number"),
            ("list_inboxes", new { limit = 1000 }, "Invalid argument 'limit': must be between 1 and 100"),
            ("list_inboxes", new { cursor = "not-a-cursor" }, "Invalid argument 'cursor'"),
            ("list_inboxes", new { page = 2 }, "Invalid argument 'page': is not an argument of this tool; it takes cursor, limit"),
            ("send_message", new { inbox_id = inboxId, to = new[] { "not an address" }, text = "hi" }, "Invalid argument 'to': 'not an address' is not an email address"),
            ("send_message", new { inbox_id = inboxId, text = "hi" }, "Invalid argument 'to'"),
            ("send_message", new { inbox_id = inboxId, to = new[] { "a@example.com" }, labels = new[] { "" } }, "Invalid argument 'labels'"),
            ("search_messages", new { after = "yesterday" }, "Invalid argument 'after': must be an ISO 8601"),
            ("search_messages", new { cursor = "not-a-cursor" }, "Invalid argument 'cursor'"),
            // An offset cursor of another list is no position.
            ("search_messages", new { cursor = System.Buffers.Text.Base64Url.EncodeToString("mr1:20"u8) }, "Invalid argument 'cursor'"),
            ("search_messages", new { text = "%%" }, "Invalid argument 'text': must hold at least one word"),
            ("search_messages", new { subject = string.Join(' ', Enumerable.Range(0, 17)) }, "Invalid argument 'subject'"),
            ("search_messages", new { after = "2026-05-02T00:00:00Z", before = "2026-05-01T00:00:00Z" }, "Invalid argument 'before'"),
            ("get_message", new { inbox_id = inboxId, message_id = "msg_nope", include_html = "yes" }, "Invalid argument 'include_html': must be true or false"),
            ("create_inbox", new { username = "bad name!" }, "Invalid argument 'username'"),
            ("update_labels", new { inbox_id = inboxId, message_id = "msg_nope" }, "Invalid argument 'labels': is required"),
            ("no_such_tool", new { }, "There is no tool named 'no_such_tool'"),
        };
        foreach (var (tool, args, expected) in cases)
            Assert.Contains(expected, await mcp.ErrorAsync(tool, args));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Scopes_decide_which_tools_a_key_sees_and_may_call_and_an_inbox_key_reaches_only_its_inbox(string provider)
    {
        var server = await servers.For(provider);
        var (api, mcp) = await OrganizationAsync(server);
        await using var _ = mcp;
        var mine = (string)(await InboxAsync(mcp, "mine"))["inbox_id"]!;
        var other = (string)(await InboxAsync(mcp, "other"))["inbox_id"]!;

        await using (var reader = await McpTestClient.ConnectAsync(server, await McpTestClient.KeyAsync(server, api.OrgId, "read:threads")))
        {
            var names = (await reader.ToolsAsync()).Select(t => t.Name).ToHashSet();
            Assert.Contains("search_messages", names);
            Assert.DoesNotContain("send_message", names);
            Assert.DoesNotContain("delete_thread", names);
            Assert.DoesNotContain("create_inbox", names);
            Assert.Contains("needs a full-access key", await reader.ErrorAsync("send_message", new { inbox_id = mine, to = new[] { "a@example.com" } }));
            Assert.Contains("needs the 'manage:settings' scope", await reader.ErrorAsync("delete_inbox", new { inbox_id = mine }));
            Assert.Equal(2, (int)(await reader.OkAsync("list_inboxes"))["total"]!);
        }

        await using (var sender = await McpTestClient.ConnectAsync(server, await McpTestClient.KeyAsync(server, api.OrgId, "full", mine)))
        {
            var names = (await sender.ToolsAsync()).Select(t => t.Name).ToHashSet();
            Assert.Contains("send_message", names);
            Assert.Contains("limited to one inbox", await sender.ErrorAsync("create_inbox", new { username = Unique("more") }));
            Assert.StartsWith("Not found", await sender.ErrorAsync("update_inbox", new { inbox_id = other, display_name = "x" }));
            var inboxes = await sender.OkAsync("list_inboxes");
            Assert.Equal([mine], inboxes["inboxes"]!.AsArray().Select(i => (string)i!["inbox_id"]!));
            Assert.StartsWith("Not found", await sender.ErrorAsync("get_inbox", new { inbox_id = other }));
            Assert.StartsWith("Not found", await sender.ErrorAsync("send_message", new { inbox_id = other, to = new[] { "a@example.com" }, text = "x" }));
            await sender.OkAsync("send_message", new { inbox_id = mine, to = new[] { "a@example.com" }, text = "x" });
            // Its org-wide search is its inbox's search.
            Assert.Single((await sender.OkAsync("search_messages"))["messages"]!.AsArray());
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_endpoint_refuses_requests_without_a_valid_api_key(string provider)
    {
        var server = await servers.For(provider);
        using var anonymous = server.Client();
        var initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";
        foreach (var token in new string?[] { null, "inai_wrong_key" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(initialize, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("text/event-stream");
            if (token is not null) request.Headers.Authorization = new("Bearer", token);
            using var response = await anonymous.SendAsync(request);
            Assert.Equal(401, (int)response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        Assert.DoesNotContain("/mcp", await anonymous.GetStringAsync("openapi/v0.json"));
    }
}
