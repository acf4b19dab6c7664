using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mailroom.Core.Common;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.MailerSendV1;

/// <summary>
/// MailerSend's sender identities and the part of its email API a sender needs, at /mailersend/v1 (the identities
/// dialect has /v1): a MailerSend client works with its base URL set to <c>http://HOST/mailersend/v1</c>.
/// </summary>
public sealed class MailerSendV1Dialect : IApiDialect
{
    public const string Prefix = "/mailersend/v1";

    public string PathPrefix => Prefix;
    public IDialectErrors Errors { get; } = new MailerSendErrors();

    public void AddServices(IServiceCollection services, IConfiguration configuration) => services.AddSingleton<EmailRequestReader>();

    public void MapEndpoints(IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup(Prefix)
            .AddEndpointFilter<ApiKeyAuthentication>()
            .RequireRateLimiting(ApiRateLimiting.PerKeyPolicy);
        v1.MapIdentities();
        v1.MapEmail(app.ServiceProvider.GetRequiredService<RequestBodyLimits>().Mail);
    }
}

/// <summary>MailerSend's JSON: snake_case, nulls written, times as <c>2022-11-29T10:43:22.000000Z</c> (microseconds, UTC).</summary>
public static class MailerSendJson
{
    public static readonly JsonSerializerOptions Options = Create();

    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static IResult Json<T>(T body, int status = StatusCodes.Status200OK) => Results.Json(body, Options, statusCode: status);

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new MicrosecondsConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class MicrosecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(Timestamp(value));
    }
}

/// <summary>MailerSend's paging: <c>page</c> from 1, <c>limit</c> 10 to 100 (default 25); lists answer <c>{data, links, meta}</c> as Laravel writes them.</summary>
public readonly record struct MailerSendPage(int Number, int Limit)
{
    public const int DefaultLimit = 25;
    public const int MinLimit = 10;
    public const int MaxLimit = 100;

    public PageRequest Request => new((Number - 1L) * Limit, Limit);

    public static MailerSendPage From(string? page, string? limit)
    {
        var number = Parse("page", page) ?? 1;
        var size = Parse("limit", limit) ?? DefaultLimit;
        if (number < 1) throw new ValidationException("page", "must be at least 1");
        if (size is < MinLimit or > MaxLimit) throw new ValidationException("limit", $"must be between {MinLimit} and {MaxLimit}");
        return new MailerSendPage(number, size);
    }

    public sealed record Links(string First, string Last, string? Prev, string? Next);
    public sealed record Meta(int CurrentPage, long? From, long LastPage, string Path, int PerPage, long? To, long Total);
    public sealed record List<T>(IReadOnlyList<T> Data, Links Links, Meta Meta);

    public List<TOut> Answer<TIn, TOut>(HttpRequest request, Page<TIn> page, Func<TIn, TOut> map)
    {
        var path = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}";
        var lastPage = Math.Max(1, (page.Total + Limit - 1) / Limit);
        string Url(long n) => $"{path}?page={n.ToString(CultureInfo.InvariantCulture)}";
        var first = (Number - 1L) * Limit + 1;
        var items = page.Items.Select(map).ToList();
        return new List<TOut>(items,
            new Links(Url(1), Url(lastPage), Number > 1 ? Url(Number - 1) : null, Number < lastPage ? Url(Number + 1) : null),
            new Meta(Number, items.Count > 0 ? first : null, lastPage, path, Limit, items.Count > 0 ? first + items.Count - 1 : null, page.Total));
    }

    private static int? Parse(string field, string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        return int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ValidationException(field, "must be an integer");
    }
}
