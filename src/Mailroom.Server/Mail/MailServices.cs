using Mailroom.Core.Messaging;
using Mailroom.Server.Workers;
using Mailroom.Server.Mail.Inbound;
using Mailroom.Server.Mail.Outbound;

namespace Mailroom.Server.Mail;

/// <summary>Registers the mail transport: the SMTP listener, the inbound spool and its worker.</summary>
public static class MailServices
{
    public static IServiceCollection AddMailTransport(this IServiceCollection services, IConfiguration configuration)
    {
        var smtp = configuration.GetSection("Mailroom:Smtp").Get<SmtpOptions>() ?? new SmtpOptions();
        services.AddSingleton(smtp);
        services.AddSingleton(new Hosting.Readiness { SmtpRequired = !string.IsNullOrWhiteSpace(smtp.Listen) });
        services.AddSingleton<HostedRecipientPolicy>();
        services.AddSingleton<InboundSignal>();
        services.AddSingleton<InboundGroupCommit>();
        services.AddSingleton<IInboundAuthenticator, MailAuthenticator>();
        services.AddHostedService<SpoolWorker>();

        var outbound = configuration.GetSection("Mailroom:Outbound").Get<OutboundOptions>() ?? new OutboundOptions();
        services.AddSingleton(outbound);
        services.AddSingleton(new OutboundSettings(outbound.RetryWindow, outbound.MaxAttachmentBytes));
        services.AddSingleton<DkimKeyring>();
        services.AddSingleton<IMessageSigner>(sp => sp.GetRequiredService<DkimKeyring>());
        services.AddSingleton<DeliverySignal>();
        services.AddSingleton<IOutboundQueueSignal>(sp => sp.GetRequiredService<DeliverySignal>());
        services.AddSingleton<DeliveryProcessor>();
        services.AddHostedService<DeliveryWorker>();
        if (!string.IsNullOrWhiteSpace(smtp.Listen))
        {
            services.AddSingleton<SmtpListener>();
            services.AddHostedService(sp => sp.GetRequiredService<SmtpListener>());
        }
        return services;
    }
}
