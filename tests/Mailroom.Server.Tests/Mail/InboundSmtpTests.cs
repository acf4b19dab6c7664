using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Mail;

/// <summary>Independent SMTP clients deliver to the listener over a real socket; the mail is read back through /api/v0.</summary>
public sealed class InboundSmtpTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    public static async Task<JsonNode> WaitForMessageAsync(ApiClient api, string inboxId, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var (_, body) = await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages");
            if ((int)body!["total"]! >= count || DateTime.UtcNow > deadline) return body;
            await Task.Delay(100);
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Swaks_delivers_a_message_with_an_attachment_that_the_api_returns(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var username = "swaks-" + Guid.NewGuid().ToString("N")[..8];
        var inbox = await api.CreateInboxAsync(username);
        var inboxId = (string)inbox["inbox_id"]!;
        var attachment = Path.Combine(server.Database.Directory, "report.txt");
        await File.WriteAllTextAsync(attachment, "quarterly numbers\n");

        var run = await ExternalTools.RunAsync(ExternalTools.Swaks,
        [
            "--server", server.SmtpEndPoint.Address.ToString(), "--port", server.SmtpEndPoint.Port.ToString(), "--helo", "client.example",
            "--from", "alice@sender.example", "--to", (string)inbox["email_address"]!, "--header", "Subject: Numbers for you",
            "--header", "From: Alice Example <alice@sender.example>", "--body", "Hello agent, see attached.",
            "--attach-type", "text/plain", "--attach-name", "report.txt", "--attach", "@" + attachment,
        ]);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("250 2.0.0", run.Output);

        var list = await WaitForMessageAsync(api, inboxId);
        var item = list["data"]![0]!;
        Assert.Equal("inbound", (string)item["direction"]!);
        Assert.Equal("Numbers for you", (string)item["subject"]!);
        Assert.Equal("Alice Example <alice@sender.example>", (string)item["from"]!);
        var message = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{(string)item["message_id"]!}")).Body!;
        Assert.Contains("Hello agent, see attached.", (string)message["text"]!);
        Assert.Equal([(string)inbox["email_address"]!], message["to"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("none", (string)message["authentication"]!["dkim"]!);
        var file = message["attachments"]!.AsArray().Single()!;
        Assert.Equal("report.txt", (string)file["filename"]!);
        var meta = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{(string)item["message_id"]!}/attachments/{(string)file["attachment_id"]!}")).Body!;
        using var download = await server.Client().GetAsync((string)meta["download_url"]!);
        Assert.Equal(200, (int)download.StatusCode);
        Assert.Equal("quarterly numbers\n", await download.Content.ReadAsStringAsync());

        var threads = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/threads")).Body!;
        Assert.Equal(1, (int)threads["total"]!);
        Assert.Equal(["Alice Example <alice@sender.example>"], threads["data"]![0]!["senders"]!.AsArray().Select(s => (string)s!));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Python_smtplib_sees_550_for_unknown_mailboxes_and_foreign_domains_and_delivers_the_rest(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var first = await api.CreateInboxAsync("py1-" + Guid.NewGuid().ToString("N")[..8]);
        var second = await api.CreateInboxAsync("py2-" + Guid.NewGuid().ToString("N")[..8]);
        const string script = """
            import smtplib, sys, json
            host, port, a, b = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
            s = smtplib.SMTP(host, port, timeout=20)
            s.ehlo("py.example")
            codes = {}
            s.mail("bob@py.example")
            for rcpt in ["nobody@mailroom.local", "someone@not-hosted.example", a, b]:
                codes[rcpt] = list(s.rcpt(rcpt))
                codes[rcpt][1] = codes[rcpt][1].decode()
            msg = "From: Bob <bob@py.example>\r\nTo: %s, %s\r\nSubject: two at once\r\nMessage-ID: <first@py.example>\r\n\r\nhello both\r\n" % (a, b)
            codes["data"] = list(s.data(msg)); codes["data"][1] = codes["data"][1].decode()
            s.quit()
            print(json.dumps(codes))
            """;
        var run = await ExternalTools.PythonAsync(script, server.SmtpEndPoint.Address.ToString(), server.SmtpEndPoint.Port.ToString(),
            (string)first["email_address"]!, (string)second["email_address"]!);
        Assert.True(run.ExitCode == 0, run.Error);
        var codes = JsonNode.Parse(run.Output)!;

        Assert.Equal(550, (int)codes["nobody@mailroom.local"]![0]!);
        Assert.StartsWith("5.1.1", (string)codes["nobody@mailroom.local"]![1]!);
        Assert.Equal(550, (int)codes["someone@not-hosted.example"]![0]!);
        Assert.StartsWith("5.7.1", (string)codes["someone@not-hosted.example"]![1]!);
        Assert.Equal(250, (int)codes[(string)first["email_address"]!]![0]!);
        Assert.Equal(250, (int)codes["data"]![0]!);
        foreach (var inbox in new[] { first, second })
        {
            var list = await WaitForMessageAsync(api, (string)inbox["inbox_id"]!);
            Assert.Equal("two at once", (string)list["data"]![0]!["subject"]!);
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_reply_from_outside_joins_the_thread_and_a_stray_reference_starts_a_new_one(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("thr-" + Guid.NewGuid().ToString("N")[..8]);
        var inboxId = (string)inbox["inbox_id"]!;
        var address = (string)inbox["email_address"]!;
        async Task SendAsync(string headers)
        {
            var run = await ExternalTools.RunAsync(ExternalTools.Swaks,
            [
                "--server", server.SmtpEndPoint.Address.ToString(), "--port", server.SmtpEndPoint.Port.ToString(),
                "--from", "carol@outside.example", "--to", address, "--data", $"From: carol@outside.example\nTo: {address}\n{headers}\n\nbody\n",
            ]);
            Assert.True(run.ExitCode == 0, run.Output);
        }

        await SendAsync("Subject: Plan\nMessage-ID: <plan-1@outside.example>");
        await WaitForMessageAsync(api, inboxId, 1);
        await SendAsync("Subject: Re: Plan\nMessage-ID: <plan-2@outside.example>\nIn-Reply-To: <plan-1@outside.example>\nReferences: <plan-1@outside.example>");
        await WaitForMessageAsync(api, inboxId, 2);
        await SendAsync("Subject: Re: Plan\nMessage-ID: <plan-3@outside.example>\nIn-Reply-To: <never-seen@elsewhere.example>");
        await WaitForMessageAsync(api, inboxId, 3);

        var threads = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/threads")).Body!["data"]!.AsArray();
        Assert.Equal(2, threads.Count);
        var planThread = threads.Single(t => (int)t!["message_count"]! == 2)!;
        var thread = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/threads/{(string)planThread["thread_id"]!}")).Body!;
        Assert.Equal(["Plan", "Re: Plan"], thread["messages"]!.AsArray().Select(m => (string)m!["subject"]!));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_malformed_message_is_still_stored_and_readable(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("broken-" + Guid.NewGuid().ToString("N")[..8]);
        var garbage = "Subject: =?utf-8?B?broken\nContent-Type: multipart/mixed; boundary=\"never-closed\"\n\n--never-closed\nContent-Type: text/plain\n\nstill readable\n";
        var run = await ExternalTools.RunAsync(ExternalTools.Swaks,
        [
            "--server", server.SmtpEndPoint.Address.ToString(), "--port", server.SmtpEndPoint.Port.ToString(),
            "--from", "x@junk.example", "--to", (string)inbox["email_address"]!, "--data", garbage,
        ]);
        Assert.True(run.ExitCode == 0, run.Output);

        var list = await WaitForMessageAsync(api, (string)inbox["inbox_id"]!);
        var message = (await api.GetAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages/{(string)list["data"]![0]!["message_id"]!}")).Body!;
        Assert.Contains("still readable", (string)message["text"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Small_mail_is_readable_as_soon_as_it_gets_250_and_large_mail_arrives_through_the_spool_intact(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("sizes-" + Guid.NewGuid().ToString("N")[..8]);
        var inboxId = (string)inbox["inbox_id"]!;
        // The second message carries an attachment well over the size stored at acceptance (base64 adds a third).
        const string script = """
            import smtplib, sys, base64, hashlib, email.message
            host, port, to = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            small = email.message.EmailMessage(); small["From"] = "dora@sizes.example"; small["To"] = to; small["Subject"] = "small"
            small.set_content("a few words")
            blob = bytes((i * 7 + i // 251) % 256 for i in range(400 * 1024))
            large = email.message.EmailMessage(); large["From"] = "dora@sizes.example"; large["To"] = to; large["Subject"] = "large"
            large.set_content("see the file"); large.add_attachment(blob, maintype="application", subtype="octet-stream", filename="big.bin")
            with smtplib.SMTP(host, port, timeout=30) as s:
                s.send_message(small)
                print(hashlib.sha256(blob).hexdigest())
                sys.stdout.flush()
                s.send_message(large)
            """;
        var run = await ExternalTools.PythonAsync(script, server.SmtpEndPoint.Address.ToString(), server.SmtpEndPoint.Port.ToString(),
            (string)inbox["email_address"]!);
        Assert.True(run.ExitCode == 0, run.Error);

        var list = await WaitForMessageAsync(api, inboxId, 2);
        Assert.Equal(["large", "small"], list["data"]!.AsArray().Select(m => (string)m!["subject"]!).Order());
        var large = list["data"]!.AsArray().Single(m => (string)m!["subject"]! == "large")!;
        var message = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{(string)large["message_id"]!}")).Body!;
        var file = message["attachments"]!.AsArray().Single()!;
        var meta = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{(string)large["message_id"]!}/attachments/{(string)file["attachment_id"]!}")).Body!;
        using var download = await server.Client().GetAsync((string)meta["download_url"]!);
        var bytes = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(400 * 1024, bytes.Length);
        Assert.Equal(run.Output.Trim(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_message_is_in_its_inbox_when_the_client_hears_250(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("now-" + Guid.NewGuid().ToString("N")[..8]);
        var run = await ExternalTools.RunAsync(ExternalTools.Swaks,
        [
            "--server", server.SmtpEndPoint.Address.ToString(), "--port", server.SmtpEndPoint.Port.ToString(),
            "--from", "erin@now.example", "--to", (string)inbox["email_address"]!, "--header", "Subject: right away",
        ]);
        Assert.True(run.ExitCode == 0, run.Output);

        // No waiting: small mail is parsed, threaded and committed before the 250.
        var (_, list) = await api.GetAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages");
        Assert.Equal(1, (int)list!["total"]!);
        Assert.Equal("right away", (string)list["data"]![0]!["subject"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_message_with_nul_bytes_is_stored_and_readable(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("nul-" + Guid.NewGuid().ToString("N")[..8]);
        // PostgreSQL cannot keep U+0000 in text; the message must arrive all the same.
        const string script = """
            import smtplib, sys
            host, port, to = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            msg = b"From: nul@nul.example\r\nTo: " + to.encode() + b"\r\nSubject: zero\x00byte\r\n\r\nbefore\x00after\r\n"
            with smtplib.SMTP(host, port, timeout=30) as s:
                print(s.sendmail("nul@nul.example", [to], msg))
            """;
        var run = await ExternalTools.PythonAsync(script, server.SmtpEndPoint.Address.ToString(), server.SmtpEndPoint.Port.ToString(),
            (string)inbox["email_address"]!);
        Assert.True(run.ExitCode == 0, run.Error);

        var list = await WaitForMessageAsync(api, (string)inbox["inbox_id"]!);
        var message = (await api.GetAsync($"/api/v0/inboxes/{(string)inbox["inbox_id"]!}/messages/{(string)list["data"]![0]!["message_id"]!}")).Body!;
        Assert.Equal("zero\uFFFDbyte", (string)message["subject"]!);
        Assert.Contains("before\uFFFDafter", (string)message["text"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Deleting_one_recipients_thread_leaves_the_other_recipients_copy_whole(string provider)
    {
        var server = await servers.For(provider);
        var (alpha, beta) = (await server.NewOrganizationAsync("Alpha"), await server.NewOrganizationAsync("Beta"));
        var a = await alpha.CreateInboxAsync("copy-a-" + Guid.NewGuid().ToString("N")[..8]);
        var b = await beta.CreateInboxAsync("copy-b-" + Guid.NewGuid().ToString("N")[..8]);
        var run = await ExternalTools.RunAsync(ExternalTools.Swaks,
        [
            "--server", server.SmtpEndPoint.Address.ToString(), "--port", server.SmtpEndPoint.Port.ToString(),
            "--from", "gil@copies.example", "--to", $"{(string)a["email_address"]!},{(string)b["email_address"]!}",
            "--header", "Subject: one message, two organizations",
        ]);
        Assert.True(run.ExitCode == 0, run.Output);

        var threadA = (string)(await WaitForMessageAsync(alpha, (string)a["inbox_id"]!))["data"]![0]!["thread_id"]!;
        var messageB = (string)(await WaitForMessageAsync(beta, (string)b["inbox_id"]!))["data"]![0]!["message_id"]!;
        Assert.Equal(204, (await alpha.SendAsync(HttpMethod.Delete, $"/api/v0/inboxes/{(string)a["inbox_id"]!}/threads/{threadA}")).Status);

        // Beta's copy keeps its raw message: each copy owns its blob.
        var stored = await server.Services.GetRequiredService<Core.Messages.IMessageRepository>().GetAsync(beta.OrgId, (string)b["inbox_id"]!, messageB);
        await using var raw = await server.Services.GetRequiredService<Core.Blobs.IBlobStore>().OpenAsync(stored!.RawBlobKey!);
        Assert.Contains("Subject: one message, two organizations", await new StreamReader(raw).ReadToEndAsync());
        Assert.Equal(200, (await beta.GetAsync($"/api/v0/inboxes/{(string)b["inbox_id"]!}/messages/{messageB}")).Status);
    }
}
