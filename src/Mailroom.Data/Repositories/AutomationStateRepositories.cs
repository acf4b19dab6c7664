using Mailroom.Core.Automation;
using Mailroom.Core.Common;

namespace Mailroom.Data.Repositories;

public sealed class AutomationChannelRepository(MailroomDatabase db, TimeProvider time) : IAutomationChannelRepository
{
    private sealed class Row
    {
        public long Id { get; set; }
        public string OrgId { get; set; } = "";
        public string Kind { get; set; } = "";
        public string TargetId { get; set; } = "";
        public string? Username { get; set; }
        public string? Domain { get; set; }
        public string? DisplayName { get; set; }
        public string? E164 { get; set; }
    }

    /// <summary>Channels whose inbox or phone number still exists (a removed one keeps its row, and so its id, but is not shown).</summary>
    private const string Select = "SELECT c.id, c.org_id, c.kind, c.target_id, i.username, i.domain, i.display_name, p.e164 FROM automation_channels c " +
                                  "LEFT JOIN inboxes i ON c.kind = 'inbox' AND i.id = c.target_id " +
                                  "LEFT JOIN phone_numbers p ON c.kind = 'phone_number' AND p.id = c.target_id ";

    private const string Exists = "(i.id IS NOT NULL OR p.id IS NOT NULL)";

    private static AutomationChannel Map(Row r) => new(r.Id, r.OrgId, r.Kind, r.TargetId,
        r.Kind == ChannelKinds.PhoneNumber ? r.E164 : r.Username is null ? null : $"{r.Username}@{r.Domain}", r.DisplayName);

    public async Task<long> IdOfAsync(string orgId, string kind, string targetId, CancellationToken ct = default)
    {
        var existing = await db.QuerySingleOrDefaultAsync<long?>("SELECT id FROM automation_channels WHERE kind = @kind AND target_id = @targetId",
            new { kind, targetId }, ct);
        if (existing is { } id) return id;
        await db.ExecuteAsync("INSERT INTO automation_channels (org_id, kind, target_id, created_at) VALUES (@orgId, @kind, @targetId, @at) ON CONFLICT DO NOTHING",
            new { orgId, kind, targetId, at = Time.Ms(time.GetUtcNow()) }, ct);
        return await db.ScalarAsync<long>("SELECT id FROM automation_channels WHERE kind = @kind AND target_id = @targetId", new { kind, targetId }, ct);
    }

    public async Task<IReadOnlyList<AutomationChannel>> ListAsync(string orgId, CancellationToken ct = default)
    {
        await db.ExecuteAsync(
            "INSERT INTO automation_channels (org_id, kind, target_id, created_at) SELECT i.org_id, 'inbox', i.id, @at FROM inboxes i " +
            "WHERE i.org_id = @orgId AND NOT EXISTS (SELECT 1 FROM automation_channels c WHERE c.kind = 'inbox' AND c.target_id = i.id) ORDER BY i.id " +
            "ON CONFLICT DO NOTHING", new { orgId, at = Time.Ms(time.GetUtcNow()) }, ct);
        await db.ExecuteAsync(
            "INSERT INTO automation_channels (org_id, kind, target_id, created_at) SELECT p.org_id, 'phone_number', p.id, @at FROM phone_numbers p " +
            "WHERE p.org_id = @orgId AND NOT EXISTS (SELECT 1 FROM automation_channels c WHERE c.kind = 'phone_number' AND c.target_id = p.id) ORDER BY p.id " +
            "ON CONFLICT DO NOTHING", new { orgId, at = Time.Ms(time.GetUtcNow()) }, ct);
        return (await db.QueryAsync<Row>(Select + $"WHERE c.org_id = @orgId AND {Exists} ORDER BY c.id", new { orgId }, ct)).Select(Map).ToList();
    }

    public async Task<AutomationChannel?> GetAsync(string orgId, long id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(Select + $"WHERE c.org_id = @orgId AND c.id = @id AND {Exists}", new { orgId, id }, ct);
        return row is null ? null : Map(row);
    }

    public async Task<long> CustomerNumberAsync(string orgId, CancellationToken ct = default)
    {
        if (await db.QuerySingleOrDefaultAsync<long?>("SELECT id FROM automation_customers WHERE org_id = @orgId", new { orgId }, ct) is { } id) return id;
        await db.ExecuteAsync("INSERT INTO automation_customers (org_id) VALUES (@orgId) ON CONFLICT DO NOTHING", new { orgId }, ct);
        return await db.ScalarAsync<long>("SELECT id FROM automation_customers WHERE org_id = @orgId", new { orgId }, ct);
    }
}

