using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V0;

/// <summary>
/// The agent mail v0 contract as the server answers it today, byte for byte: for each request the status, the
/// response headers and the exact body text, with only volatile values (ids, times, secrets, signatures, ports)
/// replaced by placeholders (<see cref="ContractBody"/>). Any change to a property name, its order, a null written
/// or left out, a number or time format, a message text or a header shows up as a diff here.
/// </summary>
/// <remarks>
/// Expected answers are written literally; <see cref="ContractClient.Verify"/> lists every difference with the
/// actual text. Each test makes its own organization, inbox names are unique within the class.
/// </remarks>
public sealed class ContractTests(ContractTests.Servers servers) : IClassFixture<ContractTests.Servers>
{
    /// <summary>Webhooks may call a receiver on 127.0.0.1; a failed attempt is retried only after an hour.</summary>
    public sealed class Servers() : ServerPerProvider([
        "--Mailroom:Webhooks:AllowPrivateTargets=true", "--Mailroom:Webhooks:RetrySchedule:0=0", "--Mailroom:Webhooks:RetrySchedule:1=3600",
    ]);

    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    private async Task<(MailroomTestServer Server, ApiClient Api, ContractClient Contract)> StartAsync(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        return (server, api, new ContractClient(api.Http, MaskFor(server)));
    }

    private static ContractBody MaskFor(MailroomTestServer server) =>
        new ContractBody().Literal(server.Address.GetLeftPart(UriPartial.Authority), "http://<server>");

    // ---------------------------------------------------------------- organization

    [Theory, MemberData(nameof(Providers))]
    public async Task Organization(string provider)
    {
        var (_, _, c) = await StartAsync(provider);

        await c.ExpectAsync("GET /api/v0/organizations", """
            200
            Content-Type: application/json; charset=utf-8

            {"org_id":"<org_1>",
              "name":"Test Org",
              "inbox_count":0,
              "inbox_limit":50,
              "domain_count":0,
              "domain_limit":10,
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);

        c.Verify();
    }

    // ---------------------------------------------------------------- authentication and routing

    [Theory, MemberData(nameof(Providers))]
    public async Task Authentication_and_routing_errors(string provider)
    {
        var (server, _, c) = await StartAsync(provider);
        using var anonymous = server.Client();
        using var wrongKey = server.Client("inai_wrong_key");
        using var basic = server.Client();
        basic.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");

        // No key, an unknown key, another scheme.
        await c.ExpectAsync("GET /api/v0/organizations", null, """
            401
            Content-Type: application/json; charset=utf-8
            WWW-Authenticate: Bearer

            {"name":"UnauthorizedError",
              "message":"Authorization: a 'Bearer <api key>' header is required"}
            """, client: anonymous);
        await c.ExpectAsync("GET /api/v0/inboxes", null, """
            401
            Content-Type: application/json; charset=utf-8
            WWW-Authenticate: Bearer

            {"name":"UnauthorizedError",
              "message":"Authorization: the API key is not valid or has been revoked"}
            """, client: wrongKey);
        await c.ExpectAsync("POST /api/v0/inboxes", """{"username":"nobody"}""", """
            401
            Content-Type: application/json; charset=utf-8
            WWW-Authenticate: Bearer

            {"name":"UnauthorizedError",
              "message":"Authorization: a 'Bearer <api key>' header is required"}
            """, client: basic);
        // Routes that do not exist, inside and outside /api/v0, with and without a key.
        await c.ExpectAsync("GET /api/v0/nothing", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"no route /api/v0/nothing"}
            """);
        await c.ExpectAsync("GET /api/v0/nothing", null, """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"no route /api/v0/nothing"}
            """, client: anonymous);
        await c.ExpectAsync("GET /nothing", null, """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"no route /nothing"}
            """, client: anonymous);
        await c.ExpectAsync("GET /api/v0/inboxes/inb_00000000000000000000000000/nothing", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"no route /api/v0/inboxes/<inb_1>/nothing"}
            """);
        // A method the route does not have.
        await c.ExpectAsync("PUT /api/v0/inboxes", """{"username":"x"}""", """
            405
            Allow: GET, POST
            Content-Type: application/json; charset=utf-8

            {"name":"MethodNotAllowedError",
              "message":"PUT is not allowed on /api/v0/inboxes"}
            """);
        await c.ExpectAsync("DELETE /api/v0/organizations", """
            405
            Allow: GET
            Content-Type: application/json; charset=utf-8

            {"name":"MethodNotAllowedError",
              "message":"DELETE is not allowed on /api/v0/organizations"}
            """);
        await c.ExpectAsync("POST /api/v0/inboxes/inb_00000000000000000000000000", "{}", """
            405
            Allow: DELETE, GET, PATCH
            Content-Type: application/json; charset=utf-8

            {"name":"MethodNotAllowedError",
              "message":"POST is not allowed on /api/v0/inboxes/<inb_1>"}
            """);
        // A body that is not JSON by its Content-Type.
        await c.ExpectAsync("POST /api/v0/inboxes", """{"username":"plain-text"}""", """
            415
            Content-Type: application/json; charset=utf-8

            {"name":"ValidationError",
              "message":"Content-Type: must be application/json"}
            """, contentType: "text/plain");
        await c.ExpectAsync("POST /api/v0/inboxes", "username=form", """
            415
            Content-Type: application/json; charset=utf-8

            {"name":"ValidationError",
              "message":"Content-Type: must be application/json"}
            """, contentType: "application/x-www-form-urlencoded");
        await c.ExpectAsync("POST /api/v0/inboxes", """{"username":"no-type"}""", """
            201
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_2>",
              "email_address":"no-type@mailroom.local",
              "username":"no-type",
              "domain":"mailroom.local",
              "display_name":null,
              "client_id":null,
              "created_at":"<time>",
              "updated_at":"<time>"}
            """, contentType: null);

        c.Verify();
    }

    // ---------------------------------------------------------------- api keys

    [Theory, MemberData(nameof(Providers))]
    public async Task Api_keys(string provider)
    {
        var (server, _, c) = await StartAsync(provider);
        var other = await server.NewOrganizationAsync("Other Org");
        var othersKey = (string)(await other.GetAsync("/api/v0/api-keys")).Body!["data"]![0]!["key_id"]!;

        var created = await c.ExpectAsync("POST /api/v0/api-keys", """{"name":"my-agent-key"}""", """
            201
            Content-Type: application/json; charset=utf-8

