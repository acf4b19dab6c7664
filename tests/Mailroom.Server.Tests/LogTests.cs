using Microsoft.Extensions.Logging;
using Mailroom.Server.Tests.Api.V0;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests;

/// <summary>
/// What the server writes to its log while mail arrives and a signed link is downloaded: Mailroom's own lines with ids,
/// no line per HTTP request unless asked for, and never a download signature or another credential from a query string.
/// </summary>
public sealed class LogTests
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    /// <summary>The test servers log warnings only; this puts back the product's default level.</summary>
    private const string ProductLogLevel = "--Logging:LogLevel:Default=Information";

    [Theory, MemberData(nameof(Providers))]
    public async Task By_default_the_log_follows_the_mail_and_writes_no_line_per_request(string provider)
    {
        var log = new LogCapture();
        await using var server = await MailroomTestServer.StartAsync(provider, log.AddTo, ProductLogLevel);
        var (signature, inboxId, messageId) = await ReceiveAndDownloadAsync(server);

        var lines = log.Lines;
        Assert.Contains(lines, l => l.Message.Contains($"message {messageId} received in inbox {inboxId}", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Message.Contains("/files/attachments/", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Message.Contains(signature, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && l.Level < LogLevel.Warning);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Request_logging_redacts_signatures_and_tokens_even_with_framework_logging_turned_up(string provider)
    {
        var log = new LogCapture();
        await using var server = await MailroomTestServer.StartAsync(provider, log.AddTo, ProductLogLevel, "--Mailroom:LogRequests=true",
            "--Logging:LogLevel:Microsoft.AspNetCore=Debug");
        var (signature, _, _) = await ReceiveAndDownloadAsync(server);
        using var health = await server.Client().GetAsync("healthz?access_token=t0ps3cret&api_key=k3y&page=2");

        var lines = log.Lines;
        var download = Assert.Single(lines, l => l.Category == "Mailroom.Requests" && l.Message.StartsWith("GET /files/attachments/", StringComparison.Ordinal));
        Assert.Matches(@"\?expires=\d+&signature=\*\*\* answered 200 in \d+ ms$", download.Message);
        Assert.Contains(lines, l => l.Category == "Mailroom.Requests" && l.Message.StartsWith("GET /healthz?access_token=***&api_key=***&page=2 answered 200", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Message.Contains(signature, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Message.Contains("t0ps3cret", StringComparison.Ordinal) || l.Message.Contains("k3y", StringComparison.Ordinal));
    }

    /// <summary>Receives a message with an attachment over SMTP and downloads it by its signed link; the link's signature, the inbox and the message.</summary>
    private static async Task<(string Signature, string InboxId, string MessageId)> ReceiveAndDownloadAsync(MailroomTestServer server)
    {
        var (api, inboxId, messageId, attachmentId) = await AttachmentDownloadTests.ReceiveHtmlPartAsync(server);
        var url = (string)(await api.GetAsync($"/api/v0/inboxes/{inboxId}/messages/{messageId}/attachments/{attachmentId}")).Body!["download_url"]!;
        using var download = await new HttpClient().GetAsync(url);
        Assert.Equal(200, (int)download.StatusCode);
        return (url[(url.IndexOf("signature=", StringComparison.Ordinal) + "signature=".Length)..], inboxId, messageId);
    }
}
