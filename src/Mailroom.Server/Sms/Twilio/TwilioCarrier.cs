using Mailroom.Core.Common;
using Mailroom.Core.Sms;
using Mailroom.Server.Net;
using Twilio.Base;
using Twilio.Clients;
using Twilio.Exceptions;
using SystemNetHttpClient = Twilio.Http.SystemNetHttpClient;
using TwilioHttpMethod = Twilio.Http.HttpMethod;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.AvailablePhoneNumberCountry;
using TwilioPhoneNumber = Twilio.Types.PhoneNumber;

namespace Mailroom.Server.Sms.Twilio;

/// <summary>The <c>Mailroom:Sms:Twilio</c> section.</summary>
public sealed class TwilioOptions
{
    public const string DefaultApiBaseUrl = "https://api.twilio.com";

    public string? AccountSid { get; set; }
    /// <summary>Signs Twilio's callbacks and authenticates our calls: a secret, never logged or shown.</summary>
    public string? AuthToken { get; set; }
    /// <summary>Where Twilio's REST API is; tests point it at a fake carrier.</summary>
    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;
    /// <summary>The country numbers are searched in (ISO 3166 alpha-2).</summary>
    public string Country { get; set; } = "US";
}

/// <summary>
/// Twilio's REST API through the Twilio package's own client, on the guarded HTTP client (<see cref="GuardedHttp"/>),
/// its requests sent to <see cref="TwilioOptions.ApiBaseUrl"/>. Each number's SMS webhook and each message's status
/// callback point at <see cref="TwilioCallbacks"/>.
/// </summary>
public sealed class TwilioCarrier(TwilioOptions options, TwilioCallbacks callbacks, IHttpClientFactory http) : ISmsCarrier
{
    public const string ProviderName = "twilio";
    public const string HttpClientName = "twilio";

    public string Name => ProviderName;

    public Task<CarrierNumber> BuyAsync(string type, string? areaCode, CancellationToken ct) => CallAsync(async client =>
    {
        var smsUrl = callbacks.InboundUrl();
        int? area = areaCode is null ? null : int.Parse(areaCode, System.Globalization.CultureInfo.InvariantCulture);
        var candidate = type == PhoneNumberTypes.TollFree
            ? (await TollFreeResource.ReadAsync(new ReadTollFreeOptions(options.Country) { AreaCode = area, SmsEnabled = true, Limit = 1 }, client))
                .Select(n => n.PhoneNumber).FirstOrDefault()
            : (await LocalResource.ReadAsync(new ReadLocalOptions(options.Country) { AreaCode = area, SmsEnabled = true, Limit = 1 }, client))
                .Select(n => n.PhoneNumber).FirstOrDefault();
        if (candidate is null)
            throw Failed($"Twilio has no available {type.Replace('_', '-')} number{(areaCode is null ? "" : $" in area code {areaCode}")}");
        var bought = await IncomingPhoneNumberResource.CreateAsync(new CreateIncomingPhoneNumberOptions
        {
            PhoneNumber = candidate, SmsUrl = smsUrl, SmsMethod = TwilioHttpMethod.Post,
        }, client);
        return new CarrierNumber(bought.Sid, bought.PhoneNumber.ToString());
    });

    public Task<CarrierNumber> ImportAsync(string e164, CancellationToken ct) => CallAsync(async client =>
    {
        var smsUrl = callbacks.InboundUrl();
        var held = (await IncomingPhoneNumberResource.ReadAsync(new ReadIncomingPhoneNumberOptions { PhoneNumber = new TwilioPhoneNumber(e164), Limit = 1 }, client))
            .FirstOrDefault() ?? throw new ValidationException("number", $"the Twilio account holds no number {e164}");
        await IncomingPhoneNumberResource.UpdateAsync(new UpdateIncomingPhoneNumberOptions(held.Sid) { SmsUrl = smsUrl, SmsMethod = TwilioHttpMethod.Post }, client);
        return new CarrierNumber(held.Sid, held.PhoneNumber.ToString());
    });

    public Task ReleaseAsync(string carrierSid, CancellationToken ct) => CallAsync(async client =>
    {
        try { await IncomingPhoneNumberResource.DeleteAsync(new DeleteIncomingPhoneNumberOptions(carrierSid), client); }
        catch (ApiException e) when (e.Status == StatusCodes.Status404NotFound) { } // released already
        return true;
    });

    public Task<string> SendAsync(string messageId, string from, string to, string text, CancellationToken ct) => CallAsync(async client =>
    {
        var sent = await MessageResource.CreateAsync(new CreateMessageOptions(new TwilioPhoneNumber(to))
        {
            From = new TwilioPhoneNumber(from), Body = text, StatusCallback = callbacks.StatusUrl(messageId),
        }, client);
        return sent.Sid;
    });

    /// <summary>
    /// Runs calls on a client for this account; whatever Twilio answers with an error becomes a 502-kind refusal with its
    /// message. The package's calls take no cancellation token: the HTTP client's 30 s timeout bounds each one instead.
    /// </summary>
    private async Task<T> CallAsync<T>(Func<ITwilioRestClient, Task<T>> call)
    {
        if (string.IsNullOrEmpty(options.AccountSid) || string.IsNullOrEmpty(options.AuthToken))
            throw new UnavailableException("carrier", "Twilio is not configured: set Mailroom:Sms:Twilio:AccountSid and Mailroom:Sms:Twilio:AuthToken",
                ErrorCodes.NotConfigured);
        var client = new TwilioRestClient(options.AccountSid, options.AuthToken, httpClient: new SystemNetHttpClient(http.CreateClient(HttpClientName)));
        try { return await call(client); }
        catch (ApiException e) { throw Failed($"Twilio answered HTTP {e.Status}: {e.Message}"); }
        catch (TwilioException e) { throw Failed($"Twilio could not be reached: {e.Message}"); }
        catch (HttpRequestException e) { throw Failed($"Twilio could not be reached: {e.Message}"); }
    }

    private static UnavailableException Failed(string detail) => new("carrier", detail, ErrorCodes.UpstreamFailed);
}

/// <summary>Sends the Twilio client's requests, written for api.twilio.com, to the configured base URL instead.</summary>
internal sealed class TwilioBaseUrlHandler(Uri baseUrl) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var original = request.RequestUri!;
        request.RequestUri = new Uri(baseUrl.GetLeftPart(UriPartial.Authority) + baseUrl.AbsolutePath.TrimEnd('/') + original.PathAndQuery);
        return base.SendAsync(request, ct);
    }
}

internal static class TwilioRegistration
{
    public static IServiceCollection AddTwilio(this IServiceCollection services, TwilioOptions options)
    {
        if (!Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != "https" && baseUrl.Scheme != "http"))
            throw new InvalidOperationException($"Mailroom:Sms:Twilio:ApiBaseUrl '{options.ApiBaseUrl}' is not an absolute http or https URL");
        services.AddSingleton(options);
        services.AddSingleton<ISmsCarrier, TwilioCarrier>();
        services.AddHttpClient(TwilioCarrier.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(sp => GuardedHttp.CreateHandler(sp.GetRequiredService<OutboundAddressPolicy>()))
            .AddHttpMessageHandler(() => new TwilioBaseUrlHandler(baseUrl));
        return services;
    }
}
