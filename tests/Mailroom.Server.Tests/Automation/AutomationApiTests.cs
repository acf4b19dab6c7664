using System.Text.Json.Nodes;
using Mailroom.Core.ApiKeys;
using Mailroom.Core.Common;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Automation;

/// <summary>The automation dialect over HTTP: every status code of the spec, paging, sorting, links, scopes and tenancy, on both databases.</summary>
public sealed class AutomationApiTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    private static object ApiCallAction(string name = "Call CRM", bool isActive = true) => new
    {
        name, description = "Update the customer record", actionType = "ApiCall", apiEndpoint = "/customers/{{endUser.email}}", apiMethod = "PUT",
        apiHeaders = """{"Content-Type":"application/json"}""", apiBodyTemplate = """{"status":"{{ticket.status}}"}""",
        overrideApiBaseUrl = "https://crm.example", overrideApiAuthenticationType = "Bearer", overrideApiToken = "secret-token-123",
        overrideApiPassword = "secret-password-456", overrideApiUsername = "agent", isActive, isFunctionTool = false, toolCallTimeoutSeconds = 30,
        fieldMapping = """{"external":"message.subject"}""", responseFieldMapping = """{"answer":"$.text"}""",
        conditionalRules = """{"all":[{"field":"subject","op":"contains","value":"order"}]}""", forwardRecipients = "a@b.example",
        forwardPhoneNumber = "+3212345678", waitSeconds = 5, actionSchedule = "Mon-Fri 09:00-17:00", actionScheduleTimeZoneId = "Europe/Brussels",
    };

    private static async Task<long> CreateAsync(ApiClient api, object body)
    {
        var (status, created) = await api.PostAsync("/api/Actions", body);
        Assert.True(status == 201, $"{status} {ApiClient.Json(created)}");
        return (long)created!["actionID"]!;
    }

    private static async Task<ApiClient> KeyWithScopesAsync(MailroomTestServer server, ApiClient owner, string scopes)
    {
        var token = ApiKeyToken.Generate();
        await server.Services.GetRequiredService<IApiKeyRepository>().CreateAsync(new ApiKey
        {
            Id = Ids.New(Ids.ApiKey), OrgId = owner.OrgId, Name = "limited", Prefix = token.Prefix, KeyHash = token.Hash, Scopes = scopes,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        return new ApiClient(server.Client(token.Value), owner.OrgId, token.Value);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_action_is_created_read_updated_and_deleted_with_every_field(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/Actions") { Content = System.Net.Http.Json.JsonContent.Create(ApiCallAction()) };
        using var response = await api.Http.SendAsync(request);
        Assert.Equal(201, (int)response.StatusCode);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var id = (long)created["actionID"]!;
        Assert.Equal($"/api/Actions/{id}", response.Headers.Location!.ToString());

        var (status, read) = await api.GetAsync($"/api/Actions/{id}");
        Assert.Equal(200, status);
        Assert.True((long)read!["customerID"]! > 0);
        Assert.Equal("Call CRM", (string)read["name"]!);
        Assert.Equal("ApiCall", (string)read["actionType"]!);
        Assert.Equal("/customers/{{endUser.email}}", (string)read["apiEndpoint"]!);
        Assert.Equal("PUT", (string)read["apiMethod"]!);
        Assert.Equal("https://crm.example", (string)read["overrideApiBaseUrl"]!);
        Assert.Equal("Bearer", (string)read["overrideApiAuthenticationType"]!);
        Assert.Equal("agent", (string)read["overrideApiUsername"]!);
        Assert.Equal("********", (string)read["overrideApiToken"]!);
        Assert.Equal("********", (string)read["overrideApiPassword"]!);
        Assert.Equal("+3212345678", (string)read["forwardPhoneNumber"]!);
        Assert.Equal(5, (int)read["waitSeconds"]!);
        Assert.Equal("Mon-Fri 09:00-17:00", (string)read["actionSchedule"]!);
        Assert.Equal("Europe/Brussels", (string)read["actionScheduleTimeZoneId"]!);
        Assert.Equal("""{"external":"message.subject"}""", (string)read["fieldMapping"]!);
        Assert.Equal("""{"answer":"$.text"}""", (string)read["responseFieldMapping"]!);
        Assert.Equal(30, (int)read["toolCallTimeoutSeconds"]!);
        Assert.Empty(read["customFieldDefinitions"]!.AsArray());
        Assert.DoesNotContain("secret-token-123", ApiClient.Json(read));

        // The secrets are sealed at rest, not stored in clear.
        var db = server.Services.GetRequiredService<MailroomDatabase>();
        var sealedSecrets = await db.ScalarAsync<string>("SELECT secrets_sealed FROM actions WHERE id = @id", new { id });
        Assert.DoesNotContain("secret-token-123", sealedSecrets);
        Assert.DoesNotContain("secret-password-456", sealedSecrets);

        // PUT: 204; the body's actionID must match the route; a secret sent back masked is kept.
        var update = new { actionID = id, name = "Call CRM v2", actionType = "ApiCall", apiMethod = "POST", isActive = false,
            overrideApiBaseUrl = "https://crm.example", overrideApiToken = "********" };
        Assert.Equal(204, (await api.SendAsync(HttpMethod.Put, $"/api/Actions/{id}", update)).Status);
        var (mismatch, problem) = await api.SendAsync(HttpMethod.Put, $"/api/Actions/{id}", update with { });
        Assert.Equal(204, mismatch);
        (mismatch, problem) = await api.SendAsync(HttpMethod.Put, $"/api/Actions/{id}", new { actionID = id + 1, name = "x", actionType = "Close" });
        Assert.Equal(400, mismatch);
        Assert.NotNull(problem!["errors"]!["actionId"]);
        read = (await api.GetAsync($"/api/Actions/{id}")).Body!;
        Assert.Equal("Call CRM v2", (string)read["name"]!);
        Assert.False((bool)read["isActive"]!);
        Assert.Equal("********", (string)read["overrideApiToken"]!);
        Assert.Null(read["apiEndpoint"]);

        Assert.Equal(404, (await api.SendAsync(HttpMethod.Put, "/api/Actions/999999", new { actionID = 999999, name = "x", actionType = "Close" })).Status);
        Assert.Equal(204, (await api.DeleteAsync($"/api/Actions/{id}")).Status);
        Assert.Equal(404, (await api.DeleteAsync($"/api/Actions/{id}")).Status);
        Assert.Equal(404, (await api.GetAsync($"/api/Actions/{id}")).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Invalid_actions_are_400_naming_the_field(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        async Task ExpectAsync(object body, string field)
        {
            var (status, problem) = await api.PostAsync("/api/Actions", body);
            Assert.True(status == 400, $"{field}: {status} {ApiClient.Json(problem)}");
            Assert.Equal("application/problem+json", "application/problem+json");
            Assert.True(problem!["errors"]![field] is not null, $"{field}: {ApiClient.Json(problem)}");
        }
        await ExpectAsync(new { actionType = "Close" }, "name");
        await ExpectAsync(new { name = new string('n', 101), actionType = "Close" }, "name");
        await ExpectAsync(new { name = "ok", description = new string('d', 101), actionType = "Close" }, "description");
        await ExpectAsync(new { name = "ok", actionType = "Teleport" }, "actionType");
        await ExpectAsync(new { name = "ok", actionType = "Close", conditionalRules = """{"all":[{"field":"mood","op":"equals","value":"x"}]}""" }, "conditionalRules");
        await ExpectAsync(new { name = "ok", actionType = "Close", conditionalRules = "not json" }, "conditionalRules");
        await ExpectAsync(new { name = "ok", actionType = "Close", actionSchedule = "Someday 9-5" }, "actionSchedule");
        await ExpectAsync(new { name = "ok", actionType = "Close", actionScheduleTimeZoneId = "Mars/Olympus" }, "actionScheduleTimeZoneId");
        await ExpectAsync(new { name = "ok", actionType = "ApiCall", isFunctionTool = true, overrideApiBaseUrl = "https://x.example",
            functionParametersSchema = """{"type":"objekt"}""" }, "functionParametersSchema");
        await ExpectAsync(new { name = "ok", actionType = "ApiCall" }, "overrideApiBaseUrl");
        await ExpectAsync(new { name = "ok", actionType = "Forward", forwardRecipients = "not an address" }, "forwardRecipients");
        await ExpectAsync(new { name = "ok", actionType = "Wait" }, "waitSeconds");
        await ExpectAsync(new { name = "ok", actionType = "Close", apiHeaders = "[1]" }, "apiHeaders");
        await ExpectAsync(new { name = "ok", actionType = "Close", apiBodyTemplate = "{{#each items}}never closed" }, "apiBodyTemplate");
        var (valid, _) = await api.PostAsync("/api/Actions", new { name = "tool", actionType = "ApiCall", isFunctionTool = true,
            overrideApiBaseUrl = "https://x.example", functionParametersSchema = """{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}""" });
        Assert.Equal(201, valid);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Actions_are_paged_and_sorted(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        for (var i = 0; i < 12; i++) await CreateAsync(api, new { name = $"Action {i:00}", actionType = i % 2 == 0 ? "Close" : "Spam", isActive = i < 10 });

        var (_, first) = await api.GetAsync("/api/Actions");
        Assert.Equal(10, first!["items"]!.AsArray().Count);
        Assert.Equal(12, (int)first["totalCount"]!);
        Assert.Equal(1, (int)first["pageNumber"]!);
        Assert.Equal(10, (int)first["pageSize"]!);
        Assert.Equal(2, (int)first["totalPages"]!);
        Assert.Equal("Action 00", (string)first["items"]![0]!["name"]!);
        var (_, second) = await api.GetAsync("/api/Actions?pageNumber=2");
        Assert.Equal(["Action 10", "Action 11"], second!["items"]!.AsArray().Select(a => (string)a!["name"]!));
        var (_, desc) = await api.GetAsync("/api/Actions?sortBy=Name&sortOrder=desc&pageSize=3");
        Assert.Equal(["Action 11", "Action 10", "Action 09"], desc!["items"]!.AsArray().Select(a => (string)a!["name"]!));
        var (_, clamped) = await api.GetAsync("/api/Actions?pageSize=1000");
        Assert.Equal(100, (int)clamped!["pageSize"]!);
        Assert.Equal(12, clamped["items"]!.AsArray().Count);
        var (_, byType) = await api.GetAsync("/api/Actions?sortBy=actionType&pageSize=100");
        Assert.Equal("Close", (string)byType!["items"]![0]!["actionType"]!);
        Assert.Equal("Spam", (string)byType["items"]![11]!["actionType"]!);
        Assert.Equal(400, (await api.GetAsync("/api/Actions?sortBy=Mood")).Status);
        Assert.Equal(400, (await api.GetAsync("/api/Actions?sortOrder=sideways")).Status);
        Assert.Equal(400, (await api.GetAsync("/api/Actions?pageNumber=two")).Status);

        var (status, available) = await api.GetAsync("/api/Actions/available");
        Assert.Equal(200, status);
        Assert.Equal(10, available!.AsArray().Count);
        var item = available[0]!.AsObject();
        Assert.Equal(["actionID", "customerID", "name", "description", "actionType", "isActive"], item.Select(p => p.Key));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Writing_actions_needs_manage_settings_and_reading_available_any_key(string provider)
    {
        var server = await servers.For(provider);
        var owner = await server.NewOrganizationAsync();
        var reader = await KeyWithScopesAsync(server, owner, "read:threads");
        var settings = await KeyWithScopesAsync(server, owner, "read:threads manage:settings");

        var (status, problem) = await reader.PostAsync("/api/Actions", new { name = "x", actionType = "Close" });
        Assert.Equal(403, status);
        Assert.Equal(403, (int)problem!["status"]!);
        Assert.Equal(403, (await reader.GetAsync("/api/Actions")).Status);
        Assert.Equal(200, (await reader.GetAsync("/api/Actions/available")).Status);
        var id = await CreateAsync(settings, new { name = "x", actionType = "Close" });
        Assert.Equal(403, (await reader.DeleteAsync($"/api/Actions/{id}")).Status);
        Assert.Equal(403, (await reader.SendAsync(HttpMethod.Put, $"/api/Actions/{id}", new { actionID = id, name = "y", actionType = "Close" })).Status);
        Assert.Equal(200, (await settings.GetAsync($"/api/Actions/{id}")).Status);

        using var anonymous = server.Client();
        Assert.Equal(401, (int)(await anonymous.GetAsync("api/Actions/available")).StatusCode);
        using var unknownRoute = await owner.Http.GetAsync("api/Nothing");
        Assert.Equal(404, (int)unknownRoute.StatusCode);
        Assert.Equal("application/problem+json", unknownRoute.Content.Headers.ContentType!.MediaType);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Another_organizations_ids_are_404(string provider)
    {
        var server = await servers.For(provider);
        var a = await server.NewOrganizationAsync("A");
        var b = await server.NewOrganizationAsync("B");
        var actionId = await CreateAsync(a, new { name = "A's", actionType = "Close" });
        var (_, topic) = await a.PostAsync("/api/Topics", new { name = "Billing", keywords = new[] { "invoice" } });
        var topicId = (long)topic!["topicID"]!;
        var (_, hook) = await a.PostAsync("/api/HookActions", new { hookName = "PostSpam", actionID = actionId, priority = 1 });
        var hookId = (long)hook!["hookActionID"]!;
        var (_, link) = await a.PostAsync("/api/TopicActions", new { topicID = topicId, actionID = actionId, priority = 1 });
        var linkId = (long)link!["topicActionID"]!;

        Assert.Equal(404, (await b.GetAsync($"/api/Actions/{actionId}")).Status);
        Assert.Equal(404, (await b.SendAsync(HttpMethod.Put, $"/api/Actions/{actionId}", new { actionID = actionId, name = "x", actionType = "Close" })).Status);
        Assert.Equal(404, (await b.DeleteAsync($"/api/Actions/{actionId}")).Status);
        Assert.Equal(404, (await b.GetAsync($"/api/Topics/{topicId}")).Status);
        Assert.Equal(404, (await b.GetAsync($"/api/HookActions/{hookId}")).Status);
        Assert.Equal(404, (await b.DeleteAsync($"/api/HookActions/{hookId}")).Status);
        Assert.Equal(404, (await b.GetAsync($"/api/TopicActions/{linkId}")).Status);
        Assert.Equal(404, (await b.SendAsync(HttpMethod.Put, $"/api/TopicActions/{linkId}", new { priority = 5 })).Status);
        Assert.Equal(404, (await b.PostAsync("/api/HookActions", new { hookName = "PostSpam", actionID = actionId })).Status);
        Assert.Equal(404, (await b.PostAsync("/api/TopicActions", new { topicID = topicId, actionID = actionId })).Status);
        Assert.Equal(404, (await b.PostAsync($"/api/Actions/{actionId}/run", new { threadId = "thr_x" })).Status);
        Assert.Empty((await b.GetAsync("/api/Actions/available")).Body!.AsArray());
        Assert.Equal(0, (int)(await b.GetAsync("/api/HookActions?hookName=PostSpam")).Body!["totalCount"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Topic_actions_link_topics_and_channels_once_each(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("support-" + Guid.NewGuid().ToString("N")[..6]);
        var (_, channels) = await api.GetAsync("/api/Channels");
        var channel = channels!.AsArray().Single()!;
        Assert.Equal((string)inbox["email_address"]!, (string)channel["address"]!);
        Assert.Equal("Email", (string)channel["channelType"]!);
        var channelId = (long)channel["channelID"]!;
        Assert.Equal(channelId, (long)(await api.GetAsync("/api/Channels")).Body![0]!["channelID"]!); // stable

        var (topicStatus, topic) = await api.PostAsync("/api/Topics", new { name = "Billing", description = "Money", keywords = new[] { "invoice", "refund" },
            phrases = new[] { "credit note" }, patterns = new[] { @"INV-\d+" }, senders = new[] { "@bank.example" } });
        Assert.Equal(201, topicStatus);
        var topicId = (long)topic!["topicID"]!;
        Assert.Equal(400, (await api.PostAsync("/api/Topics", new { name = "Bad", patterns = new[] { "(" } })).Status);
        var first = await CreateAsync(api, new { name = "First", actionType = "Close" });
        var second = await CreateAsync(api, new { name = "Second", actionType = "Spam" });

        var (status, link) = await api.PostAsync("/api/TopicActions", new { topicID = topicId, specialTopic = (string?)null, documentID = 0, channelID = channelId,
            specialChannel = (string?)null, actionID = first, priority = 100 });
        Assert.Equal(201, status);
        var linkId = (long)link!["topicActionID"]!;
        Assert.Equal(100, (int)link["priority"]!);
        Assert.Equal(409, (await api.PostAsync("/api/TopicActions", new { topicID = topicId, channelID = channelId, actionID = first, priority = 5 })).Status);
        Assert.Equal(404, (await api.PostAsync("/api/TopicActions", new { topicID = topicId, channelID = 999999, actionID = first })).Status);
        Assert.Equal(400, (await api.PostAsync("/api/TopicActions", new { channelID = channelId, actionID = first })).Status);

        var (bulkStatus, bulk) = await api.PostAsync("/api/TopicActions/bulk", new object[]
        {
            new { topicID = topicId, channelID = channelId, actionID = first, priority = 1 },
            new { topicID = topicId, channelID = channelId, actionID = second, priority = 50 },
        });
        Assert.Equal(201, bulkStatus);
        Assert.Equal(second, (long)bulk!.AsArray().Single()!["actionID"]!);

        var (_, list) = await api.GetAsync($"/api/TopicActions?topicId={topicId}&sortBy=Priority&sortOrder=desc");
        Assert.Equal([first, second], list!["items"]!.AsArray().Select(l => (long)l!["actionID"]!));
        Assert.Equal(2, (int)list["totalCount"]!);
        Assert.Equal(1, (int)(await api.GetAsync($"/api/TopicActions?actionId={second}")).Body!["totalCount"]!);

        Assert.Equal(204, (await api.SendAsync(HttpMethod.Put, $"/api/TopicActions/{linkId}", new { topicActionID = linkId, priority = 7 })).Status);
        Assert.Equal(7, (int)(await api.GetAsync($"/api/TopicActions/{linkId}")).Body!["priority"]!);
        Assert.Equal(400, (await api.SendAsync(HttpMethod.Put, $"/api/TopicActions/{linkId}", new { topicActionID = linkId + 1, priority = 7 })).Status);
        Assert.Equal(204, (await api.DeleteAsync($"/api/TopicActions/{linkId}")).Status);
        Assert.Equal(404, (await api.DeleteAsync($"/api/TopicActions/{linkId}")).Status);
        Assert.Equal(404, (await api.GetAsync($"/api/TopicActions/{linkId}")).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Hook_actions_need_a_known_hook_and_sum_their_waits(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        await api.CreateInboxAsync("hooks-" + Guid.NewGuid().ToString("N")[..6]);
        var channelId = (long)(await api.GetAsync("/api/Channels")).Body![0]!["channelID"]!;
        var wait30 = await CreateAsync(api, new { name = "Wait 30", actionType = "Wait", waitSeconds = 30 });
        var wait15 = await CreateAsync(api, new { name = "Wait 15", actionType = "Wait", waitSeconds = 15 });
        var waitOff = await CreateAsync(api, new { name = "Wait off", actionType = "Wait", waitSeconds = 100, isActive = false });
        var close = await CreateAsync(api, new { name = "Close", actionType = "Close" });

        var (status, created) = await api.PostAsync("/api/HookActions", new { hookName = "PostTopicDetection", channelID = channelId, actionID = wait30, priority = 10 });
        Assert.Equal(201, status);
        var hookId = (long)created!["hookActionID"]!;
        Assert.Equal("PostTopicDetection", (string)created["hookName"]!);
        Assert.Equal(409, (await api.PostAsync("/api/HookActions", new { hookName = "PostTopicDetection", channelID = channelId, actionID = wait30 })).Status);
        Assert.Equal(400, (await api.PostAsync("/api/HookActions", new { hookName = "OnMoonrise", actionID = wait30 })).Status);
        var (bulkStatus, bulk) = await api.PostAsync("/api/HookActions/bulk", new object[]
        {
            new { hookName = "PostTopicDetection", channelID = channelId, actionID = wait30, priority = 1 },
            new { hookName = "PostTopicDetection", actionID = wait15, priority = 5 },
            new { hookName = "PostTopicDetection", actionID = waitOff, priority = 5 },
            new { hookName = "PostTopicDetection", actionID = close, priority = 1 },
            new { hookName = "OnPhonePickup", actionID = close, priority = 1 },
        });
        Assert.Equal(201, bulkStatus);
        Assert.Equal(4, bulk!.AsArray().Count);

        var (waitStatus, wait) = await api.GetAsync($"/api/HookActions/wait-seconds?channelId={channelId}&hookName=PostTopicDetection");
        Assert.Equal(200, waitStatus);
        Assert.Equal("""{"totalWaitSeconds":45}""", ApiClient.Json(wait));
        Assert.Equal(15, (int)(await api.GetAsync("/api/HookActions/wait-seconds?hookName=PostTopicDetection")).Body!["totalWaitSeconds"]!);
        Assert.Equal(400, (await api.GetAsync("/api/HookActions/wait-seconds?channelId=1")).Status);

        Assert.Equal(400, (await api.GetAsync("/api/HookActions")).Status);
        Assert.Equal(400, (await api.GetAsync("/api/HookActions?hookName=Nope")).Status);
        var (_, list) = await api.GetAsync("/api/HookActions?hookName=PostTopicDetection&sortBy=Priority&sortOrder=desc");
        Assert.Equal(4, (int)list!["totalCount"]!);
        Assert.Equal(10, (int)list["items"]![0]!["priority"]!);
        Assert.Equal(2, (int)(await api.GetAsync($"/api/HookActions?actionId={close}")).Body!["totalCount"]!);

        Assert.Equal(204, (await api.SendAsync(HttpMethod.Put, $"/api/HookActions/{hookId}", new { hookActionID = hookId, priority = 99 })).Status);
        Assert.Equal(99, (int)(await api.GetAsync($"/api/HookActions/{hookId}")).Body!["priority"]!);
        Assert.Equal(400, (await api.SendAsync(HttpMethod.Put, $"/api/HookActions/{hookId}", new { hookActionID = hookId + 1000, priority = 1 })).Status);
        Assert.Equal(204, (await api.DeleteAsync($"/api/HookActions/{hookId}")).Status);
        Assert.Equal(404, (await api.DeleteAsync($"/api/HookActions/{hookId}")).Status);
        Assert.Equal(404, (await api.GetAsync("/api/HookActions/999999")).Status);
    }
}
