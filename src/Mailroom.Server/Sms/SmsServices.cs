using Mailroom.Core.Common;
using Mailroom.Core.Sms;
using Mailroom.Server.Hosting;
using Mailroom.Server.Net;
using Mailroom.Server.Sms.Twilio;

namespace Mailroom.Server.Sms;

/// <summary>The <c>Mailroom:Sms</c> section (docs/configuration.md).</summary>
public sealed class SmsOptions
{
    public const string Section = "Mailroom:Sms";

    /// <summary><c>twilio</c>, or empty: then every phone number request is refused with the settings to set.</summary>
    public string? Provider { get; set; }
    public TwilioOptions Twilio { get; set; } = new();
}

/// <summary>Registers the SMS carrier the configuration names and the carrier's callbacks under <c>/hooks/</c>.</summary>
public static class SmsServices
{
    public static IServiceCollection AddSms(this IServiceCollection services, IConfiguration configuration, MailroomOptions mailroom)
    {
        var options = configuration.GetSection(SmsOptions.Section).Get<SmsOptions>() ?? new SmsOptions();
        services.AddSingleton(options);
        services.AddSingleton(new SmsSettings { PhoneNumbersPerOrganization = mailroom.Limits.PhoneNumbersPerOrganization });
        services.AddSingleton(new TwilioCallbacks(mailroom.PublicUrl));
        switch (options.Provider?.ToLowerInvariant())
        {
            case null or "":
                services.AddSingleton<ISmsCarrier, UnconfiguredCarrier>();
                break;
            case TwilioCarrier.ProviderName:
                services.AddTwilio(options.Twilio);
                break;
            default:
                throw new InvalidOperationException($"Mailroom:Sms:Provider '{options.Provider}' is not twilio");
        }
        return services;
    }

    public static void MapSmsHooks(this IEndpointRouteBuilder app) => TwilioHooks.Map(app);
}

/// <summary>Stands in for the carrier when none is configured: every use says which settings are missing.</summary>
internal sealed class UnconfiguredCarrier : ISmsCarrier
{
    public string Name => "none";
    public Task<CarrierNumber> BuyAsync(string type, string? areaCode, CancellationToken ct) => throw NotConfigured();
    public Task<CarrierNumber> ImportAsync(string e164, CancellationToken ct) => throw NotConfigured();
    public Task ReleaseAsync(string carrierSid, CancellationToken ct) => throw NotConfigured();
    public Task<string> SendAsync(string messageId, string from, string to, string text, CancellationToken ct) => throw NotConfigured();

    private static UnavailableException NotConfigured() => new("carrier",
        "no SMS carrier is configured: set Mailroom:Sms:Provider=twilio, Mailroom:Sms:Twilio:AccountSid, Mailroom:Sms:Twilio:AuthToken and Mailroom:PublicUrl",
        ErrorCodes.NotConfigured);
}