            {"key_id":"<key_1>",
              "name":"my-agent-key",
              "prefix":"inai_<head_1>_...",
              "key":"inai_<head_1>_<secret>",
              "used_at":null,
              "created_at":"<time>"}
            """);
        var keyId = (string)created.Json["key_id"]!;
        using var newKey = server.Client((string)created.Json["key"]!);
        await c.ExpectAsync("GET /api/v0/api-keys", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[{"key_id":"<key_1>",
                  "name":"my-agent-key",
                  "prefix":"inai_<head_1>_...",
                  "used_at":null,
                  "created_at":"<time>"},
                {"key_id":"<key_2>",
                  "name":"default",
                  "prefix":"inai_<head_2>_...",
                  "used_at":"<time>",
                  "created_at":"<time>"}],
              "total":2,
              "page":1,
              "page_size":20}
            """);
        await c.ExpectAsync("GET /api/v0/api-keys?page=2&page_size=1", null, """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[{"key_id":"<key_2>",
                  "name":"default",
                  "prefix":"inai_<head_2>_...",
                  "used_at":"<time>",
                  "created_at":"<time>"}],
              "total":2,
              "page":2,
              "page_size":1}
            """, client: newKey);
        await c.ExpectAsync($"DELETE /api/v0/api-keys/{keyId}", """
            204
            """);
        // A deleted key is refused at once.
        await c.ExpectAsync("GET /api/v0/api-keys", null, """
            401
            Content-Type: application/json; charset=utf-8
            WWW-Authenticate: Bearer

            {"name":"UnauthorizedError",
              "message":"Authorization: the API key is not valid or has been revoked"}
            """, client: newKey);

        await c.ExpectAllAsync(
            ($"DELETE /api/v0/api-keys/{keyId}", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"api key not found"}
                """),
            ("DELETE /api/v0/api-keys/key_00000000000000000000000000", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"api key not found"}
                """),
            ($"DELETE /api/v0/api-keys/{othersKey}", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"api key not found"}
                """),
            ("POST /api/v0/api-keys", "{}", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"name: is required"}
                """),
            ("POST /api/v0/api-keys", """{"name":""}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"name: is required"}
                """),
            ("POST /api/v0/api-keys", """{"name":5}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"name: must be a string"}
                """),
            ("POST /api/v0/api-keys", "", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"body: a JSON object is required"}
                """),
            ("POST /api/v0/api-keys", "{", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"body: is not a valid JSON object"}
                """),
            ("GET /api/v0/api-keys?page_size=101", null, """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"page_size: must be between 1 and 100"}
                """));

        c.Verify();
    }

    // ---------------------------------------------------------------- inboxes

    [Theory, MemberData(nameof(Providers))]
    public async Task Inboxes(string provider)
    {
        var (server, _, c) = await StartAsync(provider);
        var other = await server.NewOrganizationAsync("Other Org");
        var othersInbox = (string)(await other.CreateInboxAsync("theirs-i"))["inbox_id"]!;

        var created = await c.ExpectAsync("POST /api/v0/inboxes", """{"username":"agent-i","display_name":"Agent One","client_id":"my-agent"}""", """
            201
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_1>",
              "email_address":"agent-i@mailroom.local",
              "username":"agent-i",
              "domain":"mailroom.local",
              "display_name":"Agent One",
              "client_id":"my-agent",
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        var id = (string)created.Json["inbox_id"]!;
        // The same client_id returns the first inbox with 200, whatever the other fields say.
        await c.ExpectAsync("POST /api/v0/inboxes", """{"username":"agent-i-again","client_id":"my-agent"}""", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_1>",
              "email_address":"agent-i@mailroom.local",
              "username":"agent-i",
              "domain":"mailroom.local",
              "display_name":"Agent One",
              "client_id":"my-agent",
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        var plain = await c.ExpectAsync("POST /api/v0/inboxes", """{"username":"Plain.I"}""", """
            201
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_2>",
              "email_address":"Plain.I@mailroom.local",
              "username":"Plain.I",
              "domain":"mailroom.local",
              "display_name":null,
              "client_id":null,
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync($"GET /api/v0/inboxes/{id}", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_1>",
              "email_address":"agent-i@mailroom.local",
              "username":"agent-i",
              "domain":"mailroom.local",
              "display_name":"Agent One",
              "client_id":"my-agent",
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync("GET /api/v0/inboxes", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[{"inbox_id":"<inb_2>",
                  "email_address":"Plain.I@mailroom.local",
                  "username":"Plain.I",
                  "domain":"mailroom.local",
                  "display_name":null,
                  "client_id":null,
                  "created_at":"<time>",
                  "updated_at":"<time>"},
                {"inbox_id":"<inb_1>",
                  "email_address":"agent-i@mailroom.local",
                  "username":"agent-i",
                  "domain":"mailroom.local",
                  "display_name":"Agent One",
                  "client_id":"my-agent",
                  "created_at":"<time>",
                  "updated_at":"<time>"}],
              "total":2,
              "page":1,
              "page_size":20}
            """);
        await c.ExpectAsync("GET /api/v0/inboxes?page=2&page_size=1", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[{"inbox_id":"<inb_1>",
                  "email_address":"agent-i@mailroom.local",
                  "username":"agent-i",
                  "domain":"mailroom.local",
                  "display_name":"Agent One",
                  "client_id":"my-agent",
                  "created_at":"<time>",
                  "updated_at":"<time>"}],
              "total":2,
              "page":2,
              "page_size":1}
            """);
        await c.ExpectAsync("GET /api/v0/inboxes?page=3", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[],
              "total":2,
              "page":3,
              "page_size":20}
            """);
        await c.ExpectAsync($"PATCH /api/v0/inboxes/{id}", """{"display_name":"Updated Name"}""", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_1>",
              "email_address":"agent-i@mailroom.local",
              "username":"agent-i",
              "domain":"mailroom.local",
              "display_name":"Updated Name",
              "client_id":"my-agent",
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync($"PATCH /api/v0/inboxes/{id}", "{}", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_1>",
              "email_address":"agent-i@mailroom.local",
              "username":"agent-i",
              "domain":"mailroom.local",
              "display_name":"Updated Name",
              "client_id":"my-agent",
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync($"PATCH /api/v0/inboxes/{id}", """{"display_name":null}""", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_1>",
              "email_address":"agent-i@mailroom.local",
              "username":"agent-i",
              "domain":"mailroom.local",
              "display_name":null,
              "client_id":"my-agent",
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync($"DELETE /api/v0/inboxes/{(string)plain.Json["inbox_id"]!}", """
            204
            """);

        await c.ExpectAllAsync(
            // Validation on create.
            ("POST /api/v0/inboxes", "{}", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"username: is required"}
                """),
            ("POST /api/v0/inboxes", """{"username":""}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"username: is required"}
                """),
            ("POST /api/v0/inboxes", """{"username":"has space"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"username: may contain only letters, digits and . _ % + -"}
                """),
            ("POST /api/v0/inboxes", """{"username":"bad/slash"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"username: may contain only letters, digits and . _ % + -"}
                """),
            ("POST /api/v0/inboxes", """{"username":".dot"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"username: must not start or end with a dot or contain two dots in a row"}
                """),
            ("POST /api/v0/inboxes", """{"username":"two..dots"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"username: must not start or end with a dot or contain two dots in a row"}
                """),
            ("POST /api/v0/inboxes", $$"""{"username":"{{new string('a', 65)}}"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"username: must be at most 64 characters"}
                """),
            ("POST /api/v0/inboxes", """{"username":42}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"username: must be a string"}
                """),
            ("POST /api/v0/inboxes", """{"username":["a"]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"username: must be a string"}
                """),
            ("POST /api/v0/inboxes", """{"username":"ok-i","display_name":"a\r\nBcc: x@y.example"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"display_name: must not contain line breaks"}
                """),
            ("POST /api/v0/inboxes", """{"username":"ok-i","domain":"not a domain"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"domain: is not a valid domain name"}
                """),
            ("POST /api/v0/inboxes", """{"username":"ok-i","domain":"unknown-to-us.example"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"domain: unknown-to-us.example is not a domain of this organization; add it with POST /domains first"}
                """),
            ("POST /api/v0/inboxes", """{"username":"ok-i","client_id":7}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"client_id: must be a string"}
                """),
            ("POST /api/v0/inboxes", "not json", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"body: is not a valid JSON object"}
                """),
            ("POST /api/v0/inboxes", """{"username":"ok-i",}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"body: is not a valid JSON object"}
                """),
            ("POST /api/v0/inboxes", "[]", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"body: is not a valid JSON object"}
                """),
            ("POST /api/v0/inboxes", "null", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"body: a JSON object is required"}
                """),
            ("POST /api/v0/inboxes", "", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"body: a JSON object is required"}
                """),
            // Taken addresses, also in another case and by another organization.
            ("POST /api/v0/inboxes", """{"username":"agent-i"}""", """
                409
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"AlreadyExistsError",
                  "message":"username: agent-i@mailroom.local is already taken"}
                """),
            ("POST /api/v0/inboxes", """{"username":"AGENT-I"}""", """
                409
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"AlreadyExistsError",
                  "message":"username: AGENT-I@mailroom.local is already taken"}
                """),
            ("POST /api/v0/inboxes", """{"username":"theirs-i"}""", """
                409
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"AlreadyExistsError",
                  "message":"username: theirs-i@mailroom.local is already taken"}
                """),
            // Paging.
            ("GET /api/v0/inboxes?page_size=101", null, """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"page_size: must be between 1 and 100"}
                """),
            ("GET /api/v0/inboxes?page_size=0", null, """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"page_size: must be between 1 and 100"}
                """),
            ("GET /api/v0/inboxes?page=0", null, """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"page: must be 1 or greater"}
                """),
            ("GET /api/v0/inboxes?page=two", null, """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"page: must be a whole number"}
                """),
            // Updates.
            ($"PATCH /api/v0/inboxes/{id}", """{"display_name":5}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"display_name: must be a string or null"}
                """),
            ($"PATCH /api/v0/inboxes/{id}", """{"display_name":"a\nb"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"display_name: must not contain line breaks"}
                """),
            ($"PATCH /api/v0/inboxes/{id}", "", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"body: a JSON object is required"}
                """),
            // Unknown ids and another organization's.
            ("GET /api/v0/inboxes/inb_00000000000000000000000000", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"inbox not found"}
                """),
            ("PATCH /api/v0/inboxes/inb_00000000000000000000000000", """{"display_name":"x"}""", """
                404
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"NotFoundError",
                  "message":"inbox not found"}
                """),
            ("PATCH /api/v0/inboxes/inb_00000000000000000000000000", "{}", """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"inbox not found"}
                """),
            ("DELETE /api/v0/inboxes/inb_00000000000000000000000000", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"inbox not found"}
                """),
            ($"GET /api/v0/inboxes/{othersInbox}", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"inbox not found"}
                """),
            ($"PATCH /api/v0/inboxes/{othersInbox}", """{"display_name":"stolen"}""", """
                404
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"NotFoundError",
                  "message":"inbox not found"}
                """),
            ($"DELETE /api/v0/inboxes/{othersInbox}", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"inbox not found"}
                """));

        await c.ExpectAsync($"DELETE /api/v0/inboxes/{id}", """
            204
            """);
        await c.ExpectAsync($"GET /api/v0/inboxes/{id}", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"inbox not found"}
            """);
        await c.ExpectAsync($"DELETE /api/v0/inboxes/{id}", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"inbox not found"}
            """);

        c.Verify();
    }

    /// <summary>A server of its own with small limits and the default (closed) policy for webhook targets.</summary>
    [Theory, MemberData(nameof(Providers))]
    public async Task Limits(string provider)
    {
        await using var server = await MailroomTestServer.StartAsync(provider,
            "--Mailroom:Limits:InboxesPerOrganization=1", "--Mailroom:Limits:DomainsPerOrganization=1");
        var api = await server.NewOrganizationAsync();
        var c = new ContractClient(api.Http, MaskFor(server));
        await api.CreateInboxAsync("only");
        Assert.Equal(201, (await api.PostAsync("/api/v0/domains", new { domain = "one.example" })).Status);

        await c.ExpectAsync("POST /api/v0/inboxes", """{"username":"second"}""", """
            403
            Cache-Control: no-cache,no-store
            Content-Type: application/json; charset=utf-8
            Expires: -1
            Pragma: no-cache

            {"name":"LimitExceededError",
              "message":"inbox_limit: the organization already has its limit of 1 inboxes"}
            """);
        await c.ExpectAsync("POST /api/v0/domains", """{"domain":"two.example"}""", """
            403
            Cache-Control: no-cache,no-store
            Content-Type: application/json; charset=utf-8
            Expires: -1
            Pragma: no-cache

            {"name":"LimitExceededError",
              "message":"domain_limit: the organization already has its limit of 1 domains"}
            """);
        await c.ExpectAsync("GET /api/v0/organizations", """
            200
            Content-Type: application/json; charset=utf-8

            {"org_id":"<org_1>",
              "name":"Test Org",
              "inbox_count":1,
              "inbox_limit":1,
              "domain_count":1,
              "domain_limit":1,
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        // This server keeps the default policy for webhook targets: loopback and private addresses are refused.
        await c.ExpectAsync("POST /api/v0/webhooks", """{"url":"http://127.0.0.1:9/hook","event_types":["message.sent"]}""", """
            400
            Cache-Control: no-cache,no-store
            Content-Type: application/json; charset=utf-8
            Expires: -1
            Pragma: no-cache

            {"name":"ValidationError",
              "message":"url: 127.0.0.1 resolves to a private or reserved address, which webhooks may not reach"}
            """);
        await c.ExpectAsync("POST /api/v0/webhooks", """{"url":"https://10.1.2.3/hook","event_types":["message.sent"]}""", """
            400
            Cache-Control: no-cache,no-store
            Content-Type: application/json; charset=utf-8
            Expires: -1
            Pragma: no-cache

            {"name":"ValidationError",
              "message":"url: 10.1.2.3 resolves to a private or reserved address, which webhooks may not reach"}
            """);

        c.Verify();
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Rate_limit(string provider)
    {
        await using var server = await MailroomTestServer.StartAsync(provider,
            "--Mailroom:RateLimit:Burst=2", "--Mailroom:RateLimit:RequestsPerSecond=1");
        var api = await server.NewOrganizationAsync();
        var c = new ContractClient(api.Http, MaskFor(server));

        ContractClient.Answer? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var answer = await c.SendAsync("GET /api/v0/organizations");
            if (answer.Status == 429) limited = answer;
        }

        Assert.NotNull(limited);
        c.Check("GET /api/v0/organizations (past the budget)", """
            429
            Content-Type: application/json; charset=utf-8
            Retry-After: 1

            {"name":"RateLimitError",
              "message":"too many requests for this API key; retry after 1 s"}
            """, limited.Rendered);
        c.Verify();
    }

    // ---------------------------------------------------------------- domains

    [Theory, MemberData(nameof(Providers))]
    public async Task Domains(string provider)
    {
        var (server, api, c) = await StartAsync(provider);
        var other = await server.NewOrganizationAsync("Other Org");
        Assert.Equal(201, (await other.PostAsync("/api/v0/domains", new { domain = "theirs-d.example" })).Status);

        await c.ExpectAsync("POST /api/v0/domains", """{"domain":"Contract-D.Example."}""", """
            201
            Content-Type: application/json; charset=utf-8

            {"domain_id":"contract-d.example",
              "status":"PENDING",
              "feedback_enabled":true,
              "records":[{"type":"MX",
                  "name":"contract-d.example",
                  "value":"mx.mailroom.local",
                  "status":"MISSING",
                  "priority":10},
                {"type":"TXT",
                  "name":"contract-d.example",
                  "value":"v=spf1 include:_spf.mailroom.local ~all",
                  "status":"MISSING",
                  "priority":null},
                {"type":"TXT",
                  "name":"mailroom._domainkey.contract-d.example",
                  "value":"v=DKIM1; k=rsa; p=<public key>",
                  "status":"MISSING",
                  "priority":null},
                {"type":"TXT",
                  "name":"_dmarc.contract-d.example",
                  "value":"v=DMARC1; p=none; rua=mailto:dmarc@contract-d.example",
                  "status":"MISSING",
                  "priority":null}],
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync("POST /api/v0/domains", """{"domain":"second-d.example","feedback_enabled":false}""", """
            201
            Content-Type: application/json; charset=utf-8

            {"domain_id":"second-d.example",
              "status":"PENDING",
              "feedback_enabled":false,
              "records":[{"type":"MX",
                  "name":"second-d.example",
                  "value":"mx.mailroom.local",
                  "status":"MISSING",
                  "priority":10},
                {"type":"TXT",
                  "name":"second-d.example",
                  "value":"v=spf1 include:_spf.mailroom.local ~all",
                  "status":"MISSING",
                  "priority":null},
                {"type":"TXT",
                  "name":"mailroom._domainkey.second-d.example",
                  "value":"v=DKIM1; k=rsa; p=<public key>",
                  "status":"MISSING",
                  "priority":null},
                {"type":"TXT",
                  "name":"_dmarc.second-d.example",
                  "value":"v=DMARC1; p=none; rua=mailto:dmarc@second-d.example",
                  "status":"MISSING",
                  "priority":null}],
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync("GET /api/v0/domains/contract-d.example", """
            200
            Content-Type: application/json; charset=utf-8

            {"domain_id":"contract-d.example",
              "status":"PENDING",
              "feedback_enabled":true,
              "records":[{"type":"MX",
                  "name":"contract-d.example",
                  "value":"mx.mailroom.local",
                  "status":"MISSING",
                  "priority":10},
                {"type":"TXT",
                  "name":"contract-d.example",
                  "value":"v=spf1 include:_spf.mailroom.local ~all",
                  "status":"MISSING",
                  "priority":null},
                {"type":"TXT",
                  "name":"mailroom._domainkey.contract-d.example",
                  "value":"v=DKIM1; k=rsa; p=<public key>",
                  "status":"MISSING",
                  "priority":null},
                {"type":"TXT",
                  "name":"_dmarc.contract-d.example",
                  "value":"v=DMARC1; p=none; rua=mailto:dmarc@contract-d.example",
                  "status":"MISSING",
                  "priority":null}],
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync("GET /api/v0/domains/CONTRACT-D.EXAMPLE", """
            200
            Content-Type: application/json; charset=utf-8

            {"domain_id":"contract-d.example",
              "status":"PENDING",
              "feedback_enabled":true,
              "records":[{"type":"MX",
                  "name":"contract-d.example",
                  "value":"mx.mailroom.local",
                  "status":"MISSING",
                  "priority":10},
                {"type":"TXT",
                  "name":"contract-d.example",
                  "value":"v=spf1 include:_spf.mailroom.local ~all",
                  "status":"MISSING",
                  "priority":null},
                {"type":"TXT",
                  "name":"mailroom._domainkey.contract-d.example",
                  "value":"v=DKIM1; k=rsa; p=<public key>",
                  "status":"MISSING",
                  "priority":null},
                {"type":"TXT",
                  "name":"_dmarc.contract-d.example",
                  "value":"v=DMARC1; p=none; rua=mailto:dmarc@contract-d.example",
                  "status":"MISSING",
                  "priority":null}],
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync("GET /api/v0/domains", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[{"domain_id":"second-d.example",
                  "status":"PENDING",
                  "feedback_enabled":false,
                  "records":[{"type":"MX",
                      "name":"second-d.example",
                      "value":"mx.mailroom.local",
                      "status":"MISSING",
                      "priority":10},
                    {"type":"TXT",
                      "name":"second-d.example",
                      "value":"v=spf1 include:_spf.mailroom.local ~all",
                      "status":"MISSING",
                      "priority":null},
                    {"type":"TXT",
                      "name":"mailroom._domainkey.second-d.example",
                      "value":"v=DKIM1; k=rsa; p=<public key>",
                      "status":"MISSING",
                      "priority":null},
                    {"type":"TXT",
                      "name":"_dmarc.second-d.example",
                      "value":"v=DMARC1; p=none; rua=mailto:dmarc@second-d.example",
                      "status":"MISSING",
                      "priority":null}],
                  "created_at":"<time>",
                  "updated_at":"<time>"},
                {"domain_id":"contract-d.example",
                  "status":"PENDING",
                  "feedback_enabled":true,
                  "records":[{"type":"MX",
                      "name":"contract-d.example",
                      "value":"mx.mailroom.local",
                      "status":"MISSING",
                      "priority":10},
                    {"type":"TXT",
                      "name":"contract-d.example",
                      "value":"v=spf1 include:_spf.mailroom.local ~all",
                      "status":"MISSING",
                      "priority":null},
                    {"type":"TXT",
                      "name":"mailroom._domainkey.contract-d.example",
                      "value":"v=DKIM1; k=rsa; p=<public key>",
                      "status":"MISSING",
                      "priority":null},
                    {"type":"TXT",
                      "name":"_dmarc.contract-d.example",
                      "value":"v=DMARC1; p=none; rua=mailto:dmarc@contract-d.example",
                      "status":"MISSING",
                      "priority":null}],
                  "created_at":"<time>",
                  "updated_at":"<time>"}],
              "total":2,
              "page":1,
              "page_size":20}
            """);
        await c.ExpectAsync("GET /api/v0/domains?page=2&page_size=1", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[{"domain_id":"contract-d.example",
                  "status":"PENDING",
                  "feedback_enabled":true,
                  "records":[{"type":"MX",
                      "name":"contract-d.example",
                      "value":"mx.mailroom.local",
                      "status":"MISSING",
                      "priority":10},
                    {"type":"TXT",
                      "name":"contract-d.example",
                      "value":"v=spf1 include:_spf.mailroom.local ~all",
                      "status":"MISSING",
                      "priority":null},
                    {"type":"TXT",
                      "name":"mailroom._domainkey.contract-d.example",
                      "value":"v=DKIM1; k=rsa; p=<public key>",
                      "status":"MISSING",
                      "priority":null},
                    {"type":"TXT",
                      "name":"_dmarc.contract-d.example",
                      "value":"v=DMARC1; p=none; rua=mailto:dmarc@contract-d.example",
                      "status":"MISSING",
                      "priority":null}],
                  "created_at":"<time>",
                  "updated_at":"<time>"}],
              "total":2,
              "page":2,
              "page_size":1}
            """);
        // No DNS answers in tests: every record is MISSING and the domain stays PENDING.
        await c.ExpectAsync("POST /api/v0/domains/contract-d.example/verify", """
            200
            Content-Type: application/json; charset=utf-8

            {"domain_id":"contract-d.example",
              "status":"PENDING",
              "feedback_enabled":true,
              "records":[{"type":"MX",
                  "name":"contract-d.example",
                  "value":"mx.mailroom.local",
                  "status":"MISSING",
                  "priority":10},
                {"type":"TXT",
                  "name":"contract-d.example",
                  "value":"v=spf1 include:_spf.mailroom.local ~all",
                  "status":"MISSING",
                  "priority":null},
                {"type":"TXT",
                  "name":"mailroom._domainkey.contract-d.example",
                  "value":"v=DKIM1; k=rsa; p=<public key>",
                  "status":"MISSING",
                  "priority":null},
                {"type":"TXT",
                  "name":"_dmarc.contract-d.example",
                  "value":"v=DMARC1; p=none; rua=mailto:dmarc@contract-d.example",
                  "status":"MISSING",
                  "priority":null}],
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync("POST /api/v0/inboxes", """{"username":"sales","domain":"contract-d.example"}""", """
            201
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_1>",
              "email_address":"sales@contract-d.example",
              "username":"sales",
              "domain":"contract-d.example",
              "display_name":null,
              "client_id":null,
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);

        await c.ExpectAllAsync(
            ("POST /api/v0/domains", "{}", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"domain: is required"}
                """),
            ("POST /api/v0/domains", """{"domain":""}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"domain: is required"}
                """),
            ("POST /api/v0/domains", """{"domain":"not a domain"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"domain: is not a valid domain name"}
                """),
            ("POST /api/v0/domains", """{"domain":"mailroom.local"}""", """
                409
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"AlreadyExistsError",
                  "message":"domain: mailroom.local is the platform domain and cannot be added"}
                """),
            ("POST /api/v0/domains", """{"domain":"sub.mailroom.local"}""", """
                409
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"AlreadyExistsError",
                  "message":"domain: sub.mailroom.local is the platform domain and cannot be added"}
                """),
            ("POST /api/v0/domains", """{"domain":5}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"domain: must be a string"}
                """),
            ("POST /api/v0/domains", """{"domain":"x-d.example","feedback_enabled":"yes"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"feedback_enabled: must be true or false"}
                """),
            ("POST /api/v0/domains", """{"domain":"contract-d.example"}""", """
                409
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"AlreadyExistsError",
                  "message":"domain: contract-d.example has already been added"}
                """),
            ("POST /api/v0/domains", """{"domain":"theirs-d.example"}""", """
                409
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"AlreadyExistsError",
                  "message":"domain: theirs-d.example has already been added"}
                """),
            ("DELETE /api/v0/domains/contract-d.example", null, """
                409
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"AlreadyExistsError",
                  "message":"domain: contract-d.example still has 1 inbox(es); delete them first"}
                """),
            ("GET /api/v0/domains?page=0", null, """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"page: must be 1 or greater"}
                """),
            ("GET /api/v0/domains/unknown-d.example", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"domain not found"}
                """),
            ("POST /api/v0/domains/unknown-d.example/verify", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"domain not found"}
                """),
            ("DELETE /api/v0/domains/unknown-d.example", null, """
                404
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"NotFoundError",
                  "message":"domain not found"}
                """),
            ("GET /api/v0/domains/theirs-d.example", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"domain not found"}
                """),
            ("POST /api/v0/domains/theirs-d.example/verify", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"domain not found"}
                """),
            ("DELETE /api/v0/domains/theirs-d.example", null, """
                404
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"NotFoundError",
                  "message":"domain not found"}
                """));

        await c.ExpectAsync("DELETE /api/v0/domains/second-d.example", """
            204
            """);
        await c.ExpectAsync("GET /api/v0/domains/second-d.example", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"domain not found"}
            """);

        c.Verify();
    }

    // ---------------------------------------------------------------- webhooks and deliveries

    [Theory, MemberData(nameof(Providers))]
    public async Task Webhooks_and_deliveries(string provider)
    {
        var (server, api, c) = await StartAsync(provider);
        await using var receiver = await WebhookReceiver.StartAsync();
        c.Mask.Literal(receiver.Url, "http://<receiver>/hook");
        var other = await server.NewOrganizationAsync("Other Org");
        var othersHook = (string)(await other.PostAsync("/api/v0/webhooks", new { url = receiver.Url, event_types = new[] { "message.sent" } })).Body!["webhook_id"]!;
        var sender = (string)(await api.CreateInboxAsync("sender-w"))["inbox_id"]!;
        var watched = (string)(await api.CreateInboxAsync("watched-w"))["inbox_id"]!;

        var created = await c.ExpectAsync("POST /api/v0/webhooks",
            $$"""{"url":"{{receiver.Url}}","event_types":["message.received"],"inbox_ids":["{{watched}}"],"client_id":"my-integration"}""", """
                201
                Content-Type: application/json; charset=utf-8

                {"webhook_id":"<wh_1>",
                  "url":"http://<receiver>/hook",
                  "event_types":["message.received"],
                  "inbox_ids":["<inb_1>"],
                  "enabled":true,
                  "client_id":"my-integration",
                  "secret":"whsec_<secret>",
                  "created_at":"<time>",
                  "updated_at":"<time>"}
                """);
        var hook = (string)created.Json["webhook_id"]!;
        var second = await c.ExpectAsync("POST /api/v0/webhooks", """{"url":"https://hooks.example/second","event_types":["message.sent","domain.verified"]}""", """
            201
            Content-Type: application/json; charset=utf-8

            {"webhook_id":"<wh_2>",
              "url":"https://hooks.example/second",
              "event_types":["message.sent",
                "domain.verified"],
              "inbox_ids":[],
              "enabled":true,
              "client_id":null,
              "secret":"whsec_<secret>",
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync($"GET /api/v0/webhooks/{hook}", """
            200
            Content-Type: application/json; charset=utf-8

            {"webhook_id":"<wh_1>",
              "url":"http://<receiver>/hook",
              "event_types":["message.received"],
              "inbox_ids":["<inb_1>"],
              "enabled":true,
              "client_id":"my-integration",
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync("GET /api/v0/webhooks", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[{"webhook_id":"<wh_2>",
                  "url":"https://hooks.example/second",
                  "event_types":["message.sent",
                    "domain.verified"],
                  "inbox_ids":[],
                  "enabled":true,
                  "client_id":null,
                  "created_at":"<time>",
                  "updated_at":"<time>"},
                {"webhook_id":"<wh_1>",
                  "url":"http://<receiver>/hook",
                  "event_types":["message.received"],
                  "inbox_ids":["<inb_1>"],
                  "enabled":true,
                  "client_id":"my-integration",
                  "created_at":"<time>",
                  "updated_at":"<time>"}],
              "total":2,
              "page":1,
              "page_size":20}
            """);
        await c.ExpectAsync("GET /api/v0/webhooks?page=2&page_size=1", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[{"webhook_id":"<wh_1>",
                  "url":"http://<receiver>/hook",
                  "event_types":["message.received"],
                  "inbox_ids":["<inb_1>"],
                  "enabled":true,
                  "client_id":"my-integration",
                  "created_at":"<time>",
                  "updated_at":"<time>"}],
              "total":2,
              "page":2,
              "page_size":1}
            """);
        var secondId = (string)second.Json["webhook_id"]!;
        await c.ExpectAsync($"PATCH /api/v0/webhooks/{secondId}", """{"enabled":false}""", """
            200
            Content-Type: application/json; charset=utf-8

            {"webhook_id":"<wh_2>",
              "url":"https://hooks.example/second",
              "event_types":["message.sent",
                "domain.verified"],
              "inbox_ids":[],
              "enabled":false,
              "client_id":null,
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync($"PATCH /api/v0/webhooks/{secondId}", """{"url":"https://hooks.example/moved","event_types":["message.bounced"],"inbox_ids":[]}""", """
            200
            Content-Type: application/json; charset=utf-8

            {"webhook_id":"<wh_2>",
              "url":"https://hooks.example/moved",
              "event_types":["message.bounced"],
              "inbox_ids":[],
              "enabled":false,
              "client_id":null,
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync($"PATCH /api/v0/webhooks/{secondId}", "{}", """
            200
            Content-Type: application/json; charset=utf-8

            {"webhook_id":"<wh_2>",
              "url":"https://hooks.example/moved",
              "event_types":["message.bounced"],
              "inbox_ids":[],
              "enabled":false,
              "client_id":null,
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);

        await c.ExpectAllAsync(
            ("POST /api/v0/webhooks", "{}", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"url: is required"}
                """),
            ("POST /api/v0/webhooks", """{"url":"https://hooks.example/x"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"event_types: is required"}
                """),
            ("POST /api/v0/webhooks", """{"url":"https://hooks.example/x","event_types":[]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"event_types: must name at least one event type"}
                """),
            ("POST /api/v0/webhooks", """{"url":"https://hooks.example/x","event_types":["message.exploded"]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"event_types: 'message.exploded' is not an event type; known types are message.received, message.sent, message.delivered, message.bounced, message.complained, message.rejected, domain.verified, sender_identity.verified, sms.received, sms.sent, sms.delivered, sms.failed, draft.created, draft.approved, draft.rejected, draft.sent, draft.stale, draft.escalated"}
                """),
            ("POST /api/v0/webhooks", """{"url":"ftp://hooks.example/x","event_types":["message.sent"]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"url: must be an absolute http or https URL"}
                """),
            ("POST /api/v0/webhooks", """{"url":"/relative","event_types":["message.sent"]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"url: must be an absolute http or https URL"}
                """),
            ("POST /api/v0/webhooks", """{"url":"https://user:pass@hooks.example/x","event_types":["message.sent"]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"url: must not carry credentials"}
                """),
            ("POST /api/v0/webhooks", """{"url":"https://hooks.example/x","event_types":"message.sent"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"event_types: must be an array"}
                """),
            ("POST /api/v0/webhooks", """{"url":"https://hooks.example/x","event_types":["message.sent"],"inbox_ids":["inb_00000000000000000000000000"]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"inbox_ids: inbox <inb_2> was not found"}
                """),
            ("POST /api/v0/webhooks", """{"url":5,"event_types":["message.sent"]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"url: must be a string"}
                """),
            ($"PATCH /api/v0/webhooks/{secondId}", """{"enabled":"yes"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"enabled: must be true or false"}
                """),
            ($"PATCH /api/v0/webhooks/{secondId}", """{"event_types":[]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"event_types: must name at least one event type"}
                """),
            ("GET /api/v0/webhooks/wh_00000000000000000000000000", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"webhook not found"}
                """),
            ("PATCH /api/v0/webhooks/wh_00000000000000000000000000", """{"enabled":false}""", """
                404
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"NotFoundError",
                  "message":"webhook not found"}
                """),
            ("DELETE /api/v0/webhooks/wh_00000000000000000000000000", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"webhook not found"}
                """),
            ("GET /api/v0/webhooks/wh_00000000000000000000000000/deliveries", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"webhook not found"}
                """),
            ($"GET /api/v0/webhooks/{othersHook}", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"webhook not found"}
                """),
            ($"PATCH /api/v0/webhooks/{othersHook}", """{"enabled":false}""", """
                404
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"NotFoundError",
                  "message":"webhook not found"}
                """),
            ($"DELETE /api/v0/webhooks/{othersHook}", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"webhook not found"}
                """),
            ($"GET /api/v0/webhooks/{othersHook}/deliveries", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"webhook not found"}
                """),
            ("GET /api/v0/webhooks?page_size=abc", null, """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"page_size: must be a whole number"}
                """));

        // One message for the watched inbox makes one delivery, answered 200 by the receiver.
        Assert.Equal(200, (await api.PostAsync($"/api/v0/inboxes/{sender}/messages/send",
            new { to = "watched-w@mailroom.local", subject = "Ping", text = "Ping." })).Status);
        var posted = Assert.Single(await receiver.WaitForAsync(1));
        var delivery = (string)(await WaitForAsync(api, $"/api/v0/webhooks/{hook}/deliveries",
            body => (string?)body["data"]?[0]?["status"] == "delivered"))["data"]![0]!["delivery_id"]!;
        c.Check("POST " + receiver.Url + " (the webhook's request body)", """
            {"type":"event",
              "event_type":"message.received",
              "event_id":"<evt_1>",
              "created_at":"<time>",
              "inbox_id":"<inb_1>",
              "message":{"inbox_id":"<inb_1>",
                "thread_id":"<thr_1>",
                "message_id":"<msg_1>",
                "direction":"inbound",
                "status":"received",
                "labels":[],
                "timestamp":"<time>",
                "from":"sender-w@mailroom.local",
                "to":["watched-w@mailroom.local"],
                "cc":null,
                "subject":"Ping",
                "preview":"Ping.",
                "size":<bytes>,
                "attachments":[]}}
            """, ContractBody.Layout(c.Mask.Mask(posted.Body)));

        await c.ExpectAsync($"GET /api/v0/webhooks/{hook}/deliveries", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[{"delivery_id":"<whd_1>",
                  "webhook_id":"<wh_1>",
                  "event_id":"<evt_1>",
                  "status":"delivered",
                  "attempts":1,
                  "next_attempt_at":null,
                  "last_status_code":200,
                  "last_error":null,
                  "delivered_at":"<time>",
                  "created_at":"<time>",
                  "attempt_log":null}],
              "total":1,
              "page":1,
              "page_size":20}
            """);
        await c.ExpectAsync($"GET /api/v0/webhooks/{hook}/deliveries/{delivery}", """
            200
            Content-Type: application/json; charset=utf-8

            {"delivery_id":"<whd_1>",
              "webhook_id":"<wh_1>",
              "event_id":"<evt_1>",
              "status":"delivered",
              "attempts":1,
              "next_attempt_at":null,
              "last_status_code":200,
              "last_error":null,
              "delivered_at":"<time>",
              "created_at":"<time>",
              "attempt_log":[{"attempted_at":"<time>",
                  "status_code":200,
                  "latency_ms":<ms>,
                  "error":null}]}
            """);
        // A slow receiver keeps the retried attempt from finishing before the answer is read.
        receiver.Delay = TimeSpan.FromSeconds(5);
        await c.ExpectAsync($"POST /api/v0/webhooks/{hook}/deliveries/{delivery}/retry", """
            202
            Content-Type: application/json; charset=utf-8

            {"delivery_id":"<whd_1>",
              "webhook_id":"<wh_1>",
              "event_id":"<evt_1>",
              "status":"pending",
              "attempts":1,
              "next_attempt_at":"<time>",
              "last_status_code":200,
              "last_error":null,
              "delivered_at":"<time>",
              "created_at":"<time>",
              "attempt_log":null}
            """);
        await c.ExpectAllAsync(
            ($"GET /api/v0/webhooks/{hook}/deliveries/whd_00000000000000000000000000", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"delivery not found"}
                """),
            ($"POST /api/v0/webhooks/{hook}/deliveries/whd_00000000000000000000000000/retry", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"delivery not found"}
                """),
            ($"GET /api/v0/webhooks/{secondId}/deliveries/{delivery}", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"delivery not found"}
                """),
            ($"GET /api/v0/webhooks/{hook}/deliveries?page=0", null, """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"page: must be 1 or greater"}
                """));

        await c.ExpectAsync($"DELETE /api/v0/webhooks/{secondId}", """
            204
            """);
        await c.ExpectAsync($"GET /api/v0/webhooks/{secondId}", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"webhook not found"}
            """);

        c.Verify();
    }

    // ---------------------------------------------------------------- messages

    /// <summary>
    /// Alice sends Bob (Carol on copy) a message with an attachment, through the server's own SMTP delivery, and
    /// waits until Bob has it and Alice's copy is delivered.
    /// </summary>
    private static async Task<Mail> ExchangeAsync(ApiClient api, string suffix)
    {
        var alice = (string)(await api.PostAsync("/api/v0/inboxes", new { username = "alice-" + suffix, display_name = "Alice Agent" })).Body!["inbox_id"]!;
        var bob = (string)(await api.CreateInboxAsync("bob-" + suffix))["inbox_id"]!;
        var carol = (string)(await api.CreateInboxAsync("carol-" + suffix))["inbox_id"]!;
        var (status, sent) = await api.PostAsync($"/api/v0/inboxes/{alice}/messages/send", SendBody(suffix));
        Assert.Equal(200, status);
        var received = await WaitForAsync(api, $"/api/v0/inboxes/{bob}/messages", body => (int)body["total"]! == 1);
        await WaitForStatusAsync(api, alice, (string)sent!["message_id"]!);
        return new Mail(alice, bob, carol, (string)sent["message_id"]!, (string)received["data"]![0]!["message_id"]!,
            (string)received["data"]![0]!["attachments"]![0]!["attachment_id"]!);
    }

    private sealed record Mail(string Alice, string Bob, string Carol, string Sent, string Received, string Attachment);

    private static string SendBody(string suffix) => $$"""
        {"to":"Bob <bob-{{suffix}}@mailroom.local>","cc":["carol-{{suffix}}@mailroom.local"],"subject":"Quarterly plan","text":"Plan attached.","html":"<p>Plan <b>attached</b>.</p>","labels":["outreach"],"headers":{"X-Campaign":"q3"},"attachments":[{"filename":"plan.txt","content_type":"text/plain","content":"aGVsbG8="}]}
        """;

    [Theory, MemberData(nameof(Providers))]
    public async Task Messages(string provider)
    {
        var (server, api, c) = await StartAsync(provider);
        var other = await server.NewOrganizationAsync("Other Org");
        var alice = (string)(await api.PostAsync("/api/v0/inboxes", new { username = "alice-m", display_name = "Alice Agent" })).Body!["inbox_id"]!;
        var bob = (string)(await api.CreateInboxAsync("bob-m"))["inbox_id"]!;
        await api.CreateInboxAsync("carol-m");

        var sent = await c.ExpectAsync($"POST /api/v0/inboxes/{alice}/messages/send", SendBody("m"), """
            200
            Content-Type: application/json; charset=utf-8

            {"message_id":"<msg_1>",
              "thread_id":"<thr_1>"}
            """);
        var sentId = (string)sent.Json["message_id"]!;
        var received = (string)(await WaitForAsync(api, $"/api/v0/inboxes/{bob}/messages", body => (int)body["total"]! == 1))["data"]![0]!["message_id"]!;
        await WaitForStatusAsync(api, alice, sentId);

        await c.ExpectAsync($"GET /api/v0/inboxes/{alice}/messages", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[{"inbox_id":"<inb_1>",
                  "thread_id":"<thr_1>",
                  "message_id":"<msg_1>",
                  "direction":"outbound",
                  "status":"delivered",
                  "labels":["outreach"],
                  "timestamp":"<time>",
                  "from":"Alice Agent <alice-m@mailroom.local>",
                  "to":["bob-m@mailroom.local"],
                  "cc":["carol-m@mailroom.local"],
                  "subject":"Quarterly plan",
                  "preview":"Plan attached.",
                  "size":<bytes>,
                  "attachments":[{"attachment_id":"<att_1>",
                      "filename":"plan.txt",
                      "size":5,
                      "content_type":"text/plain",
                      "content_disposition":"attachment",
                      "content_id":null}]}],
              "total":1,
              "page":1,
              "page_size":20}
            """);
        await c.ExpectAsync($"GET /api/v0/inboxes/{alice}/messages/{sentId}", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_1>",
              "thread_id":"<thr_1>",
              "message_id":"<msg_1>",
              "direction":"outbound",
              "status":"delivered",
              "labels":["outreach"],
              "timestamp":"<time>",
              "from":"Alice Agent <alice-m@mailroom.local>",
              "reply_to":null,
              "to":["bob-m@mailroom.local"],
              "cc":["carol-m@mailroom.local"],
              "bcc":null,
              "subject":"Quarterly plan",
              "preview":"Plan attached.",
              "text":"Plan attached.",
              "html":"<p>Plan <b>attached</b>.</p>",
              "in_reply_to":null,
              "references":null,
              "headers":{"DKIM-Signature":"v=1; a=rsa-sha256; c=relaxed/relaxed; d=mailroom.local;\ts=mailroom; t=<unix>; h=From:Subject:Date:To:Cc:Message-ID:\tMIME-Version:Content-Type; bh=<body hash>; b=<signature>",
                "Date":"<date>",
                "From":"Alice Agent <alice-m@mailroom.local>",
                "To":"Bob <bob-m@mailroom.local>",
                "Cc":"carol-m@mailroom.local",
                "Subject":"Quarterly plan",
                "Message-ID":"<<mid_1>@mailroom.local>",
                "X-Campaign":"q3",
                "MIME-Version":"1.0",
                "Content-Type":"multipart/mixed; boundary=\"=_<boundary>\""},
              "size":<bytes>,
              "attachments":[{"attachment_id":"<att_1>",
                  "filename":"plan.txt",
                  "size":5,
                  "content_type":"text/plain",
                  "content_disposition":"attachment",
                  "content_id":null}],
              "authentication":null,
              "spam":null,
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync($"GET /api/v0/inboxes/{bob}/messages", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[{"inbox_id":"<inb_2>",
                  "thread_id":"<thr_2>",
                  "message_id":"<msg_2>",
                  "direction":"inbound",
                  "status":"received",
                  "labels":[],
                  "timestamp":"<time>",
                  "from":"Alice Agent <alice-m@mailroom.local>",
                  "to":["bob-m@mailroom.local"],
                  "cc":["carol-m@mailroom.local"],
                  "subject":"Quarterly plan",
                  "preview":"Plan attached.",
                  "size":<bytes>,
                  "attachments":[{"attachment_id":"<att_2>",
                      "filename":"plan.txt",
                      "size":5,
                      "content_type":"text/plain",
                      "content_disposition":"attachment",
                      "content_id":null}]}],
              "total":1,
              "page":1,
              "page_size":20}
            """);
        await c.ExpectAsync($"GET /api/v0/inboxes/{bob}/messages?page=2&page_size=1", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[],
              "total":1,
              "page":2,
              "page_size":1}
            """);
        await c.ExpectAsync($"GET /api/v0/inboxes/{bob}/messages/{received}", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_2>",
              "thread_id":"<thr_2>",
              "message_id":"<msg_2>",
              "direction":"inbound",
              "status":"received",
              "labels":[],
              "timestamp":"<time>",
              "from":"Alice Agent <alice-m@mailroom.local>",
              "reply_to":null,
              "to":["bob-m@mailroom.local"],
              "cc":["carol-m@mailroom.local"],
              "bcc":null,
              "subject":"Quarterly plan",
              "preview":"Plan attached.",
              "text":"Plan attached.",
              "html":"<p>Plan <b>attached</b>.</p>",
              "in_reply_to":null,
              "references":null,
              "headers":{"DKIM-Signature":"v=1; a=rsa-sha256; c=relaxed/relaxed; d=mailroom.local;\ts=mailroom; t=<unix>; h=From:Subject:Date:To:Cc:Message-ID:\tMIME-Version:Content-Type; bh=<body hash>; b=<signature>",
                "Date":"<date>",
                "From":"Alice Agent <alice-m@mailroom.local>",
                "To":"Bob <bob-m@mailroom.local>",
                "Cc":"carol-m@mailroom.local",
                "Subject":"Quarterly plan",
                "Message-ID":"<<mid_1>@mailroom.local>",
                "X-Campaign":"q3",
                "MIME-Version":"1.0",
                "Content-Type":"multipart/mixed; boundary=\"=_<boundary>\""},
              "size":<bytes>,
              "attachments":[{"attachment_id":"<att_2>",
                  "filename":"plan.txt",
                  "size":5,
                  "content_type":"text/plain",
                  "content_disposition":"attachment",
                  "content_id":null}],
              "authentication":{"spf":"none",
                "dkim":"none",
                "dmarc":"none",
                "results":"mx.mailroom.local; none (local delivery)"},
              "spam":{"verdict":"skipped",
                "score":null,
                "threshold":null},
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync($"PATCH /api/v0/inboxes/{bob}/messages/{received}", """{"labels":["important","follow-up","important"]}""", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_2>",
              "thread_id":"<thr_2>",
              "message_id":"<msg_2>",
              "direction":"inbound",
              "status":"received",
              "labels":["important",
                "follow-up"],
              "timestamp":"<time>",
              "from":"Alice Agent <alice-m@mailroom.local>",
              "reply_to":null,
              "to":["bob-m@mailroom.local"],
              "cc":["carol-m@mailroom.local"],
              "bcc":null,
              "subject":"Quarterly plan",
              "preview":"Plan attached.",
              "text":"Plan attached.",
              "html":"<p>Plan <b>attached</b>.</p>",
              "in_reply_to":null,
              "references":null,
              "headers":{"DKIM-Signature":"v=1; a=rsa-sha256; c=relaxed/relaxed; d=mailroom.local;\ts=mailroom; t=<unix>; h=From:Subject:Date:To:Cc:Message-ID:\tMIME-Version:Content-Type; bh=<body hash>; b=<signature>",
                "Date":"<date>",
                "From":"Alice Agent <alice-m@mailroom.local>",
                "To":"Bob <bob-m@mailroom.local>",
                "Cc":"carol-m@mailroom.local",
                "Subject":"Quarterly plan",
                "Message-ID":"<<mid_1>@mailroom.local>",
                "X-Campaign":"q3",
                "MIME-Version":"1.0",
                "Content-Type":"multipart/mixed; boundary=\"=_<boundary>\""},
              "size":<bytes>,
              "attachments":[{"attachment_id":"<att_2>",
                  "filename":"plan.txt",
                  "size":5,
                  "content_type":"text/plain",
                  "content_disposition":"attachment",
                  "content_id":null}],
              "authentication":{"spf":"none",
                "dkim":"none",
                "dmarc":"none",
                "results":"mx.mailroom.local; none (local delivery)"},
              "spam":{"verdict":"skipped",
                "score":null,
                "threshold":null},
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync($"PATCH /api/v0/inboxes/{bob}/messages/{received}", """{"labels":[]}""", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_2>",
              "thread_id":"<thr_2>",
              "message_id":"<msg_2>",
              "direction":"inbound",
              "status":"received",
              "labels":[],
              "timestamp":"<time>",
              "from":"Alice Agent <alice-m@mailroom.local>",
              "reply_to":null,
              "to":["bob-m@mailroom.local"],
              "cc":["carol-m@mailroom.local"],
              "bcc":null,
              "subject":"Quarterly plan",
              "preview":"Plan attached.",
              "text":"Plan attached.",
              "html":"<p>Plan <b>attached</b>.</p>",
              "in_reply_to":null,
              "references":null,
              "headers":{"DKIM-Signature":"v=1; a=rsa-sha256; c=relaxed/relaxed; d=mailroom.local;\ts=mailroom; t=<unix>; h=From:Subject:Date:To:Cc:Message-ID:\tMIME-Version:Content-Type; bh=<body hash>; b=<signature>",
                "Date":"<date>",
                "From":"Alice Agent <alice-m@mailroom.local>",
                "To":"Bob <bob-m@mailroom.local>",
                "Cc":"carol-m@mailroom.local",
                "Subject":"Quarterly plan",
                "Message-ID":"<<mid_1>@mailroom.local>",
                "X-Campaign":"q3",
                "MIME-Version":"1.0",
                "Content-Type":"multipart/mixed; boundary=\"=_<boundary>\""},
              "size":<bytes>,
              "attachments":[{"attachment_id":"<att_2>",
                  "filename":"plan.txt",
                  "size":5,
                  "content_type":"text/plain",
                  "content_disposition":"attachment",
                  "content_id":null}],
              "authentication":{"spf":"none",
                "dkim":"none",
                "dmarc":"none",
                "results":"mx.mailroom.local; none (local delivery)"},
              "spam":{"verdict":"skipped",
                "score":null,
                "threshold":null},
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        // A minimal send: no subject, no body.
        await c.ExpectAsync($"POST /api/v0/inboxes/{bob}/messages/send", """{"to":["alice-m@mailroom.local"]}""", """
            200
            Content-Type: application/json; charset=utf-8

            {"message_id":"<msg_3>",
              "thread_id":"<thr_3>"}
            """);
        // A retried send with the same Idempotency-Key answers the first result.
        var once = """{"to":"alice-m@mailroom.local","text":"once"}""";
        await c.ExpectAsync($"POST /api/v0/inboxes/{bob}/messages/send", once, """
            200
            Content-Type: application/json; charset=utf-8

            {"message_id":"<msg_4>",
              "thread_id":"<thr_4>"}
            """, headers: [("Idempotency-Key", "order-42")]);
        await c.ExpectAsync($"POST /api/v0/inboxes/{bob}/messages/send", once, """
            200
            Content-Type: application/json; charset=utf-8

            {"message_id":"<msg_4>",
              "thread_id":"<thr_4>"}
            """, headers: [("Idempotency-Key", "order-42")]);
        await c.ExpectAsync($"POST /api/v0/inboxes/{bob}/messages/send", once, """
            400
            Cache-Control: no-cache,no-store
            Content-Type: application/json; charset=utf-8
            Expires: -1
            Pragma: no-cache

            {"name":"ValidationError",
              "message":"Idempotency-Key: must be at most 255 characters"}
            """, headers: [("Idempotency-Key", new string('k', 256))]);

        var send = $"POST /api/v0/inboxes/{alice}/messages/send";
        await c.ExpectAllAsync(
            (send, """{"text":"x"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"to: is required"}
                """),
            (send, """{"to":[]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"to: must name at least one address"}
                """),
            (send, """{"to":5}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"to: must be a string or an array of strings"}
                """),
            (send, """{"to":"not-an-address"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"to: 'not-an-address' is not an email address"}
                """),
            (send, """{"to":["ok@b.example","nope"]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"to: 'nope' is not an email address"}
                """),
            (send, """{"to":"a@b.example\r\nBcc: victim@c.example"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"to: must not contain line breaks"}
                """),
            (send, """{"to":"a@b.example","subject":"hi\r\nBcc: victim@c.example"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"subject: must not contain line breaks"}
                """),
            (send, """{"to":"a@b.example","cc":"bad"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"cc: 'bad' is not an email address"}
                """),
            (send, """{"to":"a@b.example","headers":{"X-Ok":"a\nb"}}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"headers.X-Ok: must not contain line breaks"}
                """),
            (send, """{"to":"a@b.example","headers":{"From":"ceo@bank.example"}}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"headers: From is set by Mailroom and cannot be given"}
                """),
            (send, """{"to":"a@b.example","headers":{"Bad Name":"v"}}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"headers: 'Bad Name' is not a valid header name"}
                """),
            (send, """{"to":"a@b.example","headers":"X-A: b"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"headers: must be an object of names to values"}
                """),
            (send, """{"to":"a@b.example","attachments":[{"filename":"a"}]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"attachments[0]: needs content (base64) or url"}
                """),
            (send, """{"to":"a@b.example","attachments":[{"content":"***"}]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"attachments[0].content: is not valid base64"}
                """),
            (send, """{"to":"a@b.example","attachments":[{"url":"file:///etc/passwd"}]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"attachments[0].url: must be an absolute http or https URL"}
                """),
            (send, """{"to":"a@b.example","labels":"x"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"labels: must be an array of strings"}
                """),
            (send, """{"to":"a@b.example","text":5}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"text: must be a string"}
                """),
            (send, "not json", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"body: is not a valid JSON object"}
                """),
            (send, "", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"body: a JSON object is required"}
                """),
            ($"PATCH /api/v0/inboxes/{bob}/messages/{received}", "{}", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"labels: is required"}
                """),
            ($"PATCH /api/v0/inboxes/{bob}/messages/{received}", """{"labels":"x"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"labels: must be an array"}
                """),
            ($"PATCH /api/v0/inboxes/{bob}/messages/{received}", """{"labels":[""]}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"labels: is required"}
                """),
            ($"GET /api/v0/inboxes/{bob}/messages?page_size=0", null, """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"page_size: must be between 1 and 100"}
                """),
            ("GET /api/v0/inboxes/inb_00000000000000000000000000/messages", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"inbox not found"}
                """),
            ("POST /api/v0/inboxes/inb_00000000000000000000000000/messages/send", """{"to":"a@b.example"}""", """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"inbox not found"}
                """),
            ($"GET /api/v0/inboxes/{bob}/messages/msg_00000000000000000000000000", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"message not found"}
                """),
            ($"PATCH /api/v0/inboxes/{bob}/messages/msg_00000000000000000000000000", """{"labels":["x"]}""", """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"message not found"}
                """),
            ($"GET /api/v0/inboxes/{alice}/messages/{received}", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"message not found"}
                """));
        await c.ExpectAsync(send, """{"to":"a@b.example"}""", """
            415
            Content-Type: application/json; charset=utf-8

            {"name":"ValidationError",
              "message":"Content-Type: must be application/json"}
            """, contentType: "text/plain");

        // Another organization sees none of it.
        var o = new ContractClient(other.Http, c.Mask);
        await o.ExpectAsync($"GET /api/v0/inboxes/{bob}/messages", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"inbox not found"}
            """);
        await o.ExpectAsync($"GET /api/v0/inboxes/{bob}/messages/{received}", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"message not found"}
            """);
        await o.ExpectAsync($"PATCH /api/v0/inboxes/{bob}/messages/{received}", """{"labels":["x"]}""", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"message not found"}
            """);
        await o.ExpectAsync($"POST /api/v0/inboxes/{bob}/messages/send", """{"to":"a@b.example"}""", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"inbox not found"}
            """);

        c.Verify();
        o.Verify();
    }

    // ---------------------------------------------------------------- attachments

    [Theory, MemberData(nameof(Providers))]
    public async Task Attachments(string provider)
    {
        var (server, api, c) = await StartAsync(provider);
        var other = await server.NewOrganizationAsync("Other Org");
        var mail = await ExchangeAsync(api, "a");

        var meta = await c.ExpectAsync($"GET /api/v0/inboxes/{mail.Bob}/messages/{mail.Received}/attachments/{mail.Attachment}", """
            200
            Content-Type: application/json; charset=utf-8

            {"attachment_id":"<att_1>",
              "filename":"plan.txt",
              "size":5,
              "content_type":"text/plain",
              "content_disposition":"attachment",
              "content_id":null,
              "download_url":"http://<server>/files/attachments/<att_1>?expires=<unix>&signature=<hmac>",
              "expires_at":"<time>"}
            """);
        var url = (string)meta.Json["download_url"]!;
        using var anonymous = new HttpClient();
        await c.ExpectAsync("GET " + url, null, """
            200
            Accept-Ranges: bytes
            Content-Disposition: attachment; filename=plan.txt; filename*=UTF-8''plan.txt
            Content-Security-Policy: default-src 'none'; sandbox
            Content-Type: text/plain
            X-Content-Type-Options: nosniff

            hello
            """, client: anonymous);
        var signature = url[(url.IndexOf("signature=", StringComparison.Ordinal) + 10)..];
        var altered = url.Replace(signature, (signature[0] == 'A' ? "B" : "A") + signature[1..], StringComparison.Ordinal);
        await c.ExpectAsync("GET " + altered, null, """
            403
            Content-Type: application/json; charset=utf-8

            {"name":"ForbiddenError",
              "message":"signature: the link is invalid or has expired"}
            """, client: anonymous);
        await c.ExpectAsync("GET " + url[..url.IndexOf('&', StringComparison.Ordinal)], null, """
            403
            Content-Type: application/json; charset=utf-8

            {"name":"ForbiddenError",
              "message":"signature: the link is invalid or has expired"}
            """, client: anonymous);
        await c.ExpectAsync("GET " + url[..url.IndexOf('?', StringComparison.Ordinal)], null, """
            403
            Content-Type: application/json; charset=utf-8

            {"name":"ForbiddenError",
              "message":"signature: the link is invalid or has expired"}
            """, client: anonymous);

        await c.ExpectAllAsync(
            ($"GET /api/v0/inboxes/{mail.Bob}/messages/{mail.Received}/attachments/att_00000000000000000000000000", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"attachment not found"}
                """),
            ($"GET /api/v0/inboxes/{mail.Bob}/messages/msg_00000000000000000000000000/attachments/{mail.Attachment}", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"message not found"}
                """),
            ($"GET /api/v0/inboxes/{mail.Alice}/messages/{mail.Received}/attachments/{mail.Attachment}", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"message not found"}
                """));
        var o = new ContractClient(other.Http, c.Mask);
        await o.ExpectAsync($"GET /api/v0/inboxes/{mail.Bob}/messages/{mail.Received}/attachments/{mail.Attachment}", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"message not found"}
            """);

        c.Verify();
        o.Verify();
    }

    // ---------------------------------------------------------------- reply, reply-all, forward

    [Theory, MemberData(nameof(Providers))]
    public async Task Reply_reply_all_and_forward(string provider)
    {
        var (_, api, c) = await StartAsync(provider);
        var mail = await ExchangeAsync(api, "r");
        var dave = (string)(await api.CreateInboxAsync("dave-r"))["inbox_id"]!;
        var received = $"/api/v0/inboxes/{mail.Bob}/messages/{mail.Received}";

        var reply = await c.ExpectAsync($"POST {received}/reply", """{"text":"Thanks!","html":"<p>Thanks!</p>","labels":["replied"]}""", """
            200
            Content-Type: application/json; charset=utf-8

            {"message_id":"<msg_1>",
              "thread_id":"<thr_1>"}
            """);
        var replyAll = await c.ExpectAsync($"POST {received}/reply-all", """{"text":"Thanks, everyone!","cc":"dave-r@mailroom.local"}""", """
            200
            Content-Type: application/json; charset=utf-8

            {"message_id":"<msg_2>",
              "thread_id":"<thr_1>"}
            """);
        var forward = await c.ExpectAsync($"POST {received}/forward", """{"to":"Dave <dave-r@mailroom.local>"}""", """
            200
            Content-Type: application/json; charset=utf-8

            {"message_id":"<msg_3>",
              "thread_id":"<thr_2>"}
            """);
        foreach (var answer in new[] { reply, replyAll, forward }) await WaitForStatusAsync(api, mail.Bob, (string)answer.Json["message_id"]!);
        // Dave is on copy of the reply-all and receives the forward.
        var forwarded = (string)(await WaitForAsync(api, $"/api/v0/inboxes/{dave}/messages", body => (int)body["total"]! == 2))["data"]!.AsArray()
            .Single(m => (string?)m!["subject"] == "Fwd: Quarterly plan")!["message_id"]!;

        await c.ExpectAsync($"GET /api/v0/inboxes/{mail.Bob}/messages/{(string)reply.Json["message_id"]!}", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_1>",
              "thread_id":"<thr_1>",
              "message_id":"<msg_1>",
              "direction":"outbound",
              "status":"delivered",
              "labels":["replied"],
              "timestamp":"<time>",
              "from":"bob-r@mailroom.local",
              "reply_to":null,
              "to":["alice-r@mailroom.local"],
              "cc":null,
              "bcc":null,
              "subject":"Re: Quarterly plan",
              "preview":"Thanks!",
              "text":"Thanks!",
              "html":"<p>Thanks!</p>",
              "in_reply_to":"<mid_1>@mailroom.local",
              "references":["<mid_1>@mailroom.local"],
              "headers":{"DKIM-Signature":"v=1; a=rsa-sha256; c=relaxed/relaxed; d=mailroom.local;\ts=mailroom; t=<unix>; h=From:Subject:Date:To:Message-ID:In-Reply-To:\tReferences:MIME-Version:Content-Type; bh=<body hash>; b=<signature>",
                "Date":"<date>",
                "From":"bob-r@mailroom.local",
                "To":"Alice Agent <alice-r@mailroom.local>",
                "Subject":"Re: Quarterly plan",
                "Message-ID":"<<mid_2>@mailroom.local>",
                "In-Reply-To":"<<mid_1>@mailroom.local>",
                "References":"<<mid_1>@mailroom.local>",
                "MIME-Version":"1.0",
                "Content-Type":"multipart/alternative; boundary=\"=_<boundary>\""},
              "size":<bytes>,
              "attachments":[],
              "authentication":null,
              "spam":null,
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync($"GET /api/v0/inboxes/{mail.Bob}/messages/{(string)replyAll.Json["message_id"]!}", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_1>",
              "thread_id":"<thr_1>",
              "message_id":"<msg_2>",
              "direction":"outbound",
              "status":"delivered",
              "labels":[],
              "timestamp":"<time>",
              "from":"bob-r@mailroom.local",
              "reply_to":null,
              "to":["alice-r@mailroom.local"],
              "cc":["carol-r@mailroom.local",
                "dave-r@mailroom.local"],
              "bcc":null,
              "subject":"Re: Quarterly plan",
              "preview":"Thanks, everyone!",
              "text":"Thanks, everyone!\r\n",
              "html":null,
              "in_reply_to":"<mid_1>@mailroom.local",
              "references":["<mid_1>@mailroom.local"],
              "headers":{"DKIM-Signature":"v=1; a=rsa-sha256; c=relaxed/relaxed; d=mailroom.local;\ts=mailroom; t=<unix>; h=From:Subject:Date:To:Cc:Message-ID:In-Reply-To:\tReferences:MIME-Version:Content-Type:Content-Transfer-Encoding; bh=<body hash>; b=<signature>",
                "Date":"<date>",
                "From":"bob-r@mailroom.local",
                "To":"Alice Agent <alice-r@mailroom.local>",
                "Cc":"carol-r@mailroom.local, dave-r@mailroom.local",
                "Subject":"Re: Quarterly plan",
                "Message-ID":"<<mid_3>@mailroom.local>",
                "In-Reply-To":"<<mid_1>@mailroom.local>",
                "References":"<<mid_1>@mailroom.local>",
                "MIME-Version":"1.0",
                "Content-Type":"text/plain; charset=us-ascii",
                "Content-Transfer-Encoding":"7bit"},
              "size":<bytes>,
              "attachments":[],
              "authentication":null,
              "spam":null,
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync($"GET /api/v0/inboxes/{mail.Bob}/messages/{(string)forward.Json["message_id"]!}", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_1>",
              "thread_id":"<thr_2>",
              "message_id":"<msg_3>",
              "direction":"outbound",
              "status":"delivered",
              "labels":[],
              "timestamp":"<time>",
              "from":"bob-r@mailroom.local",
              "reply_to":null,
              "to":["dave-r@mailroom.local"],
              "cc":null,
              "bcc":null,
              "subject":"Fwd: Quarterly plan",
              "preview":"---------- Forwarded message --------- From: Alice Agent <alice-r@mailroom.local> Date: <date> Subject: Quarterly plan To: bob-r@mailroom.local Plan attached.",
              "text":"---------- Forwarded message ---------\r\nFrom: Alice Agent <alice-r@mailroom.local>\r\nDate: <date>\r\nSubject: Quarterly plan\r\nTo: bob-r@mailroom.local\r\n\r\nPlan attached.",
              "html":"<p>---------- Forwarded message ---------<br>From: Alice Agent &lt;alice-r@mailroom.local&gt;<br>Date: <date><br>Subject: Quarterly plan<br>To: bob-r@mailroom.local</p><p>Plan <b>attached</b>.</p>",
              "in_reply_to":null,
              "references":null,
              "headers":{"DKIM-Signature":"v=1; a=rsa-sha256; c=relaxed/relaxed; d=mailroom.local;\ts=mailroom; t=<unix>; h=From:Subject:Date:To:Message-ID:MIME-Version:\tContent-Type; bh=<body hash>; b=<signature>",
                "Date":"<date>",
                "From":"bob-r@mailroom.local",
                "To":"Dave <dave-r@mailroom.local>",
                "Subject":"Fwd: Quarterly plan",
                "Message-ID":"<<mid_4>@mailroom.local>",
                "MIME-Version":"1.0",
                "Content-Type":"multipart/mixed; boundary=\"=_<boundary>\""},
              "size":<bytes>,
              "attachments":[{"attachment_id":"<att_1>",
                  "filename":"plan.txt",
                  "size":5,
                  "content_type":"text/plain",
                  "content_disposition":"attachment",
                  "content_id":null}],
              "authentication":null,
              "spam":null,
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);
        await c.ExpectAsync($"GET /api/v0/inboxes/{dave}/messages/{forwarded}", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_2>",
              "thread_id":"<thr_3>",
              "message_id":"<msg_4>",
              "direction":"inbound",
              "status":"received",
              "labels":[],
              "timestamp":"<time>",
              "from":"bob-r@mailroom.local",
              "reply_to":null,
              "to":["dave-r@mailroom.local"],
              "cc":null,
              "bcc":null,
              "subject":"Fwd: Quarterly plan",
              "preview":"---------- Forwarded message --------- From: Alice Agent <alice-r@mailroom.local> Date: <date> Subject: Quarterly plan To: bob-r@mailroom.local Plan attached.",
              "text":"---------- Forwarded message ---------\r\nFrom: Alice Agent <alice-r@mailroom.local>\r\nDate: <date>\r\nSubject: Quarterly plan\r\nTo: bob-r@mailroom.local\r\n\r\nPlan attached.",
              "html":"<p>---------- Forwarded message ---------<br>From: Alice Agent &lt;alice-r@mailroom.local&gt;<br>Date: <date><br>Subject: Quarterly plan<br>To: bob-r@mailroom.local</p><p>Plan <b>attached</b>.</p>",
              "in_reply_to":null,
              "references":null,
              "headers":{"DKIM-Signature":"v=1; a=rsa-sha256; c=relaxed/relaxed; d=mailroom.local;\ts=mailroom; t=<unix>; h=From:Subject:Date:To:Message-ID:MIME-Version:\tContent-Type; bh=<body hash>; b=<signature>",
                "Date":"<date>",
                "From":"bob-r@mailroom.local",
                "To":"Dave <dave-r@mailroom.local>",
                "Subject":"Fwd: Quarterly plan",
                "Message-ID":"<<mid_4>@mailroom.local>",
                "MIME-Version":"1.0",
                "Content-Type":"multipart/mixed; boundary=\"=_<boundary>\""},
              "size":<bytes>,
              "attachments":[{"attachment_id":"<att_2>",
                  "filename":"plan.txt",
                  "size":5,
                  "content_type":"text/plain",
                  "content_disposition":"attachment",
                  "content_id":null}],
              "authentication":{"spf":"none",
                "dkim":"none",
                "dmarc":"none",
                "results":"mx.mailroom.local; none (local delivery)"},
              "spam":{"verdict":"skipped",
                "score":null,
                "threshold":null},
              "created_at":"<time>",
              "updated_at":"<time>"}
            """);

        await c.ExpectAllAsync(
            ($"POST /api/v0/inboxes/{mail.Bob}/messages/msg_00000000000000000000000000/reply", """{"text":"x"}""", """
                404
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"NotFoundError",
                  "message":"message not found"}
                """),
            ($"POST /api/v0/inboxes/{mail.Bob}/messages/msg_00000000000000000000000000/reply-all", """{"text":"x"}""", """
                404
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"NotFoundError",
                  "message":"message not found"}
                """),
            ($"POST /api/v0/inboxes/{mail.Bob}/messages/msg_00000000000000000000000000/forward", """{"to":"a@b.example"}""", """
                404
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"NotFoundError",
                  "message":"message not found"}
                """),
            ($"POST /api/v0/inboxes/inb_00000000000000000000000000/messages/{mail.Received}/reply", """{"text":"x"}""", """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"inbox not found"}
                """),
            ($"POST {received}/reply", """{"text":5}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"text: must be a string"}
                """),
            ($"POST {received}/reply", """{"cc":"bad"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"cc: 'bad' is not an email address"}
                """),
            ($"POST {received}/reply", "", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"body: a JSON object is required"}
                """),
            ($"POST {received}/forward", "{}", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"to: is required"}
                """),
            ($"POST {received}/forward", """{"to":"bad"}""", """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"to: 'bad' is not an email address"}
                """));

        c.Verify();
    }

    // ---------------------------------------------------------------- threads

    [Theory, MemberData(nameof(Providers))]
    public async Task Threads(string provider)
    {
        var (server, api, c) = await StartAsync(provider);
        var other = await server.NewOrganizationAsync("Other Org");
        var mail = await ExchangeAsync(api, "t");
        var (_, reply) = await api.PostAsync($"/api/v0/inboxes/{mail.Bob}/messages/{mail.Received}/reply", new { text = "Thanks!" });
        await WaitForStatusAsync(api, mail.Bob, (string)reply!["message_id"]!);
        var thread = (string)reply["thread_id"]!;
        var link = (string)(await api.GetAsync($"/api/v0/inboxes/{mail.Bob}/messages/{mail.Received}/attachments/{mail.Attachment}")).Body!["download_url"]!;

        await c.ExpectAsync($"GET /api/v0/inboxes/{mail.Bob}/threads", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[{"inbox_id":"<inb_1>",
                  "thread_id":"<thr_1>",
                  "labels":[],
                  "timestamp":"<time>",
                  "received_timestamp":"<time>",
                  "sent_timestamp":"<time>",
                  "senders":["Alice Agent <alice-t@mailroom.local>",
                    "bob-t@mailroom.local"],
                  "recipients":["bob-t@mailroom.local",
                    "carol-t@mailroom.local",
                    "alice-t@mailroom.local"],
                  "subject":"Quarterly plan",
                  "preview":"Thanks!",
                  "last_message_id":"<msg_1>",
                  "message_count":2,
                  "size":<bytes>}],
              "total":1,
              "page":1,
              "page_size":20}
            """);
        await c.ExpectAsync($"GET /api/v0/inboxes/{mail.Bob}/threads?page=2&page_size=1", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[],
              "total":1,
              "page":2,
              "page_size":1}
            """);
        await c.ExpectAsync($"GET /api/v0/inboxes/{mail.Bob}/threads/{thread}", """
            200
            Content-Type: application/json; charset=utf-8

            {"inbox_id":"<inb_1>",
              "thread_id":"<thr_1>",
              "subject":"Quarterly plan",
              "message_count":2,
              "preview":"Thanks!",
              "labels":[],
              "senders":["Alice Agent <alice-t@mailroom.local>",
                "bob-t@mailroom.local"],
              "recipients":["bob-t@mailroom.local",
                "carol-t@mailroom.local",
                "alice-t@mailroom.local"],
              "timestamp":"<time>",
              "messages":[{"inbox_id":"<inb_1>",
                  "thread_id":"<thr_1>",
                  "message_id":"<msg_2>",
                  "direction":"inbound",
                  "status":"received",
                  "labels":[],
                  "timestamp":"<time>",
                  "from":"Alice Agent <alice-t@mailroom.local>",
                  "reply_to":null,
                  "to":["bob-t@mailroom.local"],
                  "cc":["carol-t@mailroom.local"],
                  "bcc":null,
                  "subject":"Quarterly plan",
                  "preview":"Plan attached.",
                  "text":"Plan attached.",
                  "html":"<p>Plan <b>attached</b>.</p>",
                  "in_reply_to":null,
                  "references":null,
                  "headers":{"DKIM-Signature":"v=1; a=rsa-sha256; c=relaxed/relaxed; d=mailroom.local;\ts=mailroom; t=<unix>; h=From:Subject:Date:To:Cc:Message-ID:\tMIME-Version:Content-Type; bh=<body hash>; b=<signature>",
                    "Date":"<date>",
                    "From":"Alice Agent <alice-t@mailroom.local>",
                    "To":"Bob <bob-t@mailroom.local>",
                    "Cc":"carol-t@mailroom.local",
                    "Subject":"Quarterly plan",
                    "Message-ID":"<<mid_1>@mailroom.local>",
                    "X-Campaign":"q3",
                    "MIME-Version":"1.0",
                    "Content-Type":"multipart/mixed; boundary=\"=_<boundary>\""},
                  "size":<bytes>,
                  "attachments":[{"attachment_id":"<att_1>",
                      "filename":"plan.txt",
                      "size":5,
                      "content_type":"text/plain",
                      "content_disposition":"attachment",
                      "content_id":null}],
                  "authentication":{"spf":"none",
                    "dkim":"none",
                    "dmarc":"none",
                    "results":"mx.mailroom.local; none (local delivery)"},
                  "spam":{"verdict":"skipped",
                    "score":null,
                    "threshold":null},
                  "created_at":"<time>",
                  "updated_at":"<time>"},
                {"inbox_id":"<inb_1>",
                  "thread_id":"<thr_1>",
                  "message_id":"<msg_1>",
                  "direction":"outbound",
                  "status":"delivered",
                  "labels":[],
                  "timestamp":"<time>",
                  "from":"bob-t@mailroom.local",
                  "reply_to":null,
                  "to":["alice-t@mailroom.local"],
                  "cc":null,
                  "bcc":null,
                  "subject":"Re: Quarterly plan",
                  "preview":"Thanks!",
                  "text":"Thanks!\r\n",
                  "html":null,
                  "in_reply_to":"<mid_1>@mailroom.local",
                  "references":["<mid_1>@mailroom.local"],
                  "headers":{"DKIM-Signature":"v=1; a=rsa-sha256; c=relaxed/relaxed; d=mailroom.local;\ts=mailroom; t=<unix>; h=From:Subject:Date:To:Message-ID:In-Reply-To:\tReferences:MIME-Version:Content-Type:Content-Transfer-Encoding; bh=<body hash>; b=<signature>",
                    "Date":"<date>",
                    "From":"bob-t@mailroom.local",
                    "To":"Alice Agent <alice-t@mailroom.local>",
                    "Subject":"Re: Quarterly plan",
                    "Message-ID":"<<mid_2>@mailroom.local>",
                    "In-Reply-To":"<<mid_1>@mailroom.local>",
                    "References":"<<mid_1>@mailroom.local>",
                    "MIME-Version":"1.0",
                    "Content-Type":"text/plain; charset=us-ascii",
                    "Content-Transfer-Encoding":"7bit"},
                  "size":<bytes>,
                  "attachments":[],
                  "authentication":null,
                  "spam":null,
                  "created_at":"<time>",
                  "updated_at":"<time>"}]}
            """);
        await c.ExpectAllAsync(
            ($"GET /api/v0/inboxes/{mail.Bob}/threads?page_size=500", null, """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"page_size: must be between 1 and 100"}
                """),
            ("GET /api/v0/inboxes/inb_00000000000000000000000000/threads", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"inbox not found"}
                """),
            ($"GET /api/v0/inboxes/{mail.Bob}/threads/thr_00000000000000000000000000", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"thread not found"}
                """),
            ($"GET /api/v0/inboxes/{mail.Alice}/threads/{thread}", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"thread not found"}
                """),
            ($"DELETE /api/v0/inboxes/{mail.Bob}/threads/thr_00000000000000000000000000", null, """
                404
                Content-Type: application/json; charset=utf-8

                {"name":"NotFoundError",
                  "message":"thread not found"}
                """));
        var o = new ContractClient(other.Http, c.Mask);
        await o.ExpectAsync($"GET /api/v0/inboxes/{mail.Bob}/threads", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"inbox not found"}
            """);
        await o.ExpectAsync($"GET /api/v0/inboxes/{mail.Bob}/threads/{thread}", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"thread not found"}
            """);
        await o.ExpectAsync($"DELETE /api/v0/inboxes/{mail.Bob}/threads/{thread}", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"thread not found"}
            """);

        await c.ExpectAsync($"DELETE /api/v0/inboxes/{mail.Bob}/threads/{thread}", """
            204
            """);
        await c.ExpectAsync($"GET /api/v0/inboxes/{mail.Bob}/threads/{thread}", """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"thread not found"}
            """);
        // The download link of a deleted attachment is still signed, but there is nothing left to serve.
        using var anonymous = new HttpClient();
        await c.ExpectAsync("GET " + link, null, """
            404
            Content-Type: application/json; charset=utf-8

            {"name":"NotFoundError",
              "message":"attachment not found"}
            """, client: anonymous);
        await c.ExpectAsync($"GET /api/v0/inboxes/{mail.Bob}/threads", """
            200
            Content-Type: application/json; charset=utf-8

            {"data":[],
              "total":0,
              "page":1,
              "page_size":20}
            """);

        c.Verify();
        o.Verify();
    }

    // ---------------------------------------------------------------- event stream

    [Theory, MemberData(nameof(Providers))]
    public async Task Event_stream(string provider)
    {
        var (server, api, c) = await StartAsync(provider);
        var alice = (string)(await api.PostAsync("/api/v0/inboxes", new { username = "alice-e", display_name = "Alice Agent" })).Body!["inbox_id"]!;
        var bob = (string)(await api.CreateInboxAsync("bob-e"))["inbox_id"]!;

        await c.ExpectAllAsync(
            ("GET /api/v0/events/stream?event_types=message.exploded", null, """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"event_types: 'message.exploded' is not an event type"}
                """),
            ("GET /api/v0/events/stream?last_event_id=evt_00000000000000000000000000", null, """
                400
                Cache-Control: no-cache,no-store
                Content-Type: application/json; charset=utf-8
                Expires: -1
                Pragma: no-cache

                {"name":"ValidationError",
                  "message":"Last-Event-ID: event <evt_1> is not known"}
                """));

        using var client = server.Client(api.Token);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await client.GetAsync($"api/v0/events/stream?inbox_ids={alice},{bob}&event_types=message.sent,message.received,message.delivered",
            HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token), Encoding.UTF8);
        var first = await ReadFrameAsync(reader, cancel.Token);
        c.Check("GET /api/v0/events/stream (head and first frame)", """
            200
            Cache-Control: no-cache
            Content-Type: text/event-stream

            : connected
            """, c.Render(response, first));

        Assert.Equal(200, (await api.PostAsync($"/api/v0/inboxes/{alice}/messages/send",
            new { to = "bob-e@mailroom.local", subject = "Streamed", text = "Hello over SSE." })).Status);
        var frames = new Dictionary<string, string>();
        while (frames.Count < 3)
        {
            var frame = await ReadFrameAsync(reader, cancel.Token);
            // A keep-alive comment has no event line.
            if (frame.Split('\n').SingleOrDefault(l => l.StartsWith("event: ", StringComparison.Ordinal)) is { } type)
                frames.Add(type["event: ".Length..], frame);
        }
        // Rendered in a fixed order: delivery and reception race each other.
        c.Check("GET /api/v0/events/stream (message.sent frame)", """
            id: <evt_2>
            event: message.sent
            data: {"type":"event",
              "event_type":"message.sent",
              "event_id":"<evt_2>",
              "created_at":"<time>",
              "inbox_id":"<inb_1>",
              "message":{"inbox_id":"<inb_1>",
                "thread_id":"<thr_1>",
                "message_id":"<msg_1>",
                "direction":"outbound",
                "status":"queued",
                "labels":[],
                "timestamp":"<time>",
                "from":"Alice Agent <alice-e@mailroom.local>",
                "to":["bob-e@mailroom.local"],
                "cc":null,
                "subject":"Streamed",
                "preview":"Hello over SSE.",
                "size":<bytes>,
                "attachments":[]}}
            """, RenderFrame(c.Mask, frames["message.sent"]));
        c.Check("GET /api/v0/events/stream (message.received frame)", """
            id: <evt_3>
            event: message.received
            data: {"type":"event",
              "event_type":"message.received",
              "event_id":"<evt_3>",
              "created_at":"<time>",
              "inbox_id":"<inb_2>",
              "message":{"inbox_id":"<inb_2>",
                "thread_id":"<thr_2>",
                "message_id":"<msg_2>",
                "direction":"inbound",
                "status":"received",
                "labels":[],
                "timestamp":"<time>",
                "from":"Alice Agent <alice-e@mailroom.local>",
                "to":["bob-e@mailroom.local"],
                "cc":null,
                "subject":"Streamed",
                "preview":"Hello over SSE.",
                "size":<bytes>,
                "attachments":[]}}
            """, RenderFrame(c.Mask, frames["message.received"]));
        c.Check("GET /api/v0/events/stream (message.delivered frame)", """
            id: <evt_4>
            event: message.delivered
            data: {"type":"event",
              "event_type":"message.delivered",
              "event_id":"<evt_4>",
              "created_at":"<time>",
              "inbox_id":"<inb_1>",
              "message":{"inbox_id":"<inb_1>",
                "thread_id":"<thr_1>",
                "message_id":"<msg_1>",
                "direction":"outbound",
                "status":"delivered",
                "labels":[],
                "timestamp":"<time>",
                "from":"Alice Agent <alice-e@mailroom.local>",
                "to":["bob-e@mailroom.local"],
                "cc":null,
                "subject":"Streamed",
                "preview":"Hello over SSE.",
                "size":<bytes>,
                "attachments":[]}}
            """, RenderFrame(c.Mask, frames["message.delivered"]));

        c.Verify();
    }

    /// <summary>One Server-Sent Events frame: its lines up to the blank line that ends it, joined by \n.</summary>
    private static async Task<string> ReadFrameAsync(StreamReader reader, CancellationToken ct)
    {
        var lines = new List<string>();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) return string.Join("\n", lines);
            lines.Add(line);
        }
        throw new InvalidOperationException("the event stream ended");
    }

    private static string RenderFrame(ContractBody mask, string frame) => string.Join("\n", frame.Split('\n').Select(line =>
        line.StartsWith("data: ", StringComparison.Ordinal) ? "data: " + ContractBody.Layout(mask.Mask(line["data: ".Length..])) : mask.Mask(line)));

    // ---------------------------------------------------------------- waiting for mail

    private static async Task<JsonNode> WaitForAsync(ApiClient api, string path, Func<JsonNode, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (status, body) = await api.GetAsync(path);
            if (status == 200 && done(body!)) return body!;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"GET {path} still answers {status} {ApiClient.Json(body)}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until an outbound message has left the queue, so that its status is settled.</summary>
    private static Task WaitForStatusAsync(ApiClient api, string inboxId, string messageId) =>
        WaitForAsync(api, $"/api/v0/inboxes/{inboxId}/messages/{messageId}", body => (string?)body["status"] != "queued");
}
