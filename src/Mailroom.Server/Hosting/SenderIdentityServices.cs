using Mailroom.Core.Platform;
using Mailroom.Core.SenderIdentities;
using Mailroom.Data.Repositories;

namespace Mailroom.Server.Hosting;

/// <summary>The <c>Mailroom:SenderIdentities</c> section: identities confirmed by email (docs/configuration.md).</summary>
public sealed class SenderIdentityOptions
{
    /// <summary>How long the link in a confirmation mail works.</summary>
    public TimeSpan ConfirmationLifetime { get; set; } = TimeSpan.FromDays(7);
    /// <summary>How many times the confirmation mail of one identity may be sent again (<c>resend</c>).</summary>
    public int MaxResends { get; set; } = 5;
    /// <summary>The From of confirmation mail and the envelope sender of identities not on a verified domain; defaults to <c>no-reply@{DefaultDomain}</c>.</summary>
    public string? NoticeAddress { get; set; }
}

public static class SenderIdentityServices
{
    public static IServiceCollection AddSenderIdentities(this IServiceCollection services, MailroomOptions options)
    {
        var section = options.SenderIdentities;
        if (section.ConfirmationLifetime <= TimeSpan.Zero) throw new InvalidOperationException("Mailroom:SenderIdentities:ConfirmationLifetime must be positive");
        if (section.MaxResends < 0) throw new InvalidOperationException("Mailroom:SenderIdentities:MaxResends must be 0 or more");
        services.AddSingleton(sp => new SenderIdentitySettings(section.ConfirmationLifetime, section.MaxResends,
            SenderIdentityService.Address("Mailroom:SenderIdentities:NoticeAddress",
                section.NoticeAddress ?? "no-reply@" + sp.GetRequiredService<PlatformSettings>().DefaultDomain)));
        services.AddSingleton<ISenderIdentityRepository, SenderIdentityRepository>();
        services.AddSingleton<ISenderConfirmationLinks, Pages.SenderIdentityConfirmationPage>();
        services.AddSingleton<SenderIdentityService>();
        services.AddSingleton<IdentitySending>();
        return services;
    }
}
