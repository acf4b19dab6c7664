using Mailroom.Core.Automation;
using Mailroom.Core.Events;
using Mailroom.Data.Repositories;
using Mailroom.Server.Mail.Spam;
using Mailroom.Server.Net;
using Mailroom.Server.Workers;

namespace Mailroom.Server.Hosting;

/// <summary>Registers automations: their repositories and use cases, the trigger on received mail, the worker, spamd and the outbound calls.</summary>
public static class AutomationServices
{
    public static IServiceCollection AddAutomations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection("Mailroom:Spam").Get<SpamOptions>() ?? new SpamOptions());
        services.AddSingleton<ISpamChecker, SpamdClient>();
        services.AddSingleton<IAutomationHttp, GuardedAutomationHttp>();
        services.AddSingleton<IActionRepository, ActionRepository>();
        services.AddSingleton<ITopicRepository, TopicRepository>();
        services.AddSingleton<IActionLinkRepository, ActionLinkRepository>();
        services.AddSingleton<IAutomationChannelRepository, AutomationChannelRepository>();
        services.AddSingleton<IActionRunRepository, ActionRunRepository>();
        services.AddSingleton<IAutomationStateRepository, AutomationStateRepository>();
        services.AddSingleton<IAutomationJobRepository, AutomationJobRepository>();
        services.AddSingleton<Templates>();
        services.AddSingleton<AutomationConfigCache>();
        services.AddSingleton<ActionService>();
        services.AddSingleton<TopicService>();
        services.AddSingleton<ActionLinkService>();
        services.AddSingleton<ActionExecutor>();
        services.AddSingleton<AutomationProcessor>();
        services.AddSingleton<AutomationSignal>();
        services.AddSingleton<IAutomationQueueSignal>(sp => sp.GetRequiredService<AutomationSignal>());
        services.AddSingleton<IDomainEventSubscriber, AutomationTrigger>();
        services.AddHostedService<AutomationWorker>();
        return services;
    }
}
