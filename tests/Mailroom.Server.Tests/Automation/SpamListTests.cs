using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Automation;

/// <summary>
/// Threads marked spam (the Spam action, run by hand here) leave the default lists of /api/v0, /v1 and MCP, and the spam
/// view (<c>?spam=true</c>, <c>spam: true</c>) shows them, with totals from the inbox's counters.
/// </summary>
public sealed class SpamListTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    private static async Task SendAsync(int smtpPort, string to, string subject)
    {
        var run = await ExternalTools.RunAsync(ExternalTools.Swaks,
        [
            "--server", "127.0.0.1", "--port", smtpPort.ToString(), "--helo", "client.example", "--from", "alice@sender.example", "--to", to,
            "--header", $"Subject: {subject}", "--body", "Hello.",
        ]);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
    }

    private static async Task<JsonNode> ListAsync(ApiClient api, string path)
    {
        var (status, body) = await api.GetAsync(path);
        Assert.True(status == 200, $"{path}: {status} {ApiClient.Json(body)}");
        return body!;
    }

    private static List<string> Ids(JsonNode list, string items, string id) => list[items]!.AsArray().Select(i => (string)i![id]!).ToList();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_thread_marked_spam_leaves_the_default_lists_and_the_spam_view_shows_it(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("spamview-" + Guid.NewGuid().ToString("N")[..6]);
        var (inboxId, address) = ((string)inbox["inbox_id"]!, (string)inbox["email_address"]!);
        var threads = $"/api/v0/inboxes/{inboxId}/threads";
        var messages = $"/api/v0/inboxes/{inboxId}/messages";
        foreach (var subject in new[] { "Order 1", "You won a lottery", "Order 2" }) await SendAsync(server.SmtpEndPoint.Port, address, subject);
        await Mail.InboundSmtpTests.WaitForMessageAsync(api, inboxId, 3);
        var all = await ListAsync(api, threads);
        var lottery = (string)all["data"]!.AsArray().Single(t => (string)t!["subject"]! == "You won a lottery")!["thread_id"]!;
        var others = Ids(all, "data", "thread_id").Where(id => id != lottery).ToList();

        var (created, action) = await api.PostAsync("/api/Actions", new { name = "Mark spam", actionType = "Spam" });
        Assert.Equal(201, created);
        var (ran, run) = await api.PostAsync($"/api/Actions/{(long)action!["actionID"]!}/run", new { threadId = lottery });
        Assert.True(ran == 200, ApiClient.Json(run));
        Assert.Equal("succeeded", (string)run!["actionRun"]!["outcome"]!);

        var inbox3 = await ListAsync(api, threads);
        Assert.Equal(others, Ids(inbox3, "data", "thread_id"));
        Assert.Equal(2, (int)inbox3["total"]!);
        var spamThreads = await ListAsync(api, threads + "?spam=true");
        Assert.Equal([lottery], Ids(spamThreads, "data", "thread_id"));
        Assert.Equal(1, (int)spamThreads["total"]!);
        Assert.Equal(others, Ids(await ListAsync(api, threads + "?spam=false&page=1&page_size=10"), "data", "thread_id"));
        var defaultMessages = await ListAsync(api, messages);
        Assert.Equal(2, (int)defaultMessages["total"]!);
        Assert.DoesNotContain(lottery, Ids(defaultMessages, "data", "thread_id"));
        var spamMessages = await ListAsync(api, messages + "?spam=true");
        Assert.Equal((1, lottery), ((int)spamMessages["total"]!, (string)spamMessages["data"]![0]!["thread_id"]!));
        Assert.Equal(400, (await api.GetAsync(threads + "?spam=yes")).Status);
        Assert.Equal(400, (await api.GetAsync(messages + "?spam=1")).Status);

        // A reply joins the spam thread (by its subject) and is spam with it.
        await SendAsync(server.SmtpEndPoint.Port, address, "Re: You won a lottery");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((int)(await ListAsync(api, messages + "?spam=true"))["total"]! < 2 && DateTime.UtcNow < deadline) await Task.Delay(100);
        spamMessages = await ListAsync(api, messages + "?spam=true");
        Assert.Equal(2, (int)spamMessages["total"]!);
        Assert.All(spamMessages["data"]!.AsArray(), m => Assert.Equal(lottery, (string)m!["thread_id"]!));
        Assert.Equal(2, (int)(await ListAsync(api, messages))["total"]!);
        spamThreads = await ListAsync(api, threads + "?spam=true");
        Assert.Equal((1, 2), ((int)spamThreads["total"]!, (int)spamThreads["data"]![0]!["message_count"]!));

        // The identities dialect's thread list and the MCP list tools hide it the same way.
        var v1 = await ListAsync(api, $"/v1/threads?identity_id={inboxId}");
        Assert.Equal(others.Order(), Ids(v1, "data", "id").Order());
        Assert.Equal([lottery], Ids(await ListAsync(api, $"/v1/threads?identity_id={inboxId}&spam=true"), "data", "id"));
        Assert.Equal(422, (await api.GetAsync("/v1/threads?spam=maybe")).Status); // the dialect answers validation errors with 422
        await using (var mcp = await McpTestClient.ConnectAsync(server, api.Token))
        {
            Assert.Equal(others, Ids(await mcp.OkAsync("list_threads", new { inbox_id = inboxId }), "threads", "thread_id"));
            Assert.Equal([lottery], Ids(await mcp.OkAsync("list_threads", new { inbox_id = inboxId, spam = true }), "threads", "thread_id"));
            var mcpSpam = await mcp.OkAsync("list_messages", new { inbox_id = inboxId, spam = true });
            Assert.Equal((2, 2), ((int)mcpSpam["total"]!, mcpSpam["messages"]!.AsArray().Count));
            Assert.Equal(2, (int)(await mcp.OkAsync("list_messages", new { inbox_id = inboxId }))["total"]!);
        }

        // Deleting the spam thread empties the spam view and leaves the default one as it was.
        Assert.Equal(204, (await api.DeleteAsync($"{threads}/{lottery}")).Status);
        Assert.Equal(0, (int)(await ListAsync(api, threads + "?spam=true"))["total"]!);
        Assert.Equal(0, (int)(await ListAsync(api, messages + "?spam=true"))["total"]!);
        Assert.Equal((2, 2), ((int)(await ListAsync(api, threads))["total"]!, (int)(await ListAsync(api, messages))["total"]!));

        // Another organization neither sees the inbox's lists nor marks its threads.
        var stranger = await server.NewOrganizationAsync();
        Assert.Equal(404, (await stranger.GetAsync(threads + "?spam=true")).Status);
        var (_, strangerAction) = await stranger.PostAsync("/api/Actions", new { name = "Mark spam", actionType = "Spam" });
        Assert.Equal(404, (await stranger.PostAsync($"/api/Actions/{(long)strangerAction!["actionID"]!}/run", new { threadId = others[0] })).Status);
        Assert.Equal(2, (int)(await ListAsync(api, threads))["total"]!);
    }
}
