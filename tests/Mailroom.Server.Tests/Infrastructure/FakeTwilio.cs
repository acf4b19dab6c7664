using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Twilio.Security;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// A carrier on 127.0.0.1 that speaks the part of Twilio's REST API Mailroom uses: available-number search (local and
/// toll-free), purchase, lookup and update of the account's numbers, release, and message send, after which it calls
/// the message's status callback (<c>sent</c>, then <c>delivered</c>, or <c>failed</c> for <see cref="FailingRecipient"/>)
/// signed as Twilio signs. Callbacks name Mailroom's public URL; they are sent to <see cref="Mailroom"/>'s real
/// address, as a proxy in front of Mailroom would.
/// </summary>
public sealed class FakeTwilio : IAsyncDisposable
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "fake-twilio-auth-token-0123456789";
    public const string PublicUrl = "https://mailroom.test";
    /// <summary>SMS to this number are reported failed (Twilio's error 30003, unreachable handset).</summary>
    public const string FailingRecipient = "+15005550004";

    public sealed record OwnedNumber(string Sid, string Number, string? SmsUrl);
    public sealed record SentMessage(string Sid, string From, string To, string Body, string? StatusCallback);

    private readonly WebApplication _app;
    private readonly ConcurrentBag<Task> _callbacks = [];
    private readonly HttpClient _http = new();
    private int _serial = Random.Shared.Next(1000, 5000);

    private FakeTwilio(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";
    /// <summary>Where Mailroom really listens; callbacks go there.</summary>
    public Uri? Mailroom { get; set; }
    public ConcurrentDictionary<string, OwnedNumber> Owned { get; } = new();
    public ConcurrentQueue<string> Released { get; } = new();
    public ConcurrentQueue<SentMessage> Sent { get; } = new();
    /// <summary>When set, the next purchase is refused with this message (HTTP 400, as Twilio refuses a number no longer available).</summary>
    public string? RefusePurchaseWith { get; set; }

    /// <summary>The settings that point a Mailroom server at this carrier.</summary>
    public string[] Settings =>
    [
        "--Mailroom:Sms:Provider=twilio", $"--Mailroom:Sms:Twilio:AccountSid={AccountSid}", $"--Mailroom:Sms:Twilio:AuthToken={AuthToken}",
        $"--Mailroom:Sms:Twilio:ApiBaseUrl={BaseUrl}", $"--Mailroom:PublicUrl={PublicUrl}",
    ];

    /// <summary>A search in this area code finds nothing.</summary>
    public const string EmptyAreaCode = "999";

    public static async Task<FakeTwilio> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeTwilio(app);
        fake.Map(app);
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return fake;
    }

    /// <summary>A number the account holds already (for import).</summary>
    public OwnedNumber Hold(string number)
    {
        var owned = new OwnedNumber("PN" + Guid.NewGuid().ToString("N"), number, null);
        Owned[owned.Sid] = owned;
        return owned;
    }

    public OwnedNumber? Holding(string number) => Owned.Values.FirstOrDefault(n => n.Number == number);

    /// <summary>Delivers an inbound SMS to Mailroom as Twilio does: a signed form POST to the number's SMS URL.</summary>
    public Task<HttpResponseMessage> DeliverInboundAsync(string from, string to, string body, string messageSid, string authToken = AuthToken)
    {
        var url = Holding(to)?.SmsUrl ?? PublicUrl + "/hooks/twilio/sms";
        return PostSignedAsync(url, new Dictionary<string, string>
        {
            ["MessageSid"] = messageSid, ["SmsSid"] = messageSid, ["AccountSid"] = AccountSid, ["From"] = from, ["To"] = to, ["Body"] = body,
            ["NumMedia"] = "0", ["ApiVersion"] = "2010-04-01",
        }, authToken);
    }

    /// <summary>
    /// Twilio's signature: base64 HMAC-SHA1, keyed by the auth token, of the URL followed by each form field's name and
    /// value in name order. Checked against the Twilio package's own <see cref="RequestValidator"/> before it is used.
    /// </summary>
    public static string Sign(string url, IReadOnlyDictionary<string, string> fields, string authToken = AuthToken)
    {
        var data = new StringBuilder(url);
        foreach (var (name, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal)) data.Append(name).Append(value);
        var signature = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
        var collection = new NameValueCollection();
        foreach (var (name, value) in fields) collection.Add(name, value);
        Assert.True(new RequestValidator(authToken).Validate(url, collection, signature), "the test's signature must be Twilio's");
        return signature;
    }

    /// <summary>Posts a form to a public Mailroom URL at Mailroom's real address, signed over the public URL.</summary>
    public async Task<HttpResponseMessage> PostSignedAsync(string publicUrl, IReadOnlyDictionary<string, string> fields, string authToken = AuthToken,
        string? signature = null)
    {
        var target = new Uri(Mailroom!, new Uri(publicUrl).PathAndQuery);
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("X-Twilio-Signature", signature ?? Sign(publicUrl, fields, authToken));
        return await _http.SendAsync(request);
    }

    /// <summary>Waits for the status callbacks started so far.</summary>
    public Task CallbacksDoneAsync() => Task.WhenAll(_callbacks.ToArray());

    private void Map(WebApplication app)
    {
        const string account = "/2010-04-01/Accounts/{account}";
        app.MapGet(account + "/AvailablePhoneNumbers/{country}/Local.json", (HttpContext http, string country, string? AreaCode) =>
            Authorized(http) ?? Available(country, "Local", AreaCode == EmptyAreaCode ? [] : [$"+1{AreaCode ?? "415"}{NextSerial():D7}"]));
        app.MapGet(account + "/AvailablePhoneNumbers/{country}/TollFree.json", (HttpContext http, string country) =>
            Authorized(http) ?? Available(country, "TollFree", [$"+1800{NextSerial():D7}"]));

        app.MapPost(account + "/IncomingPhoneNumbers.json", async (HttpContext http) =>
        {
            if (Authorized(http) is { } refused) return refused;
            var form = await http.Request.ReadFormAsync();
            if (RefusePurchaseWith is { } reason)
            {
                RefusePurchaseWith = null;
                return Error(400, 21422, reason);
            }
            var number = new OwnedNumber("PN" + Guid.NewGuid().ToString("N"), form["PhoneNumber"].ToString(), form["SmsUrl"].ToString());
            Owned[number.Sid] = number;
            return Results.Json(NumberJson(number), statusCode: 201);
        });
        app.MapGet(account + "/IncomingPhoneNumbers.json", (HttpContext http, string? PhoneNumber) =>
        {
            if (Authorized(http) is { } refused) return refused;
            var list = new JsonArray(Owned.Values.Where(n => PhoneNumber is null || n.Number == PhoneNumber).Select(n => (JsonNode)NumberJson(n)).ToArray());
            return Results.Json(Paged("incoming_phone_numbers", list, $"/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json"));
        });
        app.MapPost(account + "/IncomingPhoneNumbers/{sid}.json", async (HttpContext http, string sid) =>
        {
            if (Authorized(http) is { } refused) return refused;
            if (!Owned.TryGetValue(sid, out var number)) return Error(404, 20404, $"The requested resource /IncomingPhoneNumbers/{sid}.json was not found");
            var form = await http.Request.ReadFormAsync();
            Owned[sid] = number = number with { SmsUrl = form["SmsUrl"].ToString() };
            return Results.Json(NumberJson(number));
        });
        app.MapDelete(account + "/IncomingPhoneNumbers/{sid}.json", (HttpContext http, string sid) =>
        {
            if (Authorized(http) is { } refused) return refused;
            if (!Owned.TryRemove(sid, out _)) return Error(404, 20404, $"The requested resource /IncomingPhoneNumbers/{sid}.json was not found");
            Released.Enqueue(sid);
            return Results.NoContent();
        });

        app.MapPost(account + "/Messages.json", async (HttpContext http) =>
        {
            if (Authorized(http) is { } refused) return refused;
            var form = await http.Request.ReadFormAsync();
            var (from, to, body, callback) = (form["From"].ToString(), form["To"].ToString(), form["Body"].ToString(), form["StatusCallback"].ToString());
            if (Holding(from) is null) return Error(400, 21606, $"The From phone number {from} is not a valid, SMS-capable inbound phone number for your account.");
            var sent = new SentMessage("SM" + Guid.NewGuid().ToString("N"), from, to, body, callback.Length == 0 ? null : callback);
            Sent.Enqueue(sent);
            if (sent.StatusCallback is not null) _callbacks.Add(Task.Run(() => ReportStatusAsync(sent)));
            return Results.Json(new JsonObject
            {
                ["sid"] = sent.Sid, ["account_sid"] = AccountSid, ["from"] = from, ["to"] = to, ["body"] = body, ["status"] = "queued",
                ["direction"] = "outbound-api", ["num_segments"] = "1", ["api_version"] = "2010-04-01",
                ["date_created"] = DateTimeOffset.UtcNow.ToString("r"), ["uri"] = $"/2010-04-01/Accounts/{AccountSid}/Messages/{sent.Sid}.json",
            }, statusCode: 201);
        });
    }

    private async Task ReportStatusAsync(SentMessage sent)
    {
        await Task.Delay(50);
        var statuses = sent.To == FailingRecipient ? new[] { "sent", "failed" } : ["sent", "delivered"];
        foreach (var status in statuses)
        {
            var fields = new Dictionary<string, string>
            {
                ["MessageSid"] = sent.Sid, ["SmsSid"] = sent.Sid, ["AccountSid"] = AccountSid, ["From"] = sent.From, ["To"] = sent.To,
                ["MessageStatus"] = status, ["SmsStatus"] = status, ["ApiVersion"] = "2010-04-01",
            };
            if (status == "failed") fields["ErrorCode"] = "30003";
            using var response = await PostSignedAsync(sent.StatusCallback!, fields);
            Assert.True(response.IsSuccessStatusCode, $"status callback answered {(int)response.StatusCode}");
        }
    }

    private int NextSerial() => Interlocked.Increment(ref _serial) * 131 % 10_000_000;

    private static IResult? Authorized(HttpContext http)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));
        return http.Request.Headers.Authorization.ToString() == expected && http.Request.RouteValues["account"] as string == AccountSid
            ? null
            : Error(401, 20003, "Authenticate");
    }

    private static IResult Available(string country, string kind, IEnumerable<string> numbers) => Results.Json(Paged("available_phone_numbers",
        new JsonArray(numbers.Select(n => (JsonNode)new JsonObject
        {
            ["phone_number"] = n, ["friendly_name"] = n, ["iso_country"] = country, ["region"] = "CA",
            ["capabilities"] = new JsonObject { ["voice"] = true, ["SMS"] = true, ["MMS"] = true },
        }).ToArray()), $"/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/{country}/{kind}.json"));

    private static JsonObject Paged(string key, JsonArray items, string uri) => new()
    {
        [key] = items, ["uri"] = uri, ["first_page_uri"] = uri, ["next_page_uri"] = null, ["previous_page_uri"] = null,
        ["page"] = 0, ["page_size"] = 50, ["start"] = 0, ["end"] = Math.Max(0, items.Count - 1),
    };

    private static JsonObject NumberJson(OwnedNumber n) => new()
    {
        ["sid"] = n.Sid, ["account_sid"] = AccountSid, ["phone_number"] = n.Number, ["friendly_name"] = n.Number,
        ["sms_url"] = n.SmsUrl, ["sms_method"] = "POST", ["status"] = "in-use", ["api_version"] = "2010-04-01",
        ["capabilities"] = new JsonObject { ["voice"] = true, ["sms"] = true, ["mms"] = true },
        ["uri"] = $"/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{n.Sid}.json",
    };

    private static IResult Error(int status, int code, string message) => Results.Json(new JsonObject
    {
        ["code"] = code, ["message"] = message, ["more_info"] = $"https://www.twilio.com/docs/errors/{code}", ["status"] = status,
    }, statusCode: status);

    public async ValueTask DisposeAsync()
    {
        try { await CallbacksDoneAsync(); }
        catch (Exception) { } // a test that failed may leave a callback failing; the fake still stops
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }
}
