using System.Collections.Specialized;
using Mailroom.Core.Common;
using Mailroom.Core.Sms;
using Twilio.Security;

namespace Mailroom.Server.Sms.Twilio;

/// <summary>
/// The addresses Twilio calls back, built on <c>Mailroom:PublicUrl</c>: the URL Twilio is given is the URL it signs,
/// so the same base checks the signature.
/// </summary>
public sealed class TwilioCallbacks(string? publicUrl)
{
    public const string InboundPath = "/hooks/twilio/sms";
    public const string StatusPath = "/hooks/twilio/sms/status";

    public Uri InboundUrl() => new(Base() + InboundPath);

    public Uri StatusUrl(string messageId) => new($"{Base()}{StatusPath}?message_id={Uri.EscapeDataString(messageId)}");

    /// <summary>The URL a callback was signed over: the public base, the request's path and its query.</summary>
    public string? SignedUrl(HttpRequest request) => publicUrl is null ? null : publicUrl.TrimEnd('/') + request.Path + request.QueryString;

    private string Base() => publicUrl?.TrimEnd('/') ?? throw new UnavailableException("carrier",
        "Twilio must be able to call Mailroom back: set Mailroom:PublicUrl", ErrorCodes.NotConfigured);
}

/// <summary>
/// Twilio's callbacks: inbound SMS and outbound status. Each is accepted only with a valid <c>X-Twilio-Signature</c>
/// (the package's <see cref="RequestValidator"/>: HMAC-SHA1 of the public URL and the sorted form fields, keyed by
/// the auth token); anything else is 403.
/// </summary>
internal static class TwilioHooks
{
    private const string EmptyTwiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(TwilioCallbacks.InboundPath, async (HttpContext http, SmsService sms) =>
        {
            if (await SignedFormAsync(http) is not { } form) return Refused(http);
            if (Field(form, "MessageSid") is not { } sid || Field(form, "From") is not { } from || Field(form, "To") is not { } to)
                return Results.BadRequest();
            await sms.ReceiveAsync(new InboundSms(sid, from, to, form["Body"] ?? ""), http.RequestAborted);
            return Results.Content(EmptyTwiml, "text/xml");
        }).ExcludeFromDescription();

        app.MapPost(TwilioCallbacks.StatusPath, async (HttpContext http, SmsService sms, string? message_id) =>
        {
            if (await SignedFormAsync(http) is not { } form) return Refused(http);
            if (message_id is null || Field(form, "MessageStatus") is not { } status) return Results.BadRequest();
            var error = Field(form, "ErrorMessage") ?? (Field(form, "ErrorCode") is { } code ? $"Twilio error {code}" : null);
            await sms.ReportStatusAsync(message_id, status, error, http.RequestAborted);
            return Results.NoContent();
        }).ExcludeFromDescription();
    }

    /// <summary>The form fields when the signature over them is valid; null otherwise.</summary>
    private static async Task<NameValueCollection?> SignedFormAsync(HttpContext http)
    {
        var options = http.RequestServices.GetService<TwilioOptions>();
        var url = http.RequestServices.GetRequiredService<TwilioCallbacks>().SignedUrl(http.Request);
        var signature = http.Request.Headers["X-Twilio-Signature"].ToString();
        if (options?.AuthToken is not { Length: > 0 } token || url is null || signature.Length == 0 || !http.Request.HasFormContentType) return null;
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var fields = new NameValueCollection();
        foreach (var (key, values) in form)
            foreach (var value in values) fields.Add(key, value);
        return new RequestValidator(token).Validate(url, fields, signature) ? fields : null;
    }

    private static string? Field(NameValueCollection form, string name) => form[name] is { Length: > 0 } value ? value : null;

    private static IResult Refused(HttpContext http)
    {
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TwilioHooks))
            .LogWarning("Twilio callback on {Path} refused: no valid X-Twilio-Signature", http.Request.Path);
        return Results.StatusCode(StatusCodes.Status403Forbidden);
    }
}