public sealed class ActionRunRepository(MailroomDatabase db) : IActionRunRepository
{
    private const string Columns = "id, org_id, action_id, action_type, hook, topic_id, thread_id, message_id, job_id, started_at, finished_at, outcome, error, http_status";

    private sealed class Row
    {
        public long Id { get; set; }
        public string OrgId { get; set; } = "";
        public long ActionId { get; set; }
        public string ActionType { get; set; } = "";
        public string? Hook { get; set; }
        public long? TopicId { get; set; }
        public string? ThreadId { get; set; }
        public string? MessageId { get; set; }
        public string? JobId { get; set; }
        public long StartedAt { get; set; }
        public long? FinishedAt { get; set; }
        public string Outcome { get; set; } = "";
        public string? Error { get; set; }
        public long? HttpStatus { get; set; }
    }

    private static ActionRun Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, ActionId = r.ActionId, ActionType = r.ActionType, Hook = r.Hook, TopicId = r.TopicId, ThreadId = r.ThreadId,
        MessageId = r.MessageId, JobId = r.JobId, StartedAt = Time.At(r.StartedAt), FinishedAt = r.FinishedAt is { } f ? Time.At(f) : null,
        Outcome = r.Outcome, Error = r.Error, HttpStatus = (int?)r.HttpStatus,
    };

    private const string Insert =
        "INSERT INTO action_runs (org_id, action_id, action_type, hook, topic_id, thread_id, message_id, job_id, started_at, finished_at, outcome, error, http_status) VALUES ";
    private static readonly string[] RunFields =
        ["OrgId", "ActionId", "ActionType", "Hook", "TopicId", "ThreadId", "MessageId", "JobId", "StartedAt", "FinishedAt", "Outcome", "Error", "HttpStatus"];
    /// <summary>Rows per INSERT: an automation batch's runs go in a few statements, well under every parameter limit.</summary>
    private const int RowsPerInsert = 50;

    public async Task RecordAsync(ActionRun run, bool returnId, CancellationToken ct = default)
    {
        var args = new Dictionary<string, object?>();
        var values = AddRow(args, run, 0);
        await db.InTransactionAsync(async () =>
        {
            if (returnId) run.Id = await db.ScalarAsync<long>(Insert + values + " RETURNING id", args, ct);
            else await db.ExecuteAsync(Insert + values, args, ct);
            await db.AddToCountsAsync("organizations", run.OrgId, [("action_run_count", 1)], ct);
            return true;
        }, ct);
    }

    public async Task RecordAllAsync(IReadOnlyList<ActionRun> runs, CancellationToken ct = default)
    {
        // SQLite: one prepared single-row INSERT per run (its transaction keeps the statement; Microsoft.Data.Sqlite looks
        // every parameter up by name, so a many-row statement costs the square of its rows). PostgreSQL: rows together,
        // one round trip.
        foreach (var chunk in runs.Chunk(db.Provider == DatabaseProvider.Sqlite ? 1 : RowsPerInsert))
        {
            var args = new Dictionary<string, object?>();
            await db.ExecuteAsync(Insert + string.Join(", ", chunk.Select((run, i) => AddRow(args, run, i))), args, ct);
        }
        // The list's total, in the caller's transaction (summed there and written once per organization at commit).
        foreach (var org in runs.GroupBy(r => r.OrgId)) await db.AddToCountsAsync("organizations", org.Key, [("action_run_count", org.Count())], ct);
    }

    /// <returns>The row's VALUES tuple, its parameters suffixed with <paramref name="row"/>.</returns>
    private static string AddRow(Dictionary<string, object?> args, ActionRun run, int row)
    {
        object?[] values =
        [
            run.OrgId, run.ActionId, run.ActionType, run.Hook, run.TopicId, run.ThreadId, run.MessageId, run.JobId, Time.Ms(run.StartedAt),
            run.FinishedAt is { } f ? Time.Ms(f) : null, run.Outcome, run.Error is { Length: > 2000 } e ? e[..2000] : run.Error, run.HttpStatus,
        ];
        for (var i = 0; i < RunFields.Length; i++) args[RunFields[i] + row] = values[i];
        return "(" + string.Join(", ", RunFields.Select(name => "@" + name + row)) + ")";
    }

    public Task<Page<ActionRun>> ListAsync(string orgId, string? threadId, PageRequest page, CancellationToken ct = default)
    {
        // A thread's runs are few and counted; the organization's are many and their total is kept (migration 0019).
        var where = threadId is null ? "org_id = @orgId" : "org_id = @orgId AND thread_id = @threadId";
        var total = threadId is null
            ? "SELECT COALESCE((SELECT action_run_count FROM organizations WHERE id = @orgId), 0)"
            : $"SELECT COUNT(*) FROM action_runs WHERE {where}";
        return db.PageThroughIndexAsync<Row, ActionRun>("action_runs", Columns, $"SELECT id FROM action_runs WHERE {where} ORDER BY id", "id", total,
            new() { ["orgId"] = orgId, ["threadId"] = threadId }, page, Map, ct);
    }
}

