namespace Mailroom.Core.Automation;

/// <summary>
/// Automation work for one thread: the inbound pipeline for a received message, or one hook (OnClose). Queued in the
/// transaction of the change, claimed with a lease, and saved at every stop (a Wait, a call outside, the end), so that a
/// restart resumes it where it stopped: at <see cref="Stage"/>, with the <see cref="Remaining"/> actions of that stage.
/// </summary>
public sealed class AutomationJob
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Kind { get; init; }
    public string? ThreadId { get; init; }
    public string? MessageId { get; init; }
    public string? InboxId { get; init; }
    public int Stage { get; set; }
    /// <summary>The actions of the current stage still to run, in order, with where they came from; null before the stage began.</summary>
    public List<PlannedAction>? Remaining { get; set; }
    /// <summary>What earlier steps learned: mapped values, the spam verdict, detected topics, whether the sender is new.</summary>
    public JobContext Context { get; set; } = new();
    public string State { get; set; } = JobStates.Queued;
    public DateTimeOffset DueAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>The answer of the call outside that the job stopped for (kept in memory only: after a crash the call is made again).</summary>
    public object? OutsideAnswer { get; set; }
    /// <summary>The job's message and thread, read before its transaction so that the transaction holds only writes.</summary>
    public ActionContext? Prepared { get; set; }
    /// <summary>The call outside the job stopped for, to be made with no transaction open.</summary>
    public Func<CancellationToken, Task<object>>? OutsideCall { get; set; }
    /// <summary>The runs of this advance, written together with the job's new state.</summary>
    public List<ActionRun> Runs { get; } = [];
}

/// <summary>An action to run, and the hook or topic it runs for.</summary>
public sealed record PlannedAction(long ActionId, string? Hook, long? TopicId);

public sealed class JobContext
{
    public Dictionary<string, string> Values { get; set; } = [];
    public SpamVerdict? Spam { get; set; }
    public List<DetectedTopic>? Topics { get; set; }
    public bool NewEndUser { get; set; }
    public bool ThreadDeleted { get; set; }
}

public static class JobKinds
{
    /// <summary>A received message: PreSpam, spam check, PostSpam, topic detection, PostTopicDetection, OnEndUserAdd.</summary>
    public const string Inbound = "inbound";
    /// <summary>The OnClose hook of a thread just closed.</summary>
    public const string OnClose = "on_close";
    /// <summary>A draft of the thread escalated and its secondary channel took the card: OnEscalate, then PostEscalate.</summary>
    public const string Escalated = "escalated";
    /// <summary>A draft of the thread escalated but its secondary channel could not take the card: OnEscalate, then OnEscalateFailed.</summary>
    public const string EscalationFailed = "escalation_failed";
}

public static class JobStates
{
    public const string Queued = "queued";
    public const string Failed = "failed";
}

public interface IAutomationJobRepository
{
    Task EnqueueAsync(AutomationJob job, CancellationToken ct = default);
    Task<IReadOnlyList<AutomationJob>> ClaimDueAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct = default);
    /// <summary>Saves progress; releases the lease unless <paramref name="keepLease"/> (a call outside is about to be made). A Wait sets a later due time.</summary>
    Task SaveAsync(AutomationJob job, bool keepLease, CancellationToken ct = default);
    /// <summary>Removes a finished job.</summary>
    Task CompleteAsync(string id, CancellationToken ct = default);
}

/// <summary>SpamAssassin's answer on a message, or that no check ran.</summary>
public sealed record SpamVerdict(string Verdict, double? Score, double? Threshold)
{
    public const string Spam = "spam";
    public const string Ham = "ham";
    /// <summary>No spam checker is configured (<c>Mailroom:Spam:Spamd</c> unset).</summary>
    public const string Skipped = "skipped";
    /// <summary>spamd was configured but gave no answer.</summary>
    public const string Failed = "failed";

    public bool IsSpam => Verdict == Spam;
}

/// <summary>Checks a raw message for spam (spamd over the spamc protocol); null when none is configured.</summary>
public interface ISpamChecker
{
    bool IsConfigured { get; }
    Task<SpamVerdict> CheckAsync(byte[] raw, CancellationToken ct);
}

/// <summary>An outbound HTTP call an ApiCall action makes, through the guarded client.</summary>
public sealed record ApiRequest(string Method, Uri Url, IReadOnlyDictionary<string, string> Headers, string? Body, TimeSpan Timeout);

public sealed record ApiResponse(int Status, string Body);

public interface IAutomationHttp
{
    /// <exception cref="AutomationCallException">The call could not be made or did not complete in time.</exception>
    Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken ct);
}

public sealed class AutomationCallException(string message) : Exception(message);
