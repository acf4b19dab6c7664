using System.Net;
using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;
using static Mailroom.Server.Tests.Api.MailerSendV1.MailerSendServers;

namespace Mailroom.Server.Tests.Api.MailerSendV1;

/// <summary>
/// The official <c>mailersend</c> npm package (3.4.0, installed by scripts/test.sh from tests/mailersend-client's
/// package-lock.json) drives all nine identity calls and <c>email.send</c> against the running server, unchanged,
/// with its base URL set to <c>/mailersend/v1</c>. Between its two runs the test confirms the identity from the mail.
/// </summary>
public sealed class MailerSendClientTests(MailerSendServers servers) : IClassFixture<MailerSendServers>
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private static string ClientFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Mailroom.slnx"))) return Path.Combine(dir.FullName, "tests", "mailersend-client");
        throw new DirectoryNotFoundException($"No Mailroom.slnx above {AppContext.BaseDirectory}");
    }

    private static async Task<JsonNode> RunClientAsync(string phase, Dictionary<string, string> environment)
    {
        var folder = ClientFolder();
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "mailersend")),
            $"the mailersend package is not installed: run scripts/test.sh, or npm ci in {folder}");
        var start = new System.Diagnostics.ProcessStartInfo("node")
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add("client.mjs");
        start.ArgumentList.Add(phase);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(true); throw new TimeoutException("node client.mjs did not finish"); }
        Assert.True(process.ExitCode == 0, $"node client.mjs {phase} exited {process.ExitCode}: {await error}");
        return JsonNode.Parse(await output)!;
    }

    private static JsonNode Result(JsonNode run, string call) =>
        run["results"]!.AsArray().Single(r => (string)r!["call"]! == call)!;

    [Theory, MemberData(nameof(Providers))]
    public async Task The_official_client_manages_identities_and_sends_from_a_confirmed_one(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync("Client Org");
        var domain = await AddDomainAsync(api);
        var email = NewAddress("client");
        var second = NewAddress("second");
        var environment = new Dictionary<string, string>
        {
            ["MAILERSEND_BASE_URL"] = new Uri(server.Address, "mailersend/v1").ToString(), ["MAILERSEND_API_KEY"] = api.Token,
            ["DOMAIN_ID"] = domain, ["EMAIL"] = email, ["SECOND_EMAIL"] = second,
        };

        var run = await RunClientAsync("identities", environment);
        var id = (string)run["id"]!;
        var created = Result(run, "create");
        Assert.Equal(201, (int)created["status"]!);
        Assert.Equal(email, (string)created["body"]!["data"]!["email"]!);
        Assert.True((bool)created["body"]!["data"]!["add_note"]!);
        Assert.Equal(201, (int)Result(run, "create_second")["status"]!);
        var list = Result(run, "list");
        Assert.Equal(200, (int)list["status"]!);
        Assert.Equal(2, (int)list["body"]!["meta"]!["total"]!);
        Assert.Equal(10, (int)list["body"]!["meta"]!["per_page"]!);
        Assert.Equal(id, (string)Result(run, "single")["body"]!["data"]!["id"]!);
        Assert.Equal(id, (string)Result(run, "singleByEmail")["body"]!["data"]!["id"]!);
        var updated = Result(run, "update");
        Assert.Equal(200, (int)updated["status"]!);
        Assert.Equal("Pedro Updated", (string)updated["body"]!["data"]!["name"]!);
        Assert.Equal("Desk", (string)updated["body"]!["data"]!["reply_to_name"]!);
        Assert.Equal("Second Renamed", (string)Result(run, "updateByEMail")["body"]!["data"]!["name"]!);
        var resent = Result(run, "resend");
        Assert.Equal(200, (int)resent["status"]!);
        Assert.Equal(1, (int)resent["body"]!["data"]!["resends"]!);
        Assert.Equal(200, (int)Result(run, "deleteByEmail")["status"]!);
        Assert.Equal(404, (int)Result(run, "singleByEmail_deleted")["status"]!);

        // The person confirms from the newest mail (the resend voided the first link).
        var mails = await servers.MailForAsync(email, 2);
        Assert.Equal(2, mails.Count);
        Assert.Equal(HttpStatusCode.Gone, (await PostConfirmationAsync(server, ConfirmationPath(mails[0]))).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostConfirmationAsync(server, ConfirmationPath(mails[1]))).Status);

        var to = NewAddress("rita");
        environment["IDENTITY_ID"] = id;
        environment["TO"] = to;
        var sendRun = await RunClientAsync("send", environment);
        var sent = Result(sendRun, "send");
        Assert.Equal(202, (int)sent["status"]!);
        Assert.StartsWith("msg_", (string)sent["headers"]!["x-message-id"]!);
        Assert.Equal(200, (int)Result(sendRun, "delete")["status"]!);
        Assert.Equal(404, (int)Result(sendRun, "single_deleted")["status"]!);

        var delivered = Assert.Single(await servers.MailForAsync(to));
        Assert.Contains($"From: Pedro From Client <{email}>", delivered);
        Assert.Contains("Subject: Hello from the mailersend client", delivered);
        Assert.Contains("words.txt", delivered);
    }
}
