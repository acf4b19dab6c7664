using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Common;
using Mailroom.Core.Drafts;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Messaging;
using Mailroom.Mime;

namespace Mailroom.Core.Automation;

/// <summary>The answer of a call an action made outside (an ApiCall), or why it failed.</summary>
public sealed record CallResult(int? Status, string? Body, string? Error);

/// <summary>How one action ended, and what it changed that the steps after it must know.</summary>
public sealed record ActionOutcome(string Outcome, string? Error = null, int? HttpStatus = null, string? Result = null, bool ThreadDeleted = false);

/// <summary>
/// What each action type does. <see cref="CallAsync"/> makes an ApiCall's request, outside any transaction;
/// <see cref="ApplyAsync"/> does the rest inside the caller's transaction (close, delete, spam, forward, send, reply,
/// the values an answer maps). Sends carry an idempotency key made of the run's job and action, so an action run again
/// after a crash sends nothing twice.
/// </summary>
public sealed class ActionExecutor(Correspondence correspondence, MailDeletion deletion, IMessageRepository messages, IAutomationStateRepository state,
    IAutomationJobRepository jobs, AutomationConfigCache configs, DraftService drafts, IAutomationHttp http, IAutomationQueueSignal signal, Templates templates,
    TimeProvider time)
{
    private const int DefaultTimeoutSeconds = 30;
    public const string SpamLabel = "spam";
    /// <summary>Who wrote a Reply action's draft, as the drafts show it (<c>created_by</c>).</summary>
    public const string ReplyAuthor = "automation";

    /// <summary>Why the action does not run now (its schedule, its rules), or null when it runs.</summary>
    public static string? SkipReason(AutomationAction action, ActionContext context, DateTimeOffset now)
    {
        if (ActionSchedule.Parse(action.Settings.ActionSchedule, action.Settings.ActionScheduleTimeZoneId) is { } schedule && !schedule.IsOpen(now))
            return "outside its schedule";
        var rules = ConditionalRules.Parse(action.Settings.ConditionalRules);
        return rules == ConditionalRules.Always || rules.Holds(context.Facts()) ? null : "its conditional rules do not hold";
    }

    public static bool CallsOutside(AutomationAction action) => action.ActionType == ActionTypes.ApiCall;

    public async Task<CallResult> CallAsync(AutomationAction action, ActionContext context, CancellationToken ct)
    {
        var s = action.Settings;
        var model = context.TemplateModel();
        try
        {
            var endpoint = templates.Render(s.ApiEndpoint, model);
            var url = Uri.TryCreate(endpoint, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https"
                ? absolute
                : new Uri((s.OverrideApiBaseUrl ?? "").TrimEnd('/') + "/" + endpoint.TrimStart('/'));
            var headers = ActionService.StringMap("api_headers", s.ApiHeaders);
            var (user, password, token) = (s.OverrideApiUsername, action.Secrets.Password, action.Secrets.Token);
            switch (s.OverrideApiAuthenticationType)
            {
                case "Basic":
                    headers["Authorization"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
                    break;
                case "Bearer":
                    headers["Authorization"] = "Bearer " + token;
                    break;
            }
            var body = Body(s, context, model);
            var method = s.ApiMethod ?? (body is null ? "GET" : "POST");
            var timeout = TimeSpan.FromSeconds(s.ToolCallTimeoutSeconds ?? DefaultTimeoutSeconds);
            var response = await http.SendAsync(new ApiRequest(method, url, headers, method is "GET" or "DELETE" && body == "" ? null : body, timeout), ct);
            return new CallResult(response.Status, response.Body, null);
        }
        catch (Exception e) when (e is AutomationCallException or UriFormatException or ValidationException or HandlebarsDotNet.HandlebarsException)
        {
            return new CallResult(null, null, e.Message);
        }
    }

    /// <summary>The rendered apiBodyTemplate; without one, the fieldMapping as a JSON object (external name: context value).</summary>
    private string? Body(ActionSettings s, ActionContext context, Dictionary<string, object?> model)
    {
        if (!string.IsNullOrEmpty(s.ApiBodyTemplate)) return templates.Render(s.ApiBodyTemplate, model);
        var mapping = ActionService.StringMap("field_mapping", s.FieldMapping);
        if (mapping.Count == 0) return null;
        var body = new JsonObject();
        foreach (var (external, path) in mapping) body[external] = context.Lookup(path);
        return body.ToJsonString();
    }

    public async Task<ActionOutcome> ApplyAsync(AutomationAction action, ActionContext context, CallResult? call, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var key = $"automation:{context.JobId ?? Ids.Sortable(time)}:{action.Id}";
        switch (action.ActionType)
        {
            case ActionTypes.ApiCall:
            {
                var answered = Answered(action, context, call!);
                if (answered.Outcome == RunOutcomes.Succeeded && context.ThreadId is { } thread && !string.IsNullOrEmpty(action.Settings.ResponseFieldMapping))
                    await state.SetThreadValuesAsync(context.OrgId, thread, context.Values, ct);
                return answered;
            }
            case ActionTypes.Wait:
                return new ActionOutcome(RunOutcomes.Succeeded);
            case ActionTypes.DetectTopics:
            {
                var (thread, message) = Mail(context);
                var found = TopicDetection.Detect((await configs.GetAsync(context.OrgId, ct)).Topics, message.Subject, message.Text, context.EndUser?.Address);
                // Unchanged topics are not written again.
                if (!found.SequenceEqual(context.Topics)) await state.SetThreadTopicsAsync(context.OrgId, thread, found, ct);
                context.Topics = found;
                return new ActionOutcome(RunOutcomes.Succeeded, Result: JsonSerializer.Serialize(found.Select(t => t.Name)));
            }
            case ActionTypes.Close:
            {
                var (thread, _) = Mail(context);
                if (await state.SetThreadStatusAsync(context.OrgId, thread, ThreadStatuses.Closed, now, ct))
                {
                    await jobs.EnqueueAsync(new AutomationJob
                    {
                        Id = Ids.New(AutomationTrigger.JobIdPrefix, time), OrgId = context.OrgId, Kind = JobKinds.OnClose, ThreadId = thread,
                        MessageId = context.Message?.Id, InboxId = context.InboxId, DueAt = now, CreatedAt = now, UpdatedAt = now,
                    }, ct);
                    signal.Notify();
                }
                return new ActionOutcome(RunOutcomes.Succeeded);
            }
            case ActionTypes.Delete:
            {
                var (thread, _) = Mail(context);
                await deletion.DeleteThreadAsync(context.OrgId, Inbox(context), thread, ct);
                return new ActionOutcome(RunOutcomes.Succeeded, ThreadDeleted: true);
            }
            case ActionTypes.Spam:
            {
                var (thread, message) = Mail(context);
                if (!context.ThreadSpam) await state.SetThreadSpamAsync(context.OrgId, thread, true, now, ct);
                context.ThreadSpam = true;
                if (!message.Labels.Contains(SpamLabel))
                {
                    message.Labels = Labels.Check([.. message.Labels, SpamLabel]);
                    message.UpdatedAt = now;
                    await messages.UpdateLabelsAsync(message, ct);
                }
                return new ActionOutcome(RunOutcomes.Succeeded);
            }
            case ActionTypes.Forward:
            {
                var (_, message) = Mail(context);
                var to = ActionService.Recipients(action.Settings.ForwardRecipients);
                var sent = await correspondence.ForwardAsync(context.OrgId, Inbox(context), message.Id, new ForwardContent(to, [], null, null, []), key, ct);
                return new ActionOutcome(RunOutcomes.Succeeded, Result: sent.MessageId);
            }
            case ActionTypes.Send:
            {
                var to = ActionService.Recipients(action.Settings.ForwardRecipients);
                if (to.Count == 0 && context.EndUser is { } endUser) to.Add(new MailboxAddress(null, endUser.Address));
                var mail = new OutgoingMail { To = to, Subject = context.ThreadSubject ?? context.Message?.Subject, Text = Text(action, context) };
                var sent = await correspondence.SendAsync(context.OrgId, Inbox(context), mail, key, ct);
                return new ActionOutcome(RunOutcomes.Succeeded, Result: sent.MessageId);
            }
            case ActionTypes.ReplySend:
            {
                var (_, message) = Mail(context);
                var sent = await correspondence.ReplyAsync(context.OrgId, Inbox(context), message.Id, new ReplyContent(Text(action, context), null, [], [], []),
                    all: false, key, ct);
                return new ActionOutcome(RunOutcomes.Succeeded, Result: sent.MessageId);
            }
            case ActionTypes.Reply:
            {
                // The identity's approval flow, as a draft submitted over /v1: announced on its approval channels after
                // this transaction commits, or approved and sent where the identity auto-approves replies; to the sender
                // (Reply-To first), in the thread, answering this message.
                var (thread, message) = Mail(context);
                var draft = await drafts.SubmitWithinTransactionAsync(context.OrgId, new NewDraft
                {
                    IdentityId = Inbox(context), ThreadId = thread, BasedOnMessageId = message.Id, Text = Text(action, context),
                    Rationale = $"written by the automation action {action.Name}",
                }, ReplyAuthor, message, ct);
                return new ActionOutcome(RunOutcomes.Succeeded, Result: draft.Id);
            }
            default:
                throw new ValidationException("action_type", $"{action.ActionType} cannot run");
        }
    }

    /// <summary>Records the status; on 2xx stores what responseFieldMapping names, on the thread and in the context for the next actions.</summary>
    private ActionOutcome Answered(AutomationAction action, ActionContext context, CallResult call)
    {
        if (call.Error is not null) return new ActionOutcome(RunOutcomes.Failed, call.Error);
        if (call.Status is not (>= 200 and < 300)) return new ActionOutcome(RunOutcomes.Failed, $"answered HTTP {call.Status}", call.Status, call.Body);
        var mapping = ActionService.StringMap("response_field_mapping", action.Settings.ResponseFieldMapping);
        if (mapping.Count > 0)
        {
            JsonNode? root;
            try { root = JsonNode.Parse(call.Body ?? ""); }
            catch (JsonException) { return new ActionOutcome(RunOutcomes.Failed, "the answer is not JSON, so responseFieldMapping cannot read it", call.Status, call.Body); }
            foreach (var (name, path) in mapping)
                if (ActionContext.Select(root, path) is { } value) context.Values[name] = value;
        }
        return new ActionOutcome(RunOutcomes.Succeeded, null, call.Status, call.Body);
    }

    private string Text(AutomationAction action, ActionContext context) => templates.Render(action.Settings.ApiBodyTemplate, context.TemplateModel());

    private static (string Thread, Message Message) Mail(ActionContext context) =>
        context is { ThreadId: { } thread, Message: { } message } ? (thread, message) : throw new ValidationException("thread_id", "this action needs a thread");

    private static string Inbox(ActionContext context) =>
        context.InboxId ?? throw new ValidationException("inbox_id", "the thread's inbox no longer exists");
}

/// <summary>Wakes the automation workers of this process when a job is queued.</summary>
public interface IAutomationQueueSignal
{
    void Notify();
}
