namespace Mailroom.Core.Automation;

/// <summary>What an action does when it runs (the spec's <c>actionType</c> values).</summary>
public static class ActionTypes
{
    public const string Close = "Close";
    public const string Delete = "Delete";
    public const string Spam = "Spam";
    public const string Forward = "Forward";
    public const string Send = "Send";
    public const string Reply = "Reply";
    public const string ReplySend = "ReplySend";
    public const string ApiCall = "ApiCall";
    public const string Wait = "Wait";
    public const string DetectTopics = "DetectTopics";

    public static readonly IReadOnlyList<string> All = [Close, Delete, Spam, Forward, Send, Reply, ReplySend, ApiCall, Wait, DetectTopics];

    /// <summary>The spelling stored for a name given in any case; null for an unknown one.</summary>
    public static string? Canonical(string? name) => All.FirstOrDefault(t => string.Equals(t, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>The workflow events actions link to (the spec's thirteen hook names) and which of them fire in Mailroom today.</summary>
public static class Hooks
{
    public const string PreSpam = "PreSpam";
    public const string PostSpam = "PostSpam";
    public const string PostTopicDetection = "PostTopicDetection";
    public const string OnEscalate = "OnEscalate";
    public const string OnClose = "OnClose";
    public const string OnEndUserUpdate = "OnEndUserUpdate";
    public const string OnEndUserAdd = "OnEndUserAdd";
    public const string OnEndUserDelete = "OnEndUserDelete";
    public const string UserTriggered = "UserTriggered";
    public const string PostEscalate = "PostEscalate";
    public const string OnEscalateFailed = "OnEscalateFailed";
    public const string OnPhonePickup = "OnPhonePickup";
    public const string OnPhonePickupSay = "OnPhonePickupSay";

    public static readonly IReadOnlyList<string> All =
    [
        PreSpam, PostSpam, PostTopicDetection, OnEscalate, OnClose, OnEndUserUpdate, OnEndUserAdd, OnEndUserDelete, UserTriggered,
        PostEscalate, OnEscalateFailed, OnPhonePickup, OnPhonePickupSay,
    ];

    /// <summary>The spelling stored for a name given in any case; null for an unknown one.</summary>
    public static string? Canonical(string? name) => All.FirstOrDefault(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>An action's configuration: every field of the spec's action definition but its name, type and switches.</summary>
public sealed record ActionSettings
{
    public string? ApiEndpoint { get; init; }
    public string? ApiMethod { get; init; }
    public string? ApiHeaders { get; init; }
    public string? ApiBodyTemplate { get; init; }
    public string? FieldMapping { get; init; }
    public string? ResponseFieldMapping { get; init; }
    public string? OverrideApiBaseUrl { get; init; }
    public string? OverrideApiUsername { get; init; }
    public string? OverrideApiAuthenticationType { get; init; }
    public string? ConditionalRules { get; init; }
    public string? ForwardRecipients { get; init; }
    public string? ForwardPhoneNumber { get; init; }
    public int? WaitSeconds { get; init; }
    public string? ActionSchedule { get; init; }
    public string? ActionScheduleTimeZoneId { get; init; }
    public string? FunctionParametersSchema { get; init; }
    public int? ToolCallTimeoutSeconds { get; init; }
}

/// <summary>The outbound credentials of an action, sealed at rest and never shown in clear.</summary>
public sealed record ActionSecrets(string? Password, string? Token)
{
    public bool IsEmpty => Password is null && Token is null;
}

/// <summary>A reusable automation action of an organization; priorities live on its topic and hook links.</summary>
public sealed class AutomationAction
{
    public long Id { get; set; }
    public required string OrgId { get; init; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required string ActionType { get; set; }
    public bool IsActive { get; set; }
    public bool IsFunctionTool { get; set; }
    public ActionSettings Settings { get; set; } = new();
    public ActionSecrets Secrets { get; set; } = new(null, null);
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A subject a message can be about, recognised by its rules (see <see cref="TopicDetection"/>).</summary>
public sealed class Topic
{
    public long Id { get; set; }
    public required string OrgId { get; init; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// <summary>Words or phrases found anywhere in the subject or text, ignoring case.</summary>
    public List<string> Keywords { get; set; } = [];
    public TopicRules Rules { get; set; } = new();
    public bool IsActive { get; set; } = true;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Further detection rules of a topic: whole phrases, regular expressions and senders.</summary>
public sealed record TopicRules
{
    /// <summary>Found as whole words in the subject or text, ignoring case.</summary>
    public List<string> Phrases { get; init; } = [];
    /// <summary>.NET regular expressions tried on the subject and text, ignoring case.</summary>
    public List<string> Patterns { get; init; } = [];
    /// <summary>An address (<c>a@b.example</c>) or a whole domain (<c>@b.example</c>) of the sender.</summary>
    public List<string> Senders { get; init; } = [];
}

/// <summary>Links an action to a topic (or special topic), optionally for one channel, with a priority.</summary>
public sealed class TopicActionLink
{
    public long Id { get; set; }
    public required string OrgId { get; init; }
    public long? TopicId { get; init; }
    public string? SpecialTopic { get; init; }
    public long DocumentId { get; init; }
    public long? ChannelId { get; init; }
    public string? SpecialChannel { get; init; }
    public long ActionId { get; init; }
    public int Priority { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Read with the link: the action's name, type and switch.</summary>
    public string? ActionName { get; init; }
    public bool ActionIsActive { get; init; }
}

/// <summary>Links an action to a hook, optionally for one channel, with a priority.</summary>
public sealed class HookActionLink
{
    public long Id { get; set; }
    public required string OrgId { get; init; }
    public required string Hook { get; init; }
    public long? ChannelId { get; init; }
    public long ActionId { get; init; }
    public int Priority { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public string? ActionName { get; init; }
    public string? ActionType { get; init; }
    public bool ActionIsActive { get; init; }
}

/// <summary>Where mail or calls arrive, under a stable integer id: an inbox today, a phone number once they exist.</summary>
public sealed record AutomationChannel(long Id, string OrgId, string Kind, string TargetId, string? Address, string? Name);

public static class ChannelKinds
{
    public const string Inbox = "inbox";
    public const string PhoneNumber = "phone_number";
}

/// <summary>One run of one action, as recorded.</summary>
public sealed class ActionRun
{
    public long Id { get; set; }
    public required string OrgId { get; init; }
    public long ActionId { get; init; }
    public required string ActionType { get; init; }
    public string? Hook { get; init; }
    public long? TopicId { get; init; }
    public string? ThreadId { get; init; }
    public string? MessageId { get; init; }
    public string? JobId { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; set; }
    public required string Outcome { get; set; }
    public string? Error { get; set; }
    public int? HttpStatus { get; set; }
}

public static class RunOutcomes
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    /// <summary>Not run: its rules did not hold, it was outside its schedule, or its thread was gone.</summary>
    public const string Skipped = "skipped";
}

/// <summary>How lists are ordered: a field of the listed thing and a direction.</summary>
public sealed record ListOrder(string Field, bool Descending);