public sealed class AutomationStateRepository(MailroomDatabase db) : IAutomationStateRepository
{
    private sealed class ThreadRow
    {
        public string Id { get; set; } = "";
        public string? InboxId { get; set; }
        public string? InboxAddress { get; set; }
        public string? Subject { get; set; }
        public string Status { get; set; } = "";
        public bool Spam { get; set; }
        public string? TopicsJson { get; set; }
        public string? AutomationValuesJson { get; set; }
    }

    public async Task<ThreadAutomationState?> GetThreadAsync(string orgId, string threadId, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<ThreadRow>(
            "SELECT id, inbox_id, inbox_address, subject, status, spam, topics_json, automation_values_json FROM threads WHERE org_id = @orgId AND id = @threadId",
            new { orgId, threadId }, ct);
        return row is null ? null : new ThreadAutomationState(row.Id, row.InboxId, row.InboxAddress, row.Subject, row.Status, row.Spam,
            StoredJson.Read<List<DetectedTopic>>(row.TopicsJson, []), StoredJson.Read<Dictionary<string, string>>(row.AutomationValuesJson, []));
    }

    public async Task<bool> SetThreadStatusAsync(string orgId, string threadId, string status, DateTimeOffset at, CancellationToken ct = default) =>
        await db.ExecuteAsync("UPDATE threads SET status = @status, updated_at = @at WHERE org_id = @orgId AND id = @threadId AND status <> @status",
            new { orgId, threadId, status, at = Time.Ms(at) }, ct) > 0;

    private sealed class SpamRow
    {
        public string? InboxId { get; set; }
        public bool Spam { get; set; }
        public long MessageCount { get; set; }
    }

    /// <summary>
    /// Marks or unmarks the thread and its messages, and moves them between the inbox's default and spam counts, in one
    /// transaction under the thread's lock (PostgreSQL), which adding a message to the thread takes too (Threading).
    /// </summary>
    public Task<bool> SetThreadSpamAsync(string orgId, string threadId, bool spam, DateTimeOffset at, CancellationToken ct = default) =>
        db.InTransactionAsync(async () =>
        {
            var forUpdate = db.Provider == DatabaseProvider.Postgres ? " FOR UPDATE" : "";
            var thread = await db.QuerySingleOrDefaultAsync<SpamRow>(
                $"SELECT inbox_id, spam, message_count FROM threads WHERE org_id = @orgId AND id = @threadId{forUpdate}", new { orgId, threadId }, ct);
            if (thread is null || thread.Spam == spam) return false;
            await db.ExecuteAsync("UPDATE threads SET spam = @spam, updated_at = @at WHERE id = @threadId", new { threadId, spam, at = Time.Ms(at) }, ct);
            var moved = await db.ExecuteAsync("UPDATE messages SET spam = @spam WHERE thread_id = @threadId AND spam <> @spam", new { threadId, spam }, ct);
            if (thread.InboxId is not null)
            {
                var sign = spam ? 1 : -1;
                await db.AddToInboxCountsAsync(thread.InboxId,
                    new(Messages: 0, Threads: 0, SpamMessages: sign * moved, SpamThreads: thread.MessageCount > 0 ? sign : 0), ct);
            }
            return true;
        }, ct);

