using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Server.Tests.Mail;

namespace Mailroom.Server.Tests.Api.V0;

/// <summary>
/// Signed attachment downloads serve a sender's bytes on Mailroom's own origin: always as a download, never sniffed, never
/// allowed to run; and the link itself is built on <c>Mailroom:PublicUrl</c>, not on whatever Host a request named.
/// </summary>
public sealed class AttachmentDownloadTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    public const string Page = "<html><body><script>fetch('/api/v0/inboxes')</script>hello</body></html>";

    /// <summary>A message from outside, over SMTP to the listener, whose second part is HTML marked as an attachment without a file name.</summary>
    public static async Task<(ApiClient Api, string InboxId, string MessageId, string AttachmentId)> ReceiveHtmlPartAsync(MailroomTestServer server)
    {
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("page-" + Guid.NewGuid().ToString("N")[..8]);
        var inboxId = (string)inbox["inbox_id"]!;
        var address = (string)inbox["email_address"]!;
        var run = await ExternalTools.RunAsync(ExternalTools.Swaks,
        [
            "--server", server.SmtpEndPoint.Address.ToString(), "--port", server.SmtpEndPoint.Port.ToString(),
            "--from", "mallory@outside.example", "--to", address, "--data",
            $"From: mallory@outside.example\nTo: {address}\nSubject: Invoice\nMIME-Version: 1.0\n" +
            "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain; charset=utf-8\n\nSee the page.\n" +
            $"--b1\nContent-Type: text/html; charset=utf-8\nContent-Disposition: attachment\n\n{Page}\n--b1--\n",
        ]);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        var item = (await InboundSmtpTests.WaitForMessageAsync(api, inboxId))["data"]![0]!;
        var attachment = Assert.Single(item["attachments"]!.AsArray())!;
        Assert.Null(attachment["filename"]);
        return (api, inboxId, (string)item["message_id"]!, (string)attachment["attachment_id"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_html_part_without_a_file_name_downloads_as_a_sandboxed_attachment(string provider)
    {
        var server = await servers.For(provider);
        var (api, inboxId, messageId, attachmentId) = await ReceiveHtmlPartAsync(server);
        var meta = (await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}/attachments/{attachmentId}")).Body!;

        using var anonymous = new HttpClient();
        using var download = await anonymous.GetAsync((string)meta["download_url"]!);

        Assert.Equal(200, (int)download.StatusCode);
        var disposition = download.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal(attachmentId, disposition.FileName);
        Assert.Equal(["nosniff"], download.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal(["default-src 'none'; sandbox"], download.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(Page, (await download.Content.ReadAsStringAsync()).TrimEnd());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Download_links_are_built_on_the_public_url_whatever_the_host_header_says(string provider)
    {
        await using var server = await MailroomTestServer.StartAsync(provider, "--Mailroom:PublicUrl=https://mail.example.test/");
        var (api, inboxId, messageId, attachmentId) = await ReceiveHtmlPartAsync(server);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v0/inboxes/{inboxId}/messages/{messageId}/attachments/{attachmentId}");
        request.Headers.Host = "attacker.example";

        using var response = await api.Http.SendAsync(request);
        var url = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["download_url"]!;

        Assert.StartsWith($"https://mail.example.test/files/attachments/{attachmentId}?expires=", url);
        // The same path and query on the server itself is a working link.
        using var download = await new HttpClient().GetAsync(new Uri(server.Address, new Uri(url).PathAndQuery));
        Assert.Equal(200, (int)download.StatusCode);
    }
}
