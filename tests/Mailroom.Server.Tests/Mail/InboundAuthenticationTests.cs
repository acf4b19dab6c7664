using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Mail;

/// <summary>SPF, DKIM and DMARC of received mail, checked against a real DNS server, recorded on the message.</summary>
public sealed class InboundAuthenticationTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    /// <summary>python3-dkim signs the message, smtplib delivers it over STARTTLS (the listener's self-signed certificate).</summary>
    private const string SignAndSend = """
        import dkim, smtplib, ssl, sys
        port, rcpt, key_file, body_tag = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
        msg = ("From: Sam <sam@signed-sender.example>\r\nTo: %s\r\nSubject: authenticated\r\n"
               "Message-ID: <auth-%s@signed-sender.example>\r\n\r\nsigned body %s\r\n" % (rcpt, body_tag, body_tag)).encode()
        sig = dkim.sign(msg, b"s1", b"signed-sender.example", open(key_file, "rb").read(), include_headers=[b"from", b"to", b"subject"])
        s = smtplib.SMTP("127.0.0.1", port, timeout=20)
        s.starttls(context=ssl._create_unverified_context())
        s.sendmail("bounce@signed-sender.example", [rcpt], sig + msg)
        s.quit()
        """;

    [Theory, MemberData(nameof(Providers))]
    public async Task A_signed_message_from_an_spf_listed_address_passes_spf_dkim_and_dmarc(string provider)
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var keyFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(keyFile, key.ExportRSAPrivateKeyPem());
        using var dns = Dnsmasq.Start(
        [
            "--local=/example/",
            "--txt-record=signed-sender.example,v=spf1 ip4:127.0.0.0/8 -all",
            "--txt-record=_dmarc.signed-sender.example,v=DMARC1; p=reject",
            Dnsmasq.TxtRecord("s1._domainkey.signed-sender.example", "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())),
            "--txt-record=wrong-sender.example,v=spf1 ip4:192.0.2.1 -all",
            "--txt-record=_dmarc.wrong-sender.example,v=DMARC1; p=quarantine",
        ]);
        await using var server = await MailroomTestServer.StartAsync(provider, $"--Mailroom:Dns:Servers={dns.Endpoint}");
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("checked");
        var inboxId = (string)inbox["inbox_id"]!;
        try
        {
            var run = await ExternalTools.PythonAsync(SignAndSend, server.SmtpEndPoint.Port.ToString(), (string)inbox["email_address"]!, keyFile, "1");
            Assert.True(run.ExitCode == 0, run.Error);
            // An unsigned message claiming a domain whose SPF does not list us: stored all the same, with the failures.
            var spoof = await ExternalTools.RunAsync(ExternalTools.Swaks,
            [
                "--server", "127.0.0.1", "--port", server.SmtpEndPoint.Port.ToString(), "--from", "ceo@wrong-sender.example",
                "--to", (string)inbox["email_address"]!, "--header", "From: ceo@wrong-sender.example", "--header", "Subject: spoofed",
            ]);
            Assert.True(spoof.ExitCode == 0, spoof.Output);
        }
        finally { File.Delete(keyFile); }

        var list = (await InboundSmtpTests.WaitForMessageAsync(api, inboxId, 2))["data"]!.AsArray();
        async Task<JsonNode> AuthOf(string subject) =>
            (await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{(string)list.Single(m => (string)m!["subject"]! == subject)!["message_id"]!}")).Body!["authentication"]!;

        var good = await AuthOf("authenticated");
        Assert.Equal(("pass", "pass", "pass"), ((string)good["spf"]!, (string)good["dkim"]!, (string)good["dmarc"]!));
        Assert.Contains("dkim=pass", (string)good["results"]!);
        Assert.Contains("header.d=signed-sender.example", (string)good["results"]!);

        var bad = await AuthOf("spoofed");
        Assert.Equal(("fail", "none", "fail"), ((string)bad["spf"]!, (string)bad["dkim"]!, (string)bad["dmarc"]!));
    }
}