    public Task SetThreadTopicsAsync(string orgId, string threadId, IReadOnlyList<DetectedTopic> topics, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE threads SET topics_json = @json WHERE org_id = @orgId AND id = @threadId", new { orgId, threadId, json = StoredJson.Write(topics) }, ct);

    public Task SetThreadValuesAsync(string orgId, string threadId, IReadOnlyDictionary<string, string> values, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE threads SET automation_values_json = @json WHERE org_id = @orgId AND id = @threadId",
            new { orgId, threadId, json = StoredJson.Write(values) }, ct);

    public Task SetMessageSpamAsync(string orgId, string messageId, SpamVerdict verdict, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE messages SET spam_verdict = @Verdict, spam_score = @Score, spam_threshold = @Threshold WHERE org_id = @orgId AND id = @messageId",
            new { orgId, messageId, verdict.Verdict, verdict.Score, verdict.Threshold }, ct);

    public async Task<bool> AddEndUserAsync(string orgId, string address, string? name, DateTimeOffset at, CancellationToken ct = default) =>
        await db.ExecuteAsync("INSERT INTO end_users (org_id, address, name, first_seen_at) VALUES (@orgId, @address, @name, @at) ON CONFLICT DO NOTHING",
            new { orgId, address, name, at = Time.Ms(at) }, ct) > 0;
}

public sealed class AutomationJobRepository(MailroomDatabase db) : IAutomationJobRepository
{
    private const string Columns = "id, org_id, kind, thread_id, message_id, inbox_id, stage, remaining_json, context_json, state, due_at, attempts, created_at, updated_at";

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string Kind { get; set; } = "";
        public string? ThreadId { get; set; }
        public string? MessageId { get; set; }
        public string? InboxId { get; set; }
        public long Stage { get; set; }
        public string? RemainingJson { get; set; }
        public string? ContextJson { get; set; }
        public string State { get; set; } = "";
        public long DueAt { get; set; }
        public long Attempts { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    private static AutomationJob Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, Kind = r.Kind, ThreadId = r.ThreadId, MessageId = r.MessageId, InboxId = r.InboxId, Stage = (int)r.Stage,
        Remaining = r.RemainingJson is null ? null : StoredJson.Read<List<PlannedAction>>(r.RemainingJson, []),
        Context = StoredJson.Read(r.ContextJson, new JobContext()), State = r.State, DueAt = Time.At(r.DueAt), Attempts = (int)r.Attempts,
        CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
    };

    private static object Args(AutomationJob j) => new
    {
        j.Id, j.OrgId, j.Kind, j.ThreadId, j.MessageId, j.InboxId, j.Stage, RemainingJson = j.Remaining is null ? null : StoredJson.Write(j.Remaining),
        ContextJson = StoredJson.Write(j.Context), j.State, DueAt = Time.Ms(j.DueAt), j.Attempts, CreatedAt = Time.Ms(j.CreatedAt), UpdatedAt = Time.Ms(j.UpdatedAt),
    };

    public Task EnqueueAsync(AutomationJob job, CancellationToken ct = default) => db.ExecuteAsync(
        $"INSERT INTO automation_jobs ({Columns}) VALUES (@Id, @OrgId, @Kind, @ThreadId, @MessageId, @InboxId, @Stage, @RemainingJson, @ContextJson, @State, " +
        "@DueAt, @Attempts, @CreatedAt, @UpdatedAt)", Args(job), ct);

    public async Task<IReadOnlyList<AutomationJob>> ClaimDueAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct = default)
    {
        var ids = await db.ClaimIdsAsync("automation_jobs", "state = @queued AND due_at <= @now", "due_at", new() { ["queued"] = JobStates.Queued },
            owner, now, leaseUntil, limit, ct);
        var claimed = new List<AutomationJob>();
        foreach (var (list, args) in InList.Chunks(ids))
            claimed.AddRange((await db.QueryAsync<Row>($"SELECT {Columns} FROM automation_jobs WHERE id IN ({list}) ORDER BY due_at, id", args, ct)).Select(Map));
        return claimed;
    }

    public Task SaveAsync(AutomationJob job, bool keepLease, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE automation_jobs SET stage = @Stage, remaining_json = @RemainingJson, context_json = @ContextJson, state = @State, due_at = @DueAt, " +
        "attempts = @Attempts, updated_at = @UpdatedAt" + (keepLease ? "" : ", lease_owner = NULL, lease_until = NULL") + " WHERE id = @Id", Args(job), ct);

    public Task CompleteAsync(string id, CancellationToken ct = default) => db.ExecuteAsync("DELETE FROM automation_jobs WHERE id = @id", new { id }, ct);
}
