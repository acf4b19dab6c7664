using System.Text.Json.Nodes;
using Mailroom.Server.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests;

public sealed class HostTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Healthz_is_200_once_migrated_and_names_the_database_engine_version(string provider)
    {
        var server = await servers.For(provider);
        using var response = await server.Client().GetAsync("healthz");
        Assert.Equal(200, (int)response.StatusCode);
        var health = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("migrated", (string)health["database"]!);
        var other = provider == "sqlite" ? "postgres" : "sqlite";
        Assert.False(health.ContainsKey(other), $"healthz names {other} on {provider}");
        var version = (string)health[provider]!;
        if (provider == "sqlite")
        {
            // The bundled library, not whatever the system has: 3.45 (2024) or later.
            Assert.StartsWith("3.", version);
            Assert.True(Version.Parse(version) >= new Version(3, 45), $"SQLite {version} is older than 3.45");
        }
        else Assert.Matches(@"^\d+\.\d+", version);
    }

    [Fact]
    public async Task The_openapi_document_covers_every_v0_route()
    {
        var server = await servers.For("sqlite");
        var document = JsonNode.Parse(await server.Client().GetStringAsync("openapi/v0.json"))!;
        var paths = document["paths"]!.AsObject();
        foreach (var (path, methods) in new[]
                 {
                     ("/api/v0/organizations", new[] { "get" }),
                     ("/api/v0/inboxes", ["get", "post"]),
                     ("/api/v0/inboxes/{inboxId}", ["get", "patch", "delete"]),
                     ("/api/v0/domains", ["get", "post"]),
                     ("/api/v0/domains/{domainId}", ["get", "delete"]),
                     ("/api/v0/webhooks", ["get", "post"]),
                     ("/api/v0/webhooks/{webhookId}", ["get", "patch", "delete"]),
                     ("/api/v0/api-keys", ["get", "post"]),
                     ("/api/v0/api-keys/{keyId}", ["delete"]),
                 })
        {
            var item = paths.FirstOrDefault(p => p.Key.TrimEnd('/') == path).Value;
            Assert.True(item is not null, $"{path} is missing from the OpenAPI document");
            foreach (var method in methods) Assert.True(item![method] is not null, $"{method} {path} is missing");
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Admin_create_org_prints_a_key_that_the_server_on_the_same_database_accepts(string provider)
    {
        var server = await servers.For(provider);
        var output = new StringWriter();

        var exit = await MailroomCommandLine.RunAsync(["admin", "create-org", "--name", "Acme", .. server.Database.HostArguments()], output);

        Assert.Equal(0, exit);
        var printed = JsonNode.Parse(output.ToString())!.AsObject();
        Assert.Equal(["org_id", "api_key"], printed.Select(p => p.Key));
        var api = new ApiClient(server.Client((string)printed["api_key"]!), (string)printed["org_id"]!, (string)printed["api_key"]!);
        var organization = await api.GetAsync("/api/v0/organizations");
        Assert.Equal(200, organization.Status);
        Assert.Equal("Acme", (string)organization.Body!["name"]!);
        Assert.Equal((string)printed["org_id"]!, (string)organization.Body["org_id"]!);
    }

    [Fact]
    public async Task Mime_summarize_prints_one_json_line_per_file_and_an_error_line_for_an_unreadable_one()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mailroom-summarize-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var message = Path.Combine(folder, "one.eml");
        await File.WriteAllTextAsync(message,
            "From: Ann Example <ann@example.com>\r\nTo: bob@example.com\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n" +
            "Date: Tue, 1 Jul 2003 10:52:37 +0200\r\nMessage-ID: <one@example.com>\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n" +
            "--b\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n" +
            "Content-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n--b--\r\n");
        var output = new StringWriter();
        try
        {
            var exit = await MailroomCommandLine.RunAsync(["mime", "summarize", message, Path.Combine(folder, "missing.eml")], output);

            Assert.Equal(0, exit);
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            var summary = JsonNode.Parse(lines[0])!;
            Assert.Equal(["file", "from", "to", "cc", "subject", "date", "message_id", "text", "html_length", "attachments"],
                summary.AsObject().Select(p => p.Key));
            Assert.Equal("ann@example.com", (string)summary["from"]![0]!["address"]!);
            Assert.Equal("Ann Example", (string)summary["from"]![0]!["name"]!);
            Assert.Equal("Grüße", (string)summary["subject"]!);
            Assert.Equal("2003-07-01T08:52:37Z", (string)summary["date"]!);
            Assert.Equal("one@example.com", (string)summary["message_id"]!);
            Assert.Equal("hello", ((string)summary["text"]!).TrimEnd());
            Assert.Null(summary["html_length"]);
            var attachment = summary["attachments"]![0]!;
            Assert.Equal(("a.pdf", "application/pdf", 4), ((string)attachment["filename"]!, (string)attachment["content_type"]!, (int)attachment["size"]!));
            var error = JsonNode.Parse(lines[1])!;
            Assert.Equal(["file", "error"], error.AsObject().Select(p => p.Key));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public async Task Create_org_without_a_name_fails_with_a_usage_error()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var exit = await MailroomCommandLine.RunAsync(["admin", "create-org", .. database.HostArguments()], new StringWriter());
        Assert.NotEqual(0, exit);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_master_key_file_is_created_owner_only()
    {
        var path = Path.Combine(Path.GetTempPath(), "mailroom-key-" + Guid.NewGuid().ToString("N"), "master.key");
        var key = Core.Security.MasterKeyFile.LoadOrCreate(path);
        try
        {
            Assert.Equal(32, key.Length);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(key, Core.Security.MasterKeyFile.LoadOrCreate(path));
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, true); }
    }
}
