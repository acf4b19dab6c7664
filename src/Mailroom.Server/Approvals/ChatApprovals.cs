using Mailroom.Core.Approvals;
using Mailroom.Data.Repositories;
using Mailroom.Server.Approvals.Slack;
using Mailroom.Server.Approvals.Telegram;

namespace Mailroom.Server.Approvals;

/// <summary>The Telegram and Slack approval channels: their services, their background work and their callback routes.</summary>
public static class ChatApprovals
{
    public static IServiceCollection AddChatApprovals(this IServiceCollection services, IConfiguration configuration)
    {
        var telegram = configuration.GetSection(TelegramOptions.Section).Get<TelegramOptions>() ?? new TelegramOptions();
        telegram.Validate();
        var slack = configuration.GetSection(SlackOptions.Section).Get<SlackOptions>() ?? new SlackOptions();
        slack.Validate();
        services.AddSingleton<IChatApprovalHookRepository, ChatApprovalHookRepository>();

        services.AddSingleton(telegram);
        services.AddSingleton<TelegramBots>();
        services.AddSingleton<TelegramBotsChanged>();
        services.AddSingleton<TelegramUpdates>();
        services.AddSingleton<IApprovalChannel, TelegramApprovalChannel>();
        services.AddHostedService<TelegramPolling>();

        services.AddSingleton(slack);
        services.AddSingleton<SlackApi>();
        services.AddSingleton<SlackClickQueue>();
        services.AddSingleton<IApprovalChannel, SlackApprovalChannel>();
        services.AddHostedService<SlackClickWorker>();
        return services;
    }

    public static void MapChatApprovalHooks(this IEndpointRouteBuilder app)
    {
        TelegramWebhook.Map(app);
        SlackActions.Map(app);
    }
}
