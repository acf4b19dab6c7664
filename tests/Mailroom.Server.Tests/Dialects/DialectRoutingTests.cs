using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;

namespace Mailroom.Server.Tests.Dialects;

/// <summary>
/// Every refusal under a dialect's prefix is spelled by that dialect — thrown by a use case, raised by routing (404,
/// 405, 415), by authentication (401), by the rate limiter (429) or by an oversized body (413) — while /api/v0 and
/// paths outside every dialect keep v0's shape. A second dialect, written here as a new one would be, proves it.
/// </summary>
public sealed class DialectRoutingTests
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Each_refusal_is_answered_in_the_shape_of_the_dialect_that_owns_the_path(string provider)
    {
        await using var server = await MailroomTestServer.StartWithDialectsAsync(provider, [new ErrorsAsObjectsDialect()],
            "--Mailroom:RateLimit:Burst=3", "--Mailroom:RateLimit:RequestsPerSecond=1");
        // A key of its own for each request, so that only the last check meets the burst of 3.
        async Task<HttpClient> Key() => (await server.NewOrganizationAsync()).Http;

        await AnswersAsync(await Key(), HttpMethod.Get, "/objects/things/t1", null, HttpStatusCode.NotFound, "not_found", "thing not found");
        await AnswersAsync(await Key(), HttpMethod.Post, "/objects/things", Json("""{"name": 5}"""), HttpStatusCode.UnprocessableEntity, "invalid_request", "name must be a string");
        await AnswersAsync(await Key(), HttpMethod.Post, "/objects/things", Json("""{"name": ""}"""), HttpStatusCode.UnprocessableEntity, "invalid_request", "name is required");
        await AnswersAsync(await Key(), HttpMethod.Post, "/objects/things", Json("not json"), HttpStatusCode.UnprocessableEntity, "invalid_request", "body is not a valid JSON object");
        await AnswersAsync(await Key(), HttpMethod.Get, "/objects/nothing-here", null, HttpStatusCode.NotFound, "no_route", "GET /objects/nothing-here");
        await AnswersAsync(await Key(), HttpMethod.Delete, "/objects/things/t1", null, HttpStatusCode.MethodNotAllowed, "method_not_allowed", "DELETE /objects/things/t1");
        await AnswersAsync(await Key(), HttpMethod.Post, "/objects/things", new StringContent("name=x", Encoding.UTF8, "text/plain"),
            HttpStatusCode.UnsupportedMediaType, "unsupported_media_type", null);
        await AnswersAsync(await Key(), HttpMethod.Post, "/objects/things", Json($$"""{"name": "{{new string('x', 2000)}}"}"""),
            HttpStatusCode.RequestEntityTooLarge, "unreadable_body", null);
        await AnswersAsync(server.Client(), HttpMethod.Get, "/objects/things/t1", null, HttpStatusCode.Unauthorized, "missing_api_key", null);
        await AnswersAsync(server.Client("inai_not_a_key"), HttpMethod.Get, "/objects/things/t1", null, HttpStatusCode.Unauthorized, "invalid_api_key", null);

        // v0 and paths no dialect owns keep v0's {name, message}.
        var v0 = await (await Key()).GetAsync("/api/v0/nothing-here");
        Assert.Equal("""{"name":"NotFoundError","message":"no route /api/v0/nothing-here"}""", await v0.Content.ReadAsStringAsync());
        var outside = await (await Key()).GetAsync("/objectsx/things");
        Assert.Equal("""{"name":"NotFoundError","message":"no route /objectsx/things"}""", await outside.Content.ReadAsStringAsync());

        // A fresh key past its burst of 3 hears 429 in this dialect's shape.
        var busy = await server.NewOrganizationAsync();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 8 && limited is null; i++)
        {
            var response = await busy.Http.GetAsync("/objects/things/t1");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
        }
        Assert.NotNull(limited);
        var body = JsonNode.Parse(await limited.Content.ReadAsStringAsync())!;
        Assert.Equal("rate_limited", (string?)body["error"]);
        Assert.NotNull(limited.Headers.RetryAfter);
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static async Task AnswersAsync(HttpClient http, HttpMethod method, string path, HttpContent? content, HttpStatusCode status,
        string error, string? message)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        Assert.Equal(new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }, response.Content.Headers.ContentType);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(["error", "message"], body.Select(p => p.Key));
        Assert.Equal(error, (string?)body["error"]);
        if (message is not null) Assert.Equal(message, (string?)body["message"]);
    }

    /// <summary>A dialect as a vendor with <c>{"error", "message"}</c> bodies and 422 validation errors would write it.</summary>
    private sealed class ErrorsAsObjectsDialect : IApiDialect
    {
        private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

        public string PathPrefix => "/objects";
        public IDialectErrors Errors { get; } = new ObjectErrors();

        public void AddServices(IServiceCollection services, IConfiguration configuration) { }

        public void MapEndpoints(IEndpointRouteBuilder app)
        {
            var group = app.MapGroup(PathPrefix).AddEndpointFilter<ApiKeyAuthentication>().RequireRateLimiting(ApiRateLimiting.PerKeyPolicy);
            group.MapGet("/things/{id}", (string id) => Task.FromException<IResult>(new NotFoundException("thing")));
            group.MapPost("/things", async (HttpRequest request) =>
            {
                var body = await RequestBody.ReadAsync<NewThing>(request, Options);
                Check.Required("name", body.Name);
                return Results.Created();
            }).Accepts<NewThing>("application/json").WithMetadata(new RequestSizeLimitAttribute(1000));
        }

        private sealed record NewThing(string? Name);
    }

    private sealed class ObjectErrors : IDialectErrors
    {
        public IResult Error(MailroomException error) => error.Kind switch
        {
            ErrorKind.NotFound => Body(404, "not_found", error.Detail),
            ErrorKind.Invalid => Body(422, "invalid_request", $"{error.Field} {error.Detail}"),
            _ => Body(409, "conflict", error.Detail),
        };

        public IResult Refusal(HttpContext http, RequestRefusal refusal, int status, string? detail = null)
        {
            var code = refusal switch
            {
                RequestRefusal.MissingApiKey => "missing_api_key",
                RequestRefusal.InvalidApiKey => "invalid_api_key",
                RequestRefusal.NoRoute => "no_route",
                RequestRefusal.MethodNotAllowed => "method_not_allowed",
                RequestRefusal.UnsupportedMediaType => "unsupported_media_type",
                RequestRefusal.UnreadableBody => "unreadable_body",
                RequestRefusal.RateLimited => "rate_limited",
                _ => "error",
            };
            return Body(status, code, $"{http.Request.Method} {http.Request.Path}");
        }

        private static IResult Body(int status, string error, string message) =>
            Results.Json(new { error, message }, statusCode: status);
    }
}
