using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Automation;

/// <summary>One server per database provider that asks a real spamd on 127.0.0.1 and may call APIs on 127.0.0.1.</summary>
public sealed class SpamdServers : IAsyncLifetime
{
    private readonly Dictionary<string, Task<MailroomTestServer>> _servers = [];
    private readonly Lock _gate = new();

    public Spamd Spamd { get; private set; } = null!;

    public async Task InitializeAsync() => Spamd = await Spamd.StartAsync();

    public Task<MailroomTestServer> For(string provider)
    {
        lock (_gate)
        {
            if (!_servers.TryGetValue(provider, out var server))
                _servers[provider] = server = MailroomTestServer.StartAsync(provider, $"--Mailroom:Spam:Spamd={Spamd.Endpoint}",
                    "--Mailroom:Webhooks:AllowPrivateTargets=true");
            return server;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers.Values) await (await server).DisposeAsync();
        await Spamd.DisposeAsync();
    }
}

/// <summary>Automations on real mail: SMTP in (swaks), spamd, topics, forwards, API calls to a receiver, replies, Wait across a restart.</summary>
public sealed class AutomationEngineTests(SpamdServers servers) : IClassFixture<SpamdServers>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    private const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private static async Task SendAsync(int smtpPort, string to, string subject, string body, string from = "alice@sender.example", string fromName = "Alice Example")
    {
        var run = await ExternalTools.RunAsync(ExternalTools.Swaks,
        [
            "--server", "127.0.0.1", "--port", smtpPort.ToString(), "--helo", "client.example", "--from", from, "--to", to,
            "--header", $"Subject: {subject}", "--header", $"From: {fromName} <{from}>", "--body", body,
        ]);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("250 2.0.0", run.Output);
    }

    private static async Task<long> ActionAsync(ApiClient api, object body)
    {
        var (status, created) = await api.PostAsync("/api/Actions", body);
        Assert.True(status == 201, $"{status} {ApiClient.Json(created)}");
        return (long)created!["actionID"]!;
    }

    private static async Task HookAsync(ApiClient api, string hook, long actionId, int priority, long? channelId = null)
    {
        var (status, body) = await api.PostAsync("/api/HookActions", new { hookName = hook, actionID = actionId, priority, channelID = channelId });
        Assert.True(status == 201, $"{status} {ApiClient.Json(body)}");
    }

    private static async Task<JsonNode> FirstMessageAsync(ApiClient api, string inboxId)
    {
        var list = await Mail.InboundSmtpTests.WaitForMessageAsync(api, inboxId);
        Assert.True((int)list["total"]! >= 1, "no message arrived");
        return list["data"]!.AsArray().Last()!;
    }

    /// <summary>The thread's action runs once at least <paramref name="count"/> are recorded (or the time is up).</summary>
    private static async Task<JsonArray> RunsAsync(ApiClient api, string threadId, int count, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var (_, body) = await api.GetAsync($"/api/ActionRuns?threadId={threadId}&pageSize=100");
            var items = body!["items"]!.AsArray();
            if (items.Count >= count || DateTime.UtcNow > deadline) return items;
            await Task.Delay(100);
        }
    }

    private static async Task<JsonNode> WaitForAsync(Func<Task<JsonNode?>> probe, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"timed out waiting for {what}");
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Gtube_is_marked_spam_by_a_real_spamd_and_a_PostSpam_action_acts_on_it(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("spam-" + Guid.NewGuid().ToString("N")[..6]);
        var (inboxId, address) = ((string)inbox["inbox_id"]!, (string)inbox["email_address"]!);
        var markSpam = await ActionAsync(api, new { name = "Mark spam", actionType = "Spam",
            conditionalRules = """{"all":[{"field":"spamVerdict","op":"equals","value":"spam"},{"field":"spamScore","op":"gte","value":5}]}""" });
        await HookAsync(api, "PostSpam", markSpam, 10);

        await SendAsync(server.SmtpEndPoint.Port, address, "You won", $"Claim now.\n{Gtube}\n");
        // The Spam action takes the thread out of the default lists: the message shows up in the spam view only.
        var spamView = $"/api/v0/inboxes/{inboxId}/messages?spam=true";
        var spamList = await WaitForAsync(async () => (await api.GetAsync(spamView)).Body is { } l && (int)l["total"]! == 1 ? l : null, "the spam view");
        var item = spamList["data"]![0]!;
        var messagePath = $"/api/v0/inboxes/{inboxId}/messages/{(string)item["message_id"]!}";
        var message = await WaitForAsync(async () => (await api.GetAsync(messagePath)).Body is { } m && m["spam"] is JsonObject ? m : null, "the spam verdict");
        Assert.Equal("spam", (string)message["spam"]!["verdict"]!);
        Assert.True((double)message["spam"]!["score"]! >= 1000, ApiClient.Json(message["spam"]));
        Assert.Equal(5.0, (double)message["spam"]!["threshold"]!);
        var runs = await RunsAsync(api, (string)item["thread_id"]!, 1);
        Assert.Equal("succeeded", (string)runs.Single()!["outcome"]!);
        Assert.Equal("PostSpam", (string)runs[0]!["hookName"]!);
        Assert.Contains("spam", (await api.GetAsync(messagePath)).Body!["labels"]!.AsArray().Select(l => (string)l!));
        var threads = $"/api/v0/inboxes/{inboxId}/threads";
        Assert.Equal((0, 0), ((int)(await api.GetAsync(threads)).Body!["total"]!, (await api.GetAsync(threads)).Body!["data"]!.AsArray().Count));
        Assert.Equal(0, (int)(await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages")).Body!["total"]!);
        var spamThreads = (await api.GetAsync(threads + "?spam=true")).Body!;
        Assert.Equal((1, (string)item["thread_id"]!), ((int)spamThreads["total"]!, (string)spamThreads["data"]![0]!["thread_id"]!));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_mail_on_a_topic_is_forwarded_and_an_api_call_gets_the_rendered_body(string provider)
    {
        var server = await servers.For(provider);
        await using var receiver = await ApiReceiver.StartAsync();
        var api = await server.NewOrganizationAsync();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var support = await api.CreateInboxAsync("support-" + suffix);
        var accounts = await api.CreateInboxAsync("accounts-" + suffix);
        var channels = (await api.GetAsync("/api/Channels")).Body!.AsArray();
        var supportChannel = (long)channels.Single(c => (string)c!["address"]! == (string)support["email_address"]!)!["channelID"]!;
        var (_, topic) = await api.PostAsync("/api/Topics", new { name = "Billing", keywords = new[] { "INVOICE" } });
        var forward = await ActionAsync(api, new { name = "To accounts", actionType = "Forward", forwardRecipients = (string)accounts["email_address"]! });
        var notify = await ActionAsync(api, new
        {
            name = "Tell the CRM", actionType = "ApiCall", overrideApiBaseUrl = receiver.BaseUrl, apiEndpoint = "/tickets/{{ticket.id}}", apiMethod = "POST",
            apiHeaders = """{"Content-Type":"application/json","X-Source":"mailroom"}""", overrideApiAuthenticationType = "Bearer", overrideApiToken = "crm-token",
            apiBodyTemplate = """{"from":{{json endUser.email}},"name":{{json endUser.name}},"subject":{{json message.subject}},"topics":{{json topics}},"channel":"{{channel.address}}"}""",
        });
        foreach (var (actionId, priority) in new[] { (forward, 10), (notify, 5) })
            Assert.Equal(201, (await api.PostAsync("/api/TopicActions", new { topicID = (long)topic!["topicID"]!, channelID = supportChannel, actionID = actionId, priority })).Status);

        await SendAsync(server.SmtpEndPoint.Port, (string)support["email_address"]!, "Your invoice 42", "Please find the invoice attached.");
        var item = await FirstMessageAsync(api, (string)support["inbox_id"]!);
        var threadId = (string)item["thread_id"]!;

        var call = Assert.Single(await receiver.WaitForAsync(1));
        Assert.Equal("POST", call.Method);
        Assert.Equal($"/tickets/{threadId}", call.Path);
        Assert.Equal("Bearer crm-token", call.Authorization);
        var body = JsonNode.Parse(call.Body)!;
        Assert.Equal("alice@sender.example", (string)body["from"]!);
        Assert.Equal("Alice Example", (string)body["name"]!);
        Assert.Equal("Your invoice 42", (string)body["subject"]!);
        Assert.Equal("Billing", (string)body["topics"]!);
        Assert.Equal((string)support["email_address"]!, (string)body["channel"]!);

        var forwarded = await FirstMessageAsync(api, (string)accounts["inbox_id"]!);
        Assert.Equal("Fwd: Your invoice 42", (string)forwarded["subject"]!);
        var runs = await RunsAsync(api, threadId, 2);
        Assert.Equal(["Forward", "ApiCall"], runs.Select(r => (string)r!["actionType"]!));
        Assert.All(runs, r => Assert.Equal("succeeded", (string)r!["outcome"]!));
        Assert.All(runs, r => Assert.Equal((long)topic!["topicID"]!, (long)r!["topicID"]!));
        Assert.Equal(200, (int)runs[1]!["httpStatus"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task ReplySend_answers_the_sender_in_the_same_thread_with_what_an_api_call_mapped(string provider)
    {
        var server = await servers.For(provider);
        await using var receiver = await ApiReceiver.StartAsync();
        receiver.Answer = """{"choices":[{"text":"Your order ships tomorrow."}]}""";
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("agent-" + Guid.NewGuid().ToString("N")[..6]);
        var ask = await ActionAsync(api, new
        {
            name = "Ask the agent", actionType = "ApiCall", overrideApiBaseUrl = receiver.BaseUrl, apiEndpoint = "/answer",
            fieldMapping = """{"question":"message.text","customer":"endUser.email"}""", responseFieldMapping = """{"answer":"$.choices.0.text"}""",
        });
        var reply = await ActionAsync(api, new { name = "Answer", actionType = "ReplySend", apiBodyTemplate = "Hello {{endUser.name}},\n\n{{answer}}\n" });
        await HookAsync(api, "PostTopicDetection", ask, 20);
        await HookAsync(api, "PostTopicDetection", reply, 10);

        await SendAsync(server.SmtpEndPoint.Port, (string)inbox["email_address"]!, "Where is my order?", "Order 77, please.");
        var item = await FirstMessageAsync(api, (string)inbox["inbox_id"]!);
        var threadId = (string)item["thread_id"]!;
        var runs = await RunsAsync(api, threadId, 2);
        Assert.All(runs, r => Assert.Equal("succeeded", (string)r!["outcome"]!));
        var question = JsonNode.Parse(Assert.Single(receiver.Requests).Body)!;
        Assert.Contains("Order 77", (string)question["question"]!);
        Assert.Equal("alice@sender.example", (string)question["customer"]!);

        var thread = (await api.GetAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/threads/{threadId}")).Body!;
        var messages = thread["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        var answer = messages[1]!;
        Assert.Equal("outbound", (string)answer["direction"]!);
        Assert.Equal(["alice@sender.example"], answer["to"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("Re: Where is my order?", (string)answer["subject"]!);
        Assert.Contains("Hello Alice Example,", (string)answer["text"]!);
        Assert.Contains("Your order ships tomorrow.", (string)answer["text"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_failing_api_call_is_recorded_and_the_next_action_still_runs_and_OnClose_fires(string provider)
    {
        var server = await servers.For(provider);
        await using var receiver = await ApiReceiver.StartAsync();
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("fail-" + Guid.NewGuid().ToString("N")[..6]);
        var failing = await ActionAsync(api, new { name = "Broken CRM", actionType = "ApiCall", overrideApiBaseUrl = receiver.BaseUrl, apiEndpoint = "/fail" });
        var close = await ActionAsync(api, new { name = "Close", actionType = "Close" });
        var closed = await ActionAsync(api, new { name = "Closed hook", actionType = "ApiCall", overrideApiBaseUrl = receiver.BaseUrl,
            apiEndpoint = "/closed/{{ticket.id}}/{{ticket.status}}", apiMethod = "POST" });
        var skipped = await ActionAsync(api, new { name = "Only VIPs", actionType = "Spam",
            conditionalRules = """{"any":[{"field":"sender","op":"endsWith","value":"@vip.example"}]}""" });
        await HookAsync(api, "PreSpam", failing, 10);
        await HookAsync(api, "PreSpam", close, 5);
        await HookAsync(api, "PreSpam", skipped, 1);
        await HookAsync(api, "OnClose", closed, 1);

        await SendAsync(server.SmtpEndPoint.Port, (string)inbox["email_address"]!, "Hello", "Anyone there?");
        var threadId = (string)(await FirstMessageAsync(api, (string)inbox["inbox_id"]!))["thread_id"]!;
        var runs = await RunsAsync(api, threadId, 4);
        Assert.Equal(["ApiCall", "Close", "Spam", "ApiCall"], runs.Select(r => (string)r!["actionType"]!));
        Assert.Equal("failed", (string)runs[0]!["outcome"]!);
        Assert.Equal(500, (int)runs[0]!["httpStatus"]!);
        Assert.Contains("500", (string)runs[0]!["error"]!);
        Assert.Equal("succeeded", (string)runs[1]!["outcome"]!);
        Assert.Equal("skipped", (string)runs[2]!["outcome"]!);
        Assert.Equal("OnClose", (string)runs[3]!["hookName"]!);
        Assert.Equal("succeeded", (string)runs[3]!["outcome"]!);
        Assert.Contains(receiver.Requests, r => r.Path == $"/closed/{threadId}/closed");
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Run_and_invoke_run_one_action_now(string provider)
    {
        var server = await servers.For(provider);
        await using var receiver = await ApiReceiver.StartAsync();
        receiver.Answer = """{"status":"found","id":7}""";
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("run-" + Guid.NewGuid().ToString("N")[..6]);
        await SendAsync(server.SmtpEndPoint.Port, (string)inbox["email_address"]!, "Draft me", "Please answer.");
        var threadId = (string)(await FirstMessageAsync(api, (string)inbox["inbox_id"]!))["thread_id"]!;

        var draft = await ActionAsync(api, new { name = "Draft", actionType = "Reply", apiBodyTemplate = "We are on it, {{endUser.name}}." });
        var (status, ran) = await api.PostAsync($"/api/Actions/{draft}/run", new { threadId });
        Assert.Equal(200, status);
        Assert.Equal("succeeded", (string)ran!["actionRun"]!["outcome"]!);
        Assert.Equal("UserTriggered", (string)ran["actionRun"]!["hookName"]!);
        var draftId = (string)ran["result"]!;
        var db = server.Services.GetRequiredService<MailroomDatabase>();
        Assert.Equal("pending", await db.ScalarAsync<string>("SELECT state FROM drafts WHERE id = @draftId", new { draftId }));
        Assert.Contains("We are on it, Alice Example.", await db.ScalarAsync<string>("SELECT payload_json FROM drafts WHERE id = @draftId", new { draftId }));
        // The same draft the identities dialect shows, pending on the thread.
        var shown = (await api.GetAsync($"/v1/drafts/{draftId}")).Body!;
        Assert.Equal(("pending", threadId), ((string)shown["status"]!, (string)shown["thread_id"]!));
        Assert.Contains("We are on it, Alice Example.", (string)shown["body_text"]!);
        Assert.Equal(404, (await api.PostAsync($"/api/Actions/{draft}/run", new { threadId = "thr_missing" })).Status);
        Assert.Equal(400, (await api.PostAsync($"/api/Actions/{draft}/run", new { })).Status);

        var tool = await ActionAsync(api, new
        {
            name = "Find order", actionType = "ApiCall", isFunctionTool = true, overrideApiBaseUrl = receiver.BaseUrl, apiEndpoint = "/orders/{{arguments.orderId}}",
            apiMethod = "GET", functionParametersSchema = """{"type":"object","properties":{"orderId":{"type":"integer","minimum":1}},"required":["orderId"]}""",
        });
        var (bad, problem) = await api.PostAsync($"/api/Actions/{tool}/invoke", new { arguments = new { orderId = "seven" } });
        Assert.Equal(400, bad);
        Assert.NotNull(problem!["errors"]!["arguments"]);
        Assert.Equal(400, (await api.PostAsync($"/api/Actions/{tool}/invoke", new { arguments = new { } })).Status);
        Assert.Equal(400, (await api.PostAsync($"/api/Actions/{draft}/invoke", new { arguments = new { } })).Status);
        var (ok, invoked) = await api.PostAsync($"/api/Actions/{tool}/invoke", new { arguments = new { orderId = 7 } });
        Assert.Equal(200, ok);
        Assert.Equal("found", (string)invoked!["result"]!["status"]!);
        Assert.Equal(200, (int)invoked["actionRun"]!["httpStatus"]!);
        Assert.Equal("/orders/7", receiver.Requests.Single().Path);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Wait_then_Close_survives_a_restart_in_between(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var configuration = database.HostArguments().ToList();
        var output = new StringWriter();
        Assert.Equal(0, await MailroomCommandLine.RunAsync(["admin", "create-org", "--name", "Waiting", .. configuration], output));
        var token = (string)JsonNode.Parse(output.ToString())!["api_key"]!;

        string threadId;
        int httpPort, smtpPort;
        using (var first = await ServerProcess.StartAsync(configuration))
        {
            (httpPort, smtpPort) = (first.HttpPort, first.SmtpPort);
            using var http = new HttpClient { BaseAddress = first.Address };
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var api = new ApiClient(http, "", token);
            var inbox = await api.CreateInboxAsync("wait");
            var wait = await ActionAsync(api, new { name = "Wait 4 s", actionType = "Wait", waitSeconds = 4 });
            var close = await ActionAsync(api, new { name = "Close", actionType = "Close" });
            await HookAsync(api, "PostSpam", wait, 10);
            await HookAsync(api, "PostSpam", close, 5);
            await SendAsync(first.SmtpPort, (string)inbox["email_address"]!, "Later", "Close me in a while.");
            threadId = (string)(await FirstMessageAsync(api, (string)inbox["inbox_id"]!))["thread_id"]!;
            var beforeKill = await RunsAsync(api, threadId, 1);
            Assert.Equal("Wait", (string)Assert.Single(beforeKill)!["actionType"]!);
            first.Kill();
        }
        await Task.Delay(TimeSpan.FromSeconds(1));
        using var second = await ServerProcess.StartAsync(configuration, httpPort, smtpPort);
        using var client = new HttpClient { BaseAddress = second.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var again = new ApiClient(client, "", token);
        var runs = await RunsAsync(again, threadId, 2, seconds: 40);
        Assert.Equal(["Wait", "Close"], runs.Select(r => (string)r!["actionType"]!));
        Assert.All(runs, r => Assert.Equal("succeeded", (string)r!["outcome"]!));
        var waited = DateTimeOffset.Parse((string)runs[0]!["startedAt"]!);
        var closedAt = DateTimeOffset.Parse((string)runs[1]!["startedAt"]!);
        Assert.True(closedAt - waited >= TimeSpan.FromSeconds(4), $"{waited:O} -> {closedAt:O}");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(2, (await RunsAsync(again, threadId, 3, seconds: 1)).Count);
        var status = await new MailroomDatabaseProbe(database).ThreadStatusAsync(threadId);
        Assert.Equal("closed", status);
    }

    private sealed class MailroomDatabaseProbe(TestDatabase database)
    {
        public async Task<string> ThreadStatusAsync(string threadId)
        {
            await using var db = new MailroomDatabase(database.Provider == "sqlite" ? DatabaseProvider.Sqlite : DatabaseProvider.Postgres, database.ConnectionString);
            return await db.ScalarAsync<string>("SELECT status FROM threads WHERE id = @threadId", new { threadId });
        }
    }
}
