using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;
using static Mailroom.Server.Tests.Api.MailerSendV1.MailerSendServers;

namespace Mailroom.Server.Tests.Api.MailerSendV1;

/// <summary>
/// Verification for real: the confirmation mail is read from an independent SMTP receiver; its link's GET changes
/// nothing, its POST verifies once; only then does the identity send, through the same queue, signing and delivery.
/// </summary>
public sealed class SenderIdentityVerificationTests(MailerSendServers servers) : IClassFixture<MailerSendServers>
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private static object Email(string from, string to, string subject = "Hello") => new
    {
        from = new { email = from, name = "Pedro From Api" },
        to = new[] { new { email = to, name = "Rita Remote" } },
        subject, text = "Plain words.", html = "<p>Plain words.</p>",
        attachments = new[] { new { content = Convert.ToBase64String("attached"u8.ToArray()), filename = "note.txt", disposition = "attachment" } },
        headers = new[] { new { name = "X-Campaign", value = "spring" } },
        tags = new[] { "welcome" },
    };

    private static string Header(string mail, string name)
    {
        var start = mail.IndexOf("\r\n" + name + ":", StringComparison.OrdinalIgnoreCase);
        Assert.True(start >= 0, $"no {name} in:\n{mail}");
        start += name.Length + 3;
        // A folded header goes on over lines that begin with white space.
        var end = start;
        do end = mail.IndexOf("\r\n", end + 1, StringComparison.Ordinal); while (mail[end + 2] is ' ' or '\t');
        return mail[start..end].Replace("\r\n", "").Trim();
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_confirmation_mail_verifies_once_by_post_and_then_the_identity_sends(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync("Acme Robots");
        await using var receiver = await WebhookReceiver.StartAsync();
        await api.PostAsync("/api/v0/webhooks", new { url = receiver.Url, event_types = new[] { "sender_identity.verified" } });
        using var streamClient = server.Client(api.Token);
        streamClient.Timeout = TimeSpan.FromSeconds(60);
        using var stream = await EventStream.OpenAsync(streamClient, "api/v0/events/stream?event_types=sender_identity.verified");

        var domain = await AddDomainAsync(api);
        var email = NewAddress("pedro");
        var id = (string)(await CreateIdentityAsync(api, domain, email, "Pedro Doe",
            new { add_note = true, personal_note = "Hi Pedro, this is us.", reply_to_email = "desk@acme.example", reply_to_name = "Acme Desk" }))["id"]!;

        // The confirmation went out through the outbound queue, signed with the platform domain's key.
        var confirmation = Assert.Single(await servers.MailForAsync(email));
        Assert.Contains("X-Envelope-From: no-reply@mailroom.local\r\n", confirmation);
        Assert.Contains("d=mailroom.local", Header(confirmation, "DKIM-Signature"));
        Assert.Contains(email, Header(confirmation, "To"));
        Assert.Contains("Acme Robots asks to send email as Pedro Doe <" + email + ">", confirmation);
        Assert.Contains("Hi Pedro, this is us.", confirmation);
        var link = ConfirmationPath(confirmation);

        var recipient = NewAddress("rita");
        var (earlyStatus, early) = await api.PostAsync("/mailersend/v1/email", Email(email, recipient));
        Assert.Equal(422, earlyStatus);
        Assert.NotNull(early!["errors"]!["from.email"]);

        // Following the link shows the request and changes nothing (mail scanners fetch links).
        using var browser = server.Client();
        for (var i = 0; i < 2; i++)
        {
            using var page = await browser.GetAsync(link.TrimStart('/'));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("no-store", page.Headers.CacheControl!.ToString());
            Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains(email, html);
            Assert.Contains("Acme Robots", html);
            Assert.Contains("method=\"post\"", html);
        }
        Assert.False((bool)(await api.GetAsync($"/mailersend/v1/identities/{id}")).Body!["data"]!["is_verified"]!);

        var (confirmed, confirmedHtml) = await PostConfirmationAsync(server, link);
        Assert.Equal(HttpStatusCode.OK, confirmed);
        Assert.Contains("confirmed", confirmedHtml);
        Assert.True((bool)(await api.GetAsync($"/mailersend/v1/identities/{id}")).Body!["data"]!["is_verified"]!);
        var (again, _) = await PostConfirmationAsync(server, link);
        Assert.Equal(HttpStatusCode.Gone, again);
        using (var used = await browser.GetAsync(link.TrimStart('/'))) Assert.Equal(HttpStatusCode.Gone, used.StatusCode);

        var hook = JsonNode.Parse(Assert.Single(await receiver.WaitForAsync(1)).Body)!;
        Assert.Equal("sender_identity.verified", (string)hook["event_type"]!);
        Assert.Equal(id, (string)hook["sender_identity"]!["id"]!);
        Assert.Equal(email, (string)hook["sender_identity"]!["email"]!);
        Assert.Equal(domain, (string)hook["sender_identity"]!["domain_id"]!);
        var streamed = await stream.NextAsync();
        Assert.Equal("sender_identity.verified", streamed.Type);
        Assert.Equal(id, (string)JsonNode.Parse(streamed.Data)!["sender_identity"]!["id"]!);

        var (resendStatus, resendError) = await api.PostAsync($"/mailersend/v1/identities/{id}/resend", new { });
        Assert.Equal(422, resendStatus);
        Assert.NotNull(resendError!["errors"]!["email"]);

        // Sending now goes through: 202 with the message id, delivered to the receiver, signed by the platform domain.
        using var request = new HttpRequestMessage(HttpMethod.Post, "mailersend/v1/email")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(Email(email, recipient, "After confirming")), Encoding.UTF8, "application/json"),
        };
        using var response = await api.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.StartsWith("msg_", response.Headers.GetValues("X-Message-Id").Single());
        var delivered = Assert.Single(await servers.MailForAsync(recipient));
        Assert.Equal($"Pedro From Api <{email}>", Header(delivered, "From"));
        Assert.Equal("Acme Desk <desk@acme.example>", Header(delivered, "Reply-To"));
        Assert.Equal("After confirming", Header(delivered, "Subject"));
        Assert.Equal("spring", Header(delivered, "X-Campaign"));
        Assert.Contains("X-Envelope-From: no-reply@mailroom.local\r\n", delivered);
        Assert.Contains("d=mailroom.local", Header(delivered, "DKIM-Signature"));
        Assert.Contains("filename=note.txt", delivered.Replace("\"", ""));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Resend_sends_a_new_link_voids_the_old_one_and_is_limited(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var email = NewAddress("resend");
        var id = (string)(await CreateIdentityAsync(api, await AddDomainAsync(api), email))["id"]!;
        var firstLink = ConfirmationPath(Assert.Single(await servers.MailForAsync(email)));

        for (var i = 1; i <= MaxResends; i++)
        {
            var (status, body) = await api.PostAsync($"/mailersend/v1/identities/{id}/resend", new { });
            Assert.Equal(200, status);
            Assert.Equal(i, (int)body!["data"]!["resends"]!);
        }
        var (limited, limitBody) = await api.PostAsync($"/mailersend/v1/identities/{id}/resend", new { });
        Assert.Equal(429, limited);
        Assert.False(string.IsNullOrEmpty((string?)limitBody!["message"]));

        var mails = await servers.MailForAsync(email, 1 + MaxResends);
        Assert.Equal(1 + MaxResends, mails.Count);
        var lastLink = ConfirmationPath(mails[^1]);
        Assert.NotEqual(firstLink, lastLink);
        Assert.Equal(HttpStatusCode.Gone, (await PostConfirmationAsync(server, firstLink)).Status);
        Assert.Equal(HttpStatusCode.Gone, (await PostConfirmationAsync(server, lastLink + "x")).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostConfirmationAsync(server, lastLink)).Status);
        Assert.True((bool)(await api.GetAsync($"/mailersend/v1/identities/{id}")).Body!["data"]!["is_verified"]!);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_new_address_must_be_confirmed_again_and_a_deleted_identity_cannot_send(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var email = NewAddress("first");
        var id = (string)(await CreateIdentityAsync(api, await AddDomainAsync(api), email))["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await PostConfirmationAsync(server, ConfirmationPath(Assert.Single(await servers.MailForAsync(email))))).Status);

        var moved = NewAddress("moved");
        var (status, changed) = await api.SendAsync(HttpMethod.Put, $"/mailersend/v1/identities/{id}", new { email = moved });
        Assert.Equal(200, status);
        Assert.Equal(moved, (string)changed!["data"]!["email"]!);
        Assert.False((bool)changed["data"]!["is_verified"]!);
        var recipient = NewAddress("to");
        Assert.Equal(422, (await api.PostAsync("/mailersend/v1/email", Email(moved, recipient))).Status);
        Assert.Equal(422, (await api.PostAsync("/mailersend/v1/email", Email(email, recipient))).Status);

        Assert.Equal(HttpStatusCode.OK, (await PostConfirmationAsync(server, ConfirmationPath(Assert.Single(await servers.MailForAsync(moved))))).Status);
        Assert.Equal(202, (await api.PostAsync("/mailersend/v1/email", Email(moved, recipient))).Status);
        Assert.Single(await servers.MailForAsync(recipient));

        Assert.Equal(200, (await api.DeleteAsync($"/mailersend/v1/identities/{id}")).Status);
        var (refused, error) = await api.PostAsync("/mailersend/v1/email", Email(moved, recipient));
        Assert.Equal(422, refused);
        Assert.NotNull(error!["errors"]!["from.email"]);
        // Another organization cannot send as the identity either.
        var stranger = await server.NewOrganizationAsync();
        Assert.Equal(422, (await stranger.PostAsync("/mailersend/v1/email", Email(email, recipient))).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_address_on_a_verified_domain_sends_signed_by_that_domain(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var domain = await AddDomainAsync(api);
        var sender = "news@" + domain;
        Assert.Equal(422, (await api.PostAsync("/mailersend/v1/email", Email(sender, NewAddress("to")))).Status);

        // DNS verification has its own tests; here the domain is simply marked verified.
        await using (var db = server.Database.Open())
        await using (var connection = await db.OpenAsync())
            await connection.ExecuteAsync("UPDATE domains SET status = 'VERIFIED' WHERE name = @domain", new { domain });

        var recipient = NewAddress("to");
        Assert.Equal(202, (await api.PostAsync("/mailersend/v1/email", Email(sender, recipient))).Status);
        var mail = Assert.Single(await servers.MailForAsync(recipient));
        Assert.Contains($"X-Envelope-From: {sender}\r\n", mail);
        Assert.Contains("d=" + domain, Header(mail, "DKIM-Signature"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Send_requests_are_checked_field_by_field(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        async Task Refused(string json, string field)
        {
            var (status, error) = await api.PostAsync("/mailersend/v1/email", json);
            Assert.True(status == 422, $"{json}: {status} {ApiClient.Json(error)}");
            Assert.NotNull(error!["errors"]![field]);
        }
        const string to = """ "to": [{"email": "a@people.example"}] """;
        await Refused($$"""{ {{to}}, "subject": "s", "text": "t" }""", "from.email");
        await Refused($$"""{ "from": {"email": "nope"}, {{to}}, "subject": "s", "text": "t" }""", "from.email");
        await Refused("""{ "from": {"email": "x@people.example"}, "subject": "s", "text": "t" }""", "to");
        await Refused("""{ "from": {"email": "x@people.example"}, "to": [{"email": "bad"}], "subject": "s", "text": "t" }""", "to.0.email");
        await Refused($$"""{ "from": {"email": "x@people.example"}, {{to}}, "text": "t" }""", "subject");
        await Refused($$"""{ "from": {"email": "x@people.example"}, {{to}}, "subject": "s" }""", "text");
        await Refused($$"""{ "from": {"email": "x@people.example"}, {{to}}, "subject": "s", "text": "t", "template_id": "abc" }""", "template_id");
        await Refused($$"""{ "from": {"email": "x@people.example"}, {{to}}, "subject": "s", "text": "t", "headers": [{"name": "From", "value": "x"}] }""", "headers.0.name");
        await Refused($$"""{ "from": {"email": "x@people.example"}, {{to}}, "subject": "s", "text": "t", "attachments": [{"filename": "a", "content": "%%"}] }""", "attachments.0.content");
        // Well formed, but the address is nobody's identity and on no verified domain.
        await Refused($$"""{ "from": {"email": "x@people.example"}, {{to}}, "subject": "s", "text": "t" }""", "from.email");
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_link_past_its_lifetime_is_refused(string provider)
    {
        var sink = await servers.Sink();
        await using var server = await MailroomTestServer.StartAsync(provider,
            [.. MailroomTestServer.RelayTo(sink.Port), "--Mailroom:SenderIdentities:ConfirmationLifetime=00:00:02"]);
        var api = await server.NewOrganizationAsync();
        var email = NewAddress("late");
        var id = (string)(await CreateIdentityAsync(api, await AddDomainAsync(api), email))["id"]!;
        var link = ConfirmationPath(Assert.Single(await servers.MailForAsync(email)));
        await Task.Delay(TimeSpan.FromSeconds(3));
        using (var page = await server.Client().GetAsync(link.TrimStart('/'))) Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await PostConfirmationAsync(server, link)).Status);
        Assert.False((bool)(await api.GetAsync($"/mailersend/v1/identities/{id}")).Body!["data"]!["is_verified"]!);
    }

    private sealed record StreamEvent(string Id, string Type, string Data);

    /// <summary>The v0 event stream as a client reads it.</summary>
    private sealed class EventStream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public static async Task<EventStream> OpenAsync(HttpClient client, string path)
        {
            var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(200, (int)response.StatusCode);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
            Assert.Equal(": connected", await reader.ReadLineAsync());
            return new EventStream(response, reader);
        }

        public async Task<StreamEvent> NextAsync()
        {
            string? id = null, type = null, data = null;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("id: ")) id = line[4..];
                else if (line.StartsWith("event: ")) type = line[7..];
                else if (line.StartsWith("data: ")) data = line[6..];
                else if (line.Length == 0 && data is not null) return new StreamEvent(id!, type!, data);
            }
            throw new EndOfStreamException();
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }
}
