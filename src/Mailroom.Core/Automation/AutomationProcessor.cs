using System.Collections.Concurrent;
using System.Text.Json;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Messages;
using Microsoft.Extensions.Logging;

namespace Mailroom.Core.Automation;

/// <summary>How a job's advance ended.</summary>
public enum JobStop
{
    /// <summary>Every step ran; the job is removed.</summary>
    Done,
    /// <summary>A Wait: the job is saved with a later due time and its remaining actions.</summary>
    Waiting,
    /// <summary>The next step calls outside (spamd, an ApiCall): make <see cref="AutomationJob.OutsideCall"/>, then advance again.</summary>
    NeedsCall,
}

/// <summary>
/// Runs automation jobs step by step, the steps being the hooks. For a received message:
/// the sender is recorded (new senders fire OnEndUserAdd at the end), then <c>PreSpam</c> → spam check → <c>PostSpam</c> →
/// topic detection → <c>PostTopicDetection</c> (the detected topics' own actions for the channel, then the hook's) →
/// <c>OnEndUserAdd</c>. For a closed thread: <c>OnClose</c>. For a draft escalated on the thread: <c>OnEscalate</c>, then
/// <c>PostEscalate</c> or <c>OnEscalateFailed</c>. Each hook's active actions run by priority, highest first,
/// when their schedule and rules allow; every run is recorded, and a failing action never stops the ones after it.
/// <see cref="AdvanceAsync"/> runs inside the caller's transaction and stops at a Wait or before a call outside, so no
/// transaction is held open while spamd or an API answers.
/// </summary>
public sealed class AutomationProcessor(IActionRepository actions, AutomationConfigCache configs,
    IAutomationChannelRepository channels, IAutomationStateRepository state, IAutomationJobRepository jobs, IActionRunRepository runs,
    IMessageRepository messages, IBlobStore blobs, ISpamChecker spam, ActionExecutor executor, TimeProvider time, ILogger<AutomationProcessor> logger)
{
    private abstract record Step;
    private sealed record EndUserStep : Step;
    private sealed record HookStep(string Hook) : Step;
    private sealed record SpamStep : Step;
    private sealed record TopicStep : Step;

    private static readonly Step[] InboundSteps =
    [
        new EndUserStep(), new HookStep(Hooks.PreSpam), new SpamStep(), new HookStep(Hooks.PostSpam), new TopicStep(),
        new HookStep(Hooks.PostTopicDetection), new HookStep(Hooks.OnEndUserAdd),
    ];

    private static readonly Step[] CloseSteps = [new HookStep(Hooks.OnClose)];
    private static readonly Step[] EscalatedSteps = [new HookStep(Hooks.OnEscalate), new HookStep(Hooks.PostEscalate)];
    private static readonly Step[] EscalationFailedSteps = [new HookStep(Hooks.OnEscalate), new HookStep(Hooks.OnEscalateFailed)];

    private static Step[] StepsOf(AutomationJob job) => job.Kind switch
    {
        JobKinds.OnClose => CloseSteps,
        JobKinds.Escalated => EscalatedSteps,
        JobKinds.EscalationFailed => EscalationFailedSteps,
        _ => InboundSteps,
    };

    private readonly ConcurrentDictionary<string, long> _inboxChannels = new();

    /// <summary>Runs the job's steps from where it stands until it finishes, waits, or must call outside; saves it accordingly.</summary>
    public async Task<JobStop> AdvanceAsync(AutomationJob job, CancellationToken ct)
    {
        job.Runs.Clear();
        var stop = await RunStepsAsync(job, ct);
        await runs.RecordAllAsync(job.Runs, ct);
        job.Runs.Clear();
        job.UpdatedAt = time.GetUtcNow();
        if (stop == JobStop.Done) await jobs.CompleteAsync(job.Id, ct);
        else await jobs.SaveAsync(job, keepLease: stop == JobStop.NeedsCall, ct);
        return stop;
    }

    /// <summary>
    /// Reads the job's message and thread ahead of <see cref="AdvanceAsync"/>, outside its transaction, and writes nothing
    /// (the caller may run it with other reads, <see cref="ITransactionRunner.ReadTogetherAsync{T}"/>). What it cannot read
    /// without writing is read in the job's transaction.
    /// </summary>
    public async Task PrepareAsync(AutomationJob job, CancellationToken ct)
    {
        job.Prepared = await ContextAsync(job, ct, readOnly: true);
        await configs.GetAsync(job.OrgId, ct);
    }

    private async Task<JobStop> RunStepsAsync(AutomationJob job, CancellationToken ct)
    {
        var steps = StepsOf(job);
        var context = job.Prepared ?? await ContextAsync(job, ct);
        job.Prepared = null;
        if (context is null) return JobStop.Done; // the thread or message is gone: nothing left to act on
        var loaded = new Dictionary<long, AutomationAction>();
        while (job.Stage < steps.Length && !job.Context.ThreadDeleted)
        {
            switch (steps[job.Stage])
            {
                case EndUserStep when context.EndUser is { } endUser:
                    job.Context.NewEndUser = await state.AddEndUserAsync(job.OrgId, endUser.Address.ToLowerInvariant(), endUser.Name, time.GetUtcNow(), ct);
                    break;
                case SpamStep:
                    if (spam.IsConfigured && job.OutsideAnswer is null)
                    {
                        var rawKey = context.Message!.RawBlobKey;
                        job.OutsideCall = async callCt => await CheckSpamAsync(rawKey, callCt);
                        return JobStop.NeedsCall;
                    }
                    // Without spamd the message was stored saying so; only a real answer is written.
                    var verdict = job.OutsideAnswer as SpamVerdict ?? context.Message!.Spam ?? new SpamVerdict(SpamVerdict.Skipped, null, null);
                    if (job.OutsideAnswer is not null) await state.SetMessageSpamAsync(job.OrgId, job.MessageId!, verdict, ct);
                    job.OutsideAnswer = null;
                    job.Context.Spam = context.Spam = verdict;
                    break;
                case TopicStep:
                    var found = TopicDetection.Detect((await configs.GetAsync(job.OrgId, ct)).Topics, context.Message!.Subject, context.Message.Text,
                        context.EndUser?.Address);
                    job.Context.Topics = found;
                    context.Topics = found;
                    if (found.Count > 0) await state.SetThreadTopicsAsync(job.OrgId, job.ThreadId!, found, ct);
                    break;
                case HookStep { Hook: Hooks.OnEndUserAdd } when !job.Context.NewEndUser:
                    break;
                case HookStep hook:
                    job.Remaining ??= await PlanAsync(job, hook.Hook, context.ChannelId, loaded, ct);
                    var stop = await RunActionsAsync(job, context, loaded, ct);
                    if (stop is { } stopped) return stopped;
                    break;
            }
            job.Stage++;
            job.Remaining = null;
        }
        return JobStop.Done;
    }

    /// <summary>The actions of a hook for the channel; for PostTopicDetection, the detected topics' actions come first.</summary>
    private async Task<List<PlannedAction>> PlanAsync(AutomationJob job, string hook, long? channelId, Dictionary<long, AutomationAction> loaded,
        CancellationToken ct)
    {
        var config = await configs.GetAsync(job.OrgId, ct);
        var links = hook == Hooks.PostTopicDetection && job.Context.Topics is { Count: > 0 } detected
            ? config.ForTopics(detected.Select(t => t.Id).ToList(), channelId).Concat(config.ForHook(hook, channelId))
            : config.ForHook(hook, channelId);
        var plan = new List<PlannedAction>();
        foreach (var link in links)
        {
            loaded[link.Action.Id] = link.Action;
            plan.Add(new PlannedAction(link.Action.Id, link.Hook, link.TopicId));
        }
        return plan;
    }

    /// <returns>Null when every remaining action ran; else why the job stops.</returns>
    private async Task<JobStop?> RunActionsAsync(AutomationJob job, ActionContext context, Dictionary<long, AutomationAction> loaded, CancellationToken ct)
    {
        while (job.Remaining is { Count: > 0 } remaining && !job.Context.ThreadDeleted)
        {
            var planned = remaining[0];
            if (!loaded.TryGetValue(planned.ActionId, out var action))
                loaded[planned.ActionId] = action = (await actions.GetAsync(job.OrgId, planned.ActionId, ct))!;
            if (action is null || !action.IsActive)
            {
                remaining.RemoveAt(0);
                continue;
            }
            var now = time.GetUtcNow();
            if (job.OutsideAnswer is null)
            {
                if (ExplainSkip(action, context, now) is { } reason)
                {
                    Record(job, planned, action, now, new ActionOutcome(RunOutcomes.Skipped, reason), now);
                    remaining.RemoveAt(0);
                    continue;
                }
                if (ActionExecutor.CallsOutside(action))
                {
                    var callContext = context;
                    job.OutsideCall = async callCt => await executor.CallAsync(action, callContext, callCt);
                    return JobStop.NeedsCall;
                }
            }
            var answer = job.OutsideAnswer as CallResult;
            job.OutsideAnswer = null;
            var outcome = await ApplyAsync(action, context, answer, ct);
            Record(job, planned, action, now, outcome, time.GetUtcNow());
            remaining.RemoveAt(0);
            job.Context.Values = context.Values;
            if (outcome.ThreadDeleted) job.Context.ThreadDeleted = true;
            if (action.ActionType == ActionTypes.Wait && action.Settings.WaitSeconds is > 0 and var seconds && remaining.Count + RestAfter(job) > 0)
            {
                job.DueAt = time.GetUtcNow().AddSeconds(seconds);
                return JobStop.Waiting;
            }
        }
        return null;
    }

    /// <summary>Whether anything could run after this stage (a Wait at the very end delays nothing).</summary>
    private static int RestAfter(AutomationJob job) => StepsOf(job).Length - job.Stage - 1;

    private string? ExplainSkip(AutomationAction action, ActionContext context, DateTimeOffset now)
    {
        try { return ActionExecutor.SkipReason(action, context, now); }
        catch (ValidationException e) { return $"its settings no longer hold: {e.Message}"; }
    }

    private async Task<ActionOutcome> ApplyAsync(AutomationAction action, ActionContext context, CallResult? answer, CancellationToken ct)
    {
        try { return await executor.ApplyAsync(action, context, answer, ct); }
        catch (MailroomException e) { return new ActionOutcome(RunOutcomes.Failed, e.Message); }
        catch (Exception e) when (e is not OperationCanceledException && e is not System.Data.Common.DbException)
        {
            logger.LogWarning(e, "action {ActionId} failed", action.Id);
            return new ActionOutcome(RunOutcomes.Failed, e.Message);
        }
    }

    private static void Record(AutomationJob job, PlannedAction planned, AutomationAction action, DateTimeOffset started, ActionOutcome outcome,
        DateTimeOffset finished) => job.Runs.Add(new ActionRun
    {
        OrgId = job.OrgId, ActionId = action.Id, ActionType = action.ActionType, Hook = planned.Hook, TopicId = planned.TopicId, ThreadId = job.ThreadId,
        MessageId = job.MessageId, JobId = job.Id, StartedAt = started, FinishedAt = finished, Outcome = outcome.Outcome, Error = outcome.Error,
        HttpStatus = outcome.HttpStatus,
    });

    private async Task<object> CheckSpamAsync(string? rawKey, CancellationToken ct)
    {
        try
        {
            if (rawKey is null) return new SpamVerdict(SpamVerdict.Failed, null, null);
            await using var stream = await blobs.OpenAsync(rawKey, ct);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct);
            return await spam.CheckAsync(buffer.ToArray(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "spam check failed");
            return new SpamVerdict(SpamVerdict.Failed, null, null);
        }
    }

    /// <summary>The job's message and thread as actions see them; null when they are gone.</summary>
    private async Task<ActionContext?> ContextAsync(AutomationJob job, CancellationToken ct, bool readOnly = false)
    {
        if (job.ThreadId is null || await state.GetThreadAsync(job.OrgId, job.ThreadId, ct) is not { } thread) return null;
        var inboxId = thread.InboxId;
        Message? message = null;
        if (job.MessageId is not null && inboxId is not null) message = await messages.GetAsync(job.OrgId, inboxId, job.MessageId, ct);
        if (message is null && job.Kind == JobKinds.Inbound) return null;
        long? channelId = null;
        if (inboxId is not null)
        {
            if (!_inboxChannels.TryGetValue(inboxId, out var id))
            {
                // An inbox's channel is numbered the first time it is asked for, a write.
                if (readOnly) return null;
                _inboxChannels[inboxId] = id = await channels.IdOfAsync(job.OrgId, ChannelKinds.Inbox, inboxId, ct);
            }
            channelId = id;
        }
        foreach (var (name, value) in thread.Values) job.Context.Values.TryAdd(name, value);
        return new ActionContext
        {
            OrgId = job.OrgId, Message = message, ThreadId = thread.ThreadId, InboxId = inboxId, ThreadStatus = thread.Status, ThreadSubject = thread.Subject,
            ChannelId = channelId, ChannelAddress = thread.InboxAddress, Spam = job.Context.Spam, Topics = job.Context.Topics ?? thread.Topics, ThreadSpam = thread.Spam,
            Values = job.Context.Values, JobId = job.Id,
        };
    }

    /// <summary>
    /// Runs one action now, for <c>UserTriggered</c> (on a thread) or a function-tool invocation (with arguments checked
    /// against its schema). Its schedule and rules are not consulted: a person or a model asked for it.
    /// </summary>
    public async Task<(ActionRun Run, string? Result)> RunNowAsync(string orgId, long actionId, string? threadId, JsonElement? arguments,
        ITransactionRunner transactions, CancellationToken ct)
    {
        var action = await actions.GetAsync(orgId, actionId, ct) ?? throw new NotFoundException("action");
        if (!action.IsActive) throw new ValidationException("is_active", "the action is not active");
        if (arguments is { } args)
        {
            if (!action.IsFunctionTool) throw new ValidationException("is_function_tool", "the action is not a function tool");
            if (FunctionSchema.Violations(FunctionSchema.Parse(action.Settings.FunctionParametersSchema), args) is { } violations)
                throw new ValidationException("arguments", violations);
        }
        ActionContext context;
        if (threadId is not null)
        {
            var thread = await state.GetThreadAsync(orgId, threadId, ct) ?? throw new NotFoundException("thread");
            var message = (await messages.ListNewestInThreadAsync(orgId, threadId, 1, MessageDirection.Inbound, ct)).FirstOrDefault()
                          ?? (await messages.ListNewestInThreadAsync(orgId, threadId, 1, ct: ct)).FirstOrDefault();
            long? channelId = thread.InboxId is null ? null : await channels.IdOfAsync(orgId, ChannelKinds.Inbox, thread.InboxId, ct);
            context = new ActionContext
            {
                OrgId = orgId, Message = message, ThreadId = threadId, InboxId = thread.InboxId, ThreadStatus = thread.Status, ThreadSubject = thread.Subject,
                ChannelId = channelId, ChannelAddress = thread.InboxAddress, Topics = thread.Topics, Values = thread.Values.ToDictionary(), Arguments = arguments,
                Spam = message?.Spam, ThreadSpam = thread.Spam,
            };
        }
        else context = new ActionContext { OrgId = orgId, Values = [], Arguments = arguments };

        var started = time.GetUtcNow();
        var answer = ActionExecutor.CallsOutside(action) ? await executor.CallAsync(action, context, ct) : null;
        return await transactions.InTransactionAsync(async () =>
        {
            var outcome = await ApplyAsync(action, context, answer, ct);
            var run = new ActionRun
            {
                OrgId = orgId, ActionId = action.Id, ActionType = action.ActionType, Hook = arguments is null ? Hooks.UserTriggered : null,
                ThreadId = threadId, MessageId = context.Message?.Id, StartedAt = started, FinishedAt = time.GetUtcNow(), Outcome = outcome.Outcome,
                Error = outcome.Error, HttpStatus = outcome.HttpStatus,
            };
            await runs.RecordAsync(run, returnId: true, ct);
            return (run, outcome.Result);
        }, ct);
    }
}
