using Mailroom.Core.Approvals;
using Mailroom.Core.Drafts;
using Mailroom.Server.Approvals.Email;

namespace Mailroom.Server.Approvals;

/// <summary>Registers the approval loop: the channels, the confirmation pages, the draft settings and the escalation scheduler.</summary>
public static class ApprovalServices
{
    public static IServiceCollection AddApprovals(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Mailroom:Approvals").Get<ApprovalOptions>() ?? new ApprovalOptions();
        services.AddSingleton(options);
        services.AddSingleton(new DraftSettings(options.LinkLifetime));
        services.AddSingleton<IApprovalPages, ApprovalPages>();
        services.AddSingleton<IApprovalChannel, EmailApprovalChannel>();
        services.AddHostedService<EscalationWorker>();
        services.AddHostedService<DraftAnnouncementWorker>();
        return services;
    }
}
