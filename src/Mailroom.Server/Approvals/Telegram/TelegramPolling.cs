using Mailroom.Core.Approvals;
using Telegram.Bot;
using Telegram.Bot.Types.Enums;

namespace Mailroom.Server.Approvals.Telegram;

/// <summary>
/// Polling mode, for servers Telegram cannot call: one long-polling <c>getUpdates</c> loop per stored bot, its offset
/// kept with the hook so that a restart neither loses nor repeats updates. Bots prepared later are picked up at once
/// (<see cref="TelegramBotsChanged"/>) or, when another node stored them, within a minute.
/// </summary>
public sealed class TelegramPolling(TelegramBots bots, IChatApprovalHookRepository hooks, TelegramUpdates updates, TelegramBotsChanged changed,
    IHostApplicationLifetime lifetime, ILogger<TelegramPolling> log) : BackgroundService
{
    private static readonly TimeSpan Rescan = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan AfterFailure = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The mode may follow from the address HTTP listens on, known once the server has started.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try { await started.Task; }
            catch (OperationCanceledException) { return; }
        }
        if (!bots.Polling) return;
        var loops = new Dictionary<string, Task>(StringComparer.Ordinal);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    foreach (var hook in await hooks.ListAsync(ApprovalChannelTypes.Telegram, stoppingToken))
                        if (!loops.TryGetValue(hook.Id, out var loop) || loop.IsCompleted)
                            loops[hook.Id] = PollAsync(hook.Id, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    log.LogWarning(e, "Telegram polling could not list the bots");
                }
                try { await changed.WaitAsync(Rescan, stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }
        finally
        {
            await Task.WhenAll(loops.Values);
        }
    }

    private async Task PollAsync(string hookId, CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // Read each round: a new token or secret for the same bot replaces the stored one.
                var hook = await hooks.GetAsync(hookId, ct);
                if (hook is null) return;
                var client = bots.Client(hook, bots.Options.PollTimeout + TimeSpan.FromSeconds(15));
                var batch = await client.GetUpdates(checked((int)hook.PollOffset), 100, (int)bots.Options.PollTimeout.TotalSeconds,
                    [UpdateType.Message, UpdateType.CallbackQuery], ct);
                foreach (var update in batch)
                {
                    try
                    {
                        await updates.HandleAsync(hook, update, ct);
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        // One update that fails must not hold the bot's queue: it is logged and passed.
                        log.LogWarning(e, "Telegram update {UpdateId} for hook {HookId} failed", update.Id, hookId);
                    }
                    await hooks.SetPollOffsetAsync(hookId, update.Id + 1L, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning("Telegram polling for hook {HookId} failed ({Reason}); trying again in {Seconds} s", hookId, e.Message, AfterFailure.TotalSeconds);
                try { await Task.Delay(AfterFailure, ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
