using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;
using static Mailroom.Server.Tests.Api.V1.V1TestKit;

namespace Mailroom.Server.Tests.Api.V1;

/// <summary>POST /v1/identities/{id}/test-email sends a real DKIM-signed mail, reported by its task; at most 10 a minute.</summary>
public sealed class TestEmailTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_test_email_is_delivered_signed_its_task_says_so_and_the_eleventh_in_a_minute_is_429(string provider)
    {
        using var sink = await SmtpSink.StartAsync();
        await using var server = await MailroomTestServer.StartAsync(provider, MailroomTestServer.RelayTo(sink.Port));
        var api = await server.NewOrganizationAsync();
        var identity = await CreateIdentityAsync(api);
        var id = (string)identity["id"]!;

        var (status, accepted) = await api.PostAsync($"/v1/identities/{id}/test-email", new { recipient_email = "you@yourcompany.example" });
        Assert.Equal(202, status);
        var taskId = (string)accepted!["task_id"]!;
        Assert.StartsWith("tsk_", taskId);
        Assert.Single(accepted.AsObject());

        var raw = await File.ReadAllTextAsync(Assert.Single(await sink.WaitForAsync(1)));
        Assert.Contains("X-Envelope-To: you@yourcompany.example", raw);
        Assert.Contains($"X-Envelope-From: {(string)identity["email_address"]!}", raw);
        Assert.Contains("DKIM-Signature:", raw);
        Assert.Contains("Mailroom test email from", raw);
        var task = await EventuallyAsync(async () =>
        {
            var t = (await api.GetAsync($"/v1/tasks/{taskId}")).Body!;
            return (string)t["status"]! == "delivered" ? t : null;
        });
        Assert.Equal("test_email", (string)task["type"]!);
        Assert.Equal(id, (string)task["identity_id"]!);
        Assert.Null(task["error"]);

        Assert.Equal(422, (await api.PostAsync($"/v1/identities/{id}/test-email", new { recipient_email = "not an address" })).Status);
        for (var i = 1; i < 10; i++)
            Assert.Equal(202, (await api.PostAsync($"/v1/identities/{id}/test-email", new { recipient_email = $"r{i}@yourcompany.example" })).Status);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/identities/{id}/test-email")
        {
            Content = new StringContent("""{"recipient_email":"r11@yourcompany.example"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        using var limited = await api.Http.SendAsync(request);
        Assert.Equal(429, (int)limited.StatusCode);
        var retryAfter = int.Parse(limited.Headers.RetryAfter!.ToString());
        Assert.InRange(retryAfter, 1, 60);
        Assert.Contains("\"error\":\"rate_limited\"", await limited.Content.ReadAsStringAsync());

        // The limit is per identity, and tasks are the workspace's own.
        var other = await CreateIdentityAsync(api);
        Assert.Equal(202, (await api.PostAsync($"/v1/identities/{(string)other["id"]!}/test-email", new { recipient_email = "x@yourcompany.example" })).Status);
        var stranger = await server.NewOrganizationAsync("Other");
        Assert.Equal(404, (await stranger.GetAsync($"/v1/tasks/{taskId}")).Status);
        Assert.Equal(404, (await api.GetAsync("/v1/tasks/tsk_nope")).Status);
    }
}
