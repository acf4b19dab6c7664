using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V0;

/// <summary>
/// Request bodies a hostile or careless client sends: huge lists, oversized bodies, text that is not Unicode, NULs,
/// keys given twice, page numbers at the edge of <c>int</c>, too many headers or attachments, half an address. Each
/// is a 400 (or 413) in v0's shape naming the field, never a 500, a hang or a silent acceptance.
/// </summary>
public sealed class HostileInputTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    /// <summary>An organization with an inbox that has sent one message (to its second inbox), which replies and forwards can answer.</summary>
    private static async Task<(ApiClient Api, string InboxId, string MessageId, string Recipient)> CorrespondentAsync(MailroomTestServer server)
    {
        var api = await server.NewOrganizationAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var inbox = await api.CreateInboxAsync("hostile-" + tag);
        var recipient = (string)(await api.CreateInboxAsync("target-" + tag))["email_address"]!;
        var inboxId = (string)inbox["inbox_id"]!;
        var (status, sent) = await api.PostAsync($"/api/v0/inboxes/{inboxId}/messages/send", new { to = recipient, subject = "first", text = "hello" });
        Assert.True(status == 200, $"send: {status} {sent?.ToJsonString()}");
        return (api, inboxId, (string)sent!["message_id"]!, recipient);
    }

    private static async Task<(int Status, JsonNode? Body)> RawAsync(ApiClient api, HttpMethod method, string path, byte[] body)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await api.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>
    /// Posts a body the server will refuse for its size, with <c>Expect: 100-continue</c> and a Content-Length: the server
    /// answers 413 before the body is sent, so the client never races a closed connection mid-upload.
    /// </summary>
    private static async Task<(int Status, JsonNode? Body)> OversizedAsync(ApiClient api, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/'));
        request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.ExpectContinue = true;
        using var response = await api.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static void AssertValidationError((int Status, JsonNode? Body) answer, string message, int status = 400)
    {
        Assert.True(answer.Status == status, $"expected {status} '{message}', got {answer.Status} {answer.Body?.ToJsonString()}");
        Assert.Equal("ValidationError", (string?)answer.Body!["name"]);
        Assert.Equal(message, (string?)answer.Body["message"]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Labels_are_counted_as_given_before_any_is_compared(string provider)
    {
        var (api, inboxId, messageId, recipient) = await CorrespondentAsync(await servers.For(provider));
        var distinct = Enumerable.Range(0, 80_000).Select(i => "label-" + i).ToArray();
        var repeated = Enumerable.Repeat("same", 80_000).ToArray();

        AssertValidationError(await api.PostAsync($"/api/v0/inboxes/{inboxId}/messages/send", new { to = recipient, text = "x", labels = distinct }),
            "labels: at most 50 labels");
        AssertValidationError(await api.PostAsync($"/api/v0/inboxes/{inboxId}/messages/send", new { to = recipient, text = "x", labels = repeated }),
            "labels: at most 50 labels");
        AssertValidationError(await api.PostAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}/reply", new { text = "x", labels = repeated }),
            "labels: at most 50 labels");
        AssertValidationError(await api.PatchAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}", new { labels = repeated }),
            "labels: at most 50 labels");
        var fifty = await api.PatchAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}", new { labels = Enumerable.Repeat("same", 50) });
        Assert.Equal(200, fifty.Status);
        Assert.Equal(["same"], fifty.Body!["labels"]!.AsArray().Select(l => (string)l!));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Recipients_headers_and_attachments_are_bounded_before_their_items_are_read(string provider)
    {
        var (api, inboxId, _, recipient) = await CorrespondentAsync(await servers.For(provider));
        var send = $"/api/v0/inboxes/{inboxId}/messages/send";
        // Items that would each be refused on their own: only the count can answer first.
        AssertValidationError(await api.PostAsync(send, new { to = Enumerable.Repeat("not an address", 80_000), text = "x" }),
            "to: at most 100 addresses");
        AssertValidationError(await api.PostAsync(send, new { to = recipient, text = "x",
            headers = Enumerable.Range(0, 1_001).ToDictionary(i => $"X-Custom-{i}", _ => "v") }), "headers: at most 100 headers");
        AssertValidationError(await api.PostAsync(send, new { to = recipient, text = "x",
            attachments = Enumerable.Range(0, 10_000).Select(_ => new { filename = "a.txt", content = "YQ==" }) }), "attachments: at most 100 attachments");
        AssertValidationError(await api.PostAsync(send, new { to = recipient, text = "x",
            attachments = Enumerable.Range(0, 101).Select(_ => new { url = "http://10.0.0.1/never-fetched" }) }), "attachments: at most 100 attachments");

        var most = await api.PostAsync(send, new
        {
            to = recipient, text = "x", headers = Enumerable.Range(0, 100).ToDictionary(i => $"X-Custom-{i}", _ => "v"),
            attachments = Enumerable.Range(0, 100).Select(i => new { filename = $"a{i}.txt", content = "YQ==" }),
        });
        Assert.True(most.Status == 200, most.Body?.ToJsonString());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_body_over_its_route_cap_is_413_and_mail_routes_take_attachments(string provider)
    {
        var (api, inboxId, _, recipient) = await CorrespondentAsync(await servers.For(provider));
        var overOneMebibyte = new string('a', 1024 * 1024 + 1);

        AssertValidationError(await OversizedAsync(api, "/api/v0/inboxes", new { username = "big", display_name = overOneMebibyte }),
            "body: Request body too large. The max request body size is 1048576 bytes.", status: 413);
        AssertValidationError(await OversizedAsync(api, "/api/v0/webhooks", new { url = "https://example.com/" + overOneMebibyte, event_types = new[] { "message.received" } }),
            "body: Request body too large. The max request body size is 1048576 bytes.", status: 413);

        var attachment = Convert.ToBase64String(new byte[2 * 1024 * 1024]);
        var sent = await api.PostAsync($"/api/v0/inboxes/{inboxId}/messages/send", new
        {
            to = recipient, text = "x", attachments = new[] { new { filename = "zeros.bin", content = attachment } },
        });
        Assert.True(sent.Status == 200, sent.Body?.ToJsonString());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_mail_route_has_its_own_configurable_cap(string provider)
    {
        await using var server = await MailroomTestServer.StartAsync(provider, "--Mailroom:Api:MaxMailRequestBodyBytes=3000000");
        var (api, inboxId, messageId, recipient) = await CorrespondentAsync(server);
        var attachments = new[] { new { filename = "zeros.bin", content = Convert.ToBase64String(new byte[3 * 1024 * 1024]) } };
        const string tooLarge = "body: Request body too large. The max request body size is 3000000 bytes.";

        AssertValidationError(await OversizedAsync(api, $"/api/v0/inboxes/{inboxId}/messages/send", new { to = recipient, text = "x", attachments }),
            tooLarge, status: 413);
        AssertValidationError(await OversizedAsync(api, $"/api/v0/inboxes/{inboxId}/messages/{messageId}/reply", new { text = "x", attachments }),
            tooLarge, status: 413);
        var underIt = await api.PostAsync($"/api/v0/inboxes/{inboxId}/messages/send", new
        {
            to = recipient, text = "x", attachments = new[] { new { filename = "zeros.bin", content = Convert.ToBase64String(new byte[1536 * 1024]) } },
        });
        Assert.True(underIt.Status == 200, underIt.Body?.ToJsonString());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Text_that_is_not_unicode_or_a_key_given_twice_is_a_400_naming_the_field(string provider)
    {
        var server = await servers.For(provider);
        var (api, inboxId, messageId, recipient) = await CorrespondentAsync(server);
        var messages = $"/api/v0/inboxes/{inboxId}/messages";
        (HttpMethod Method, string Path, string Fields)[] routes =
        [
            (HttpMethod.Post, $"{messages}/send", $"\"to\": \"{recipient}\", "),
            (HttpMethod.Post, $"{messages}/{messageId}/reply", ""),
            (HttpMethod.Post, $"{messages}/{messageId}/reply-all", ""),
            (HttpMethod.Post, $"{messages}/{messageId}/forward", $"\"to\": \"{recipient}\", "),
        ];
        foreach (var (method, path, fields) in routes)
        {
            AssertValidationError(await RawAsync(api, method, path, Encoding.UTF8.GetBytes($"{{{fields}\"text\": \"a\\ud800b\"}}")),
                "text: is not valid Unicode text");
            AssertValidationError(await RawAsync(api, method, path, [.. Encoding.UTF8.GetBytes($"{{{fields}\"text\": \"a"), 0xC3, 0x28, .. "\"}"u8]),
                "text: is not valid Unicode text");
            AssertValidationError(await RawAsync(api, method, path, Encoding.UTF8.GetBytes($"{{{fields}\"text\": \"one\", \"text\": \"two\"}}")),
                "text: is given twice");
        }
        AssertValidationError(await RawAsync(api, HttpMethod.Post, $"{messages}/send",
            Encoding.UTF8.GetBytes($"{{\"to\": \"{recipient}\", \"attachments\": [{{\"content\": \"YQ==\"}}, {{\"filename\": \"\\udc00\"}}]}}")),
            "attachments[1].filename: is not valid Unicode text");
        AssertValidationError(await RawAsync(api, HttpMethod.Post, $"{messages}/send",
            Encoding.UTF8.GetBytes($"{{\"to\": \"{recipient}\", \"headers\": {{\"X-Tag\": \"a\", \"X-Tag\": \"b\"}}}}")), "headers.X-Tag: is given twice");
        AssertValidationError(await RawAsync(api, HttpMethod.Post, $"{messages}/send",
            Encoding.UTF8.GetBytes($"{{\"to\": \"{recipient}\", \"headers\": {{\"X-\\ud800\": \"a\"}}}}")), "headers: is not valid Unicode text");

        var inbox = $"/api/v0/inboxes/{inboxId}";
        AssertValidationError(await RawAsync(api, HttpMethod.Patch, inbox, "{\"display_name\": \"\\ud800\"}"u8.ToArray()), "display_name: is not valid Unicode text");
        AssertValidationError(await RawAsync(api, HttpMethod.Patch, inbox, [.. "{\"display_name\": \""u8, 0xFF, .. "\"}"u8]), "display_name: is not valid Unicode text");
        AssertValidationError(await RawAsync(api, HttpMethod.Patch, inbox, "{\"display_name\": \"a\", \"display_name\": null}"u8.ToArray()), "display_name: is given twice");
        // Typed bodies are checked by the same reader.
        AssertValidationError(await RawAsync(api, HttpMethod.Post, "/api/v0/api-keys", "{\"name\": \"a\", \"name\": \"b\"}"u8.ToArray()), "name: is given twice");
        Assert.Equal(200, (await api.GetAsync(inbox)).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_nul_in_any_text_field_is_refused_naming_the_field(string provider)
    {
        var server = await servers.For(provider);
        var (api, inboxId, messageId, recipient) = await CorrespondentAsync(server);
        var send = $"/api/v0/inboxes/{inboxId}/messages/send";
        const string nul = "a\0b";

        AssertValidationError(await api.PostAsync(send, new { to = recipient, subject = nul, text = "x" }), "subject: must not contain NUL characters");
        AssertValidationError(await api.PostAsync(send, new { to = recipient, text = nul }), "text: must not contain NUL characters");
        AssertValidationError(await api.PostAsync(send, new { to = recipient, html = nul }), "html: must not contain NUL characters");
        AssertValidationError(await api.PostAsync(send, new { to = new[] { recipient, "x\0@example.com" }, text = "x" }), "to[1]: must not contain NUL characters");
        AssertValidationError(await api.PostAsync(send, new { to = recipient, text = "x", headers = new Dictionary<string, string> { ["X-Tag"] = nul } }),
            "headers.X-Tag: must not contain NUL characters");
        AssertValidationError(await api.PostAsync(send, new { to = recipient, text = "x", attachments = new[] { new { filename = nul, content = "YQ==" } } }),
            "attachments[0].filename: must not contain NUL characters");
        AssertValidationError(await api.PostAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}/reply", new { text = nul }),
            "text: must not contain NUL characters");
        AssertValidationError(await api.PatchAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}", new { labels = new[] { "ok", nul } }),
            "labels[1]: must not contain NUL characters");
        AssertValidationError(await api.PostAsync("/api/v0/inboxes", new { username = "nul", display_name = nul }), "display_name: must not contain NUL characters");
        AssertValidationError(await api.PatchAsync($"/api/v0/inboxes/{inboxId}", new { display_name = nul }), "display_name: must not contain NUL characters");
        AssertValidationError(await api.PostAsync("/api/v0/api-keys", new { name = nul }), "name: must not contain NUL characters");
        AssertValidationError(await api.PostAsync("/api/v0/domains", new { domain = "nul\0.example.com" }), "domain: must not contain NUL characters");

        var list = await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages");
        Assert.Equal(1, (int)list.Body!["total"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_page_past_the_end_is_empty_and_keeps_the_envelope(string provider)
    {
        var (api, inboxId, _, _) = await CorrespondentAsync(await servers.For(provider));
        foreach (var path in new[] { "/api/v0/inboxes", $"/api/v0/inboxes/{inboxId}/messages", $"/api/v0/inboxes/{inboxId}/threads", "/api/v0/api-keys" })
        {
            var (status, body) = await api.GetAsync($"{path}?page=2147483647&page_size=100");
            Assert.True(status == 200, $"{path}: {status} {body?.ToJsonString()}");
            Assert.Empty(body!["data"]!.AsArray());
            Assert.True((int)body["total"]! >= 1, path);
            Assert.Equal(2147483647, (int)body["page"]!);
            Assert.Equal(100, (int)body["page_size"]!);
        }
        AssertValidationError(await api.GetAsync("/api/v0/inboxes?page=2147483648"), "page: must be a whole number");
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Half_an_address_a_type_that_is_not_one_and_a_key_name_on_two_lines_are_refused(string provider)
    {
        var (api, inboxId, _, recipient) = await CorrespondentAsync(await servers.For(provider));
        var send = $"/api/v0/inboxes/{inboxId}/messages/send";

        AssertValidationError(await api.PostAsync(send, new { to = "Rita <rita@example.com", text = "x" }),
            "to: 'Rita <rita@example.com' is not an email address");
        AssertValidationError(await api.PostAsync(send, new { to = recipient, cc = new[] { "<cc@example.com" }, text = "x" }),
            "cc: '<cc@example.com' is not an email address");
        AssertValidationError(await api.PostAsync(send, new { to = recipient, text = "x",
            attachments = new[] { new { filename = "a.txt", content_type = "not a type", content = "YQ==" } } }),
            "attachments[0].content_type: is not a MIME type (type/subtype)");
        AssertValidationError(await api.PostAsync(send, new { to = recipient, text = "x",
            attachments = new[] { new { filename = "a.txt", content_type = "text/", content = "YQ==" } } }),
            "attachments[0].content_type: is not a MIME type (type/subtype)");
        AssertValidationError(await api.PostAsync("/api/v0/api-keys", new { name = "agent\r\nX-Injected: yes" }), "name: must not contain line breaks");
        AssertValidationError(await api.PostAsync("/api/v0/api-keys", new { name = "agent\nkey" }), "name: must not contain line breaks");

        var fine = await api.PostAsync(send, new
        {
            to = $"Target <{recipient}>", text = "x",
            attachments = new[] { new { filename = "a.txt", content_type = "text/plain; charset=utf-8", content = "YQ==" } },
        });
        Assert.True(fine.Status == 200, fine.Body?.ToJsonString());
    }
}
