using Mailroom.Core.Automation;
using Mailroom.Core.Common;
using Mailroom.Core.Security;

namespace Mailroom.Data.Repositories;

/// <summary>Actions: the spec's fields in config_json, the outbound password and token sealed in secrets_sealed.</summary>
public sealed class ActionRepository(MailroomDatabase db, SecretBox box) : IActionRepository
{
    private const string Columns = "id, org_id, name, description, action_type, config_json, secrets_sealed, is_active, is_function_tool, created_at, updated_at";
    private const string SecretPurpose = "action-secrets";

    private static readonly Dictionary<string, string> SortColumns = new()
    {
        ["name"] = "name", ["description"] = "description", ["action_type"] = "action_type", ["is_active"] = "is_active",
        ["is_function_tool"] = "is_function_tool", ["id"] = "id", ["created_at"] = "created_at", ["updated_at"] = "updated_at",
    };

    internal class Row
    {
        public long Id { get; set; }
        public string OrgId { get; set; } = "";
        public string Name { get; set; } = "";
        public string? Description { get; set; }
        public string ActionType { get; set; } = "";
        public string ConfigJson { get; set; } = "";
        public string? SecretsSealed { get; set; }
        public bool IsActive { get; set; }
        public bool IsFunctionTool { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    internal static AutomationAction Map(Row r, SecretBox box) => new()
    {
        Id = r.Id, OrgId = r.OrgId, Name = r.Name, Description = r.Description, ActionType = r.ActionType, IsActive = r.IsActive,
        IsFunctionTool = r.IsFunctionTool, Settings = StoredJson.Read(r.ConfigJson, new ActionSettings()),
        Secrets = r.SecretsSealed is null ? new ActionSecrets(null, null) : StoredJson.Read(box.OpenString(r.SecretsSealed, SecretPurpose), new ActionSecrets(null, null)),
        CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
    };

    private AutomationAction Map(Row r) => Map(r, box);

    private object Args(AutomationAction a) => new
    {
        a.Id, a.OrgId, a.Name, a.Description, a.ActionType, ConfigJson = StoredJson.Write(a.Settings),
        SecretsSealed = a.Secrets.IsEmpty ? null : box.Seal(StoredJson.Write(a.Secrets), SecretPurpose), a.IsActive, a.IsFunctionTool,
        CreatedAt = Time.Ms(a.CreatedAt), UpdatedAt = Time.Ms(a.UpdatedAt),
    };

    public Task CreateAsync(AutomationAction action, CancellationToken ct = default) => db.InTransactionAsync(async () =>
    {
        action.Id = await db.ScalarAsync<long>(
            "INSERT INTO actions (org_id, name, description, action_type, config_json, secrets_sealed, is_active, is_function_tool, created_at, updated_at) " +
            "VALUES (@OrgId, @Name, @Description, @ActionType, @ConfigJson, @SecretsSealed, @IsActive, @IsFunctionTool, @CreatedAt, @UpdatedAt) RETURNING id",
            Args(action), ct);
        return true;
    }, ct);

    public async Task<AutomationAction?> GetAsync(string orgId, long id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM actions WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct);
        return row is null ? null : Map(row);
    }

    public Task<Page<AutomationAction>> ListAsync(string orgId, ListOrder order, PageRequest page, CancellationToken ct = default)
    {
        var direction = order.Descending ? "DESC" : "ASC";
        return db.PageAsync<Row, AutomationAction>(
            $"SELECT {Columns} FROM actions WHERE org_id = @orgId ORDER BY {SortColumns[order.Field]} {direction}, id {direction}",
            "SELECT COUNT(*) FROM actions WHERE org_id = @orgId", new() { ["orgId"] = orgId }, page, Map, ct);
    }

    public async Task<IReadOnlyList<AutomationAction>> ListActiveAsync(string orgId, CancellationToken ct = default) =>
        (await db.QueryAsync<Row>($"SELECT {Columns} FROM actions WHERE org_id = @orgId AND is_active = @yes ORDER BY name, id", new { orgId, yes = true }, ct))
        .Select(Map).ToList();

    public Task UpdateAsync(AutomationAction action, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE actions SET name = @Name, description = @Description, action_type = @ActionType, config_json = @ConfigJson, secrets_sealed = @SecretsSealed, " +
        "is_active = @IsActive, is_function_tool = @IsFunctionTool, updated_at = @UpdatedAt WHERE org_id = @OrgId AND id = @Id", Args(action), ct);

    public async Task<bool> DeleteAsync(string orgId, long id, CancellationToken ct = default) =>
        await db.ExecuteAsync("DELETE FROM actions WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct) > 0;
}

public sealed class TopicRepository(MailroomDatabase db) : ITopicRepository
{
    private const string Columns = "id, org_id, name, description, keywords_json, rules_json, is_active, created_at, updated_at";

    private sealed class Row
    {
        public long Id { get; set; }
        public string OrgId { get; set; } = "";
        public string Name { get; set; } = "";
        public string? Description { get; set; }
        public string KeywordsJson { get; set; } = "";
        public string RulesJson { get; set; } = "";
        public bool IsActive { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }

    private static Topic Map(Row r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, Name = r.Name, Description = r.Description, Keywords = StoredJson.Read<List<string>>(r.KeywordsJson, []),
        Rules = StoredJson.Read(r.RulesJson, new TopicRules()), IsActive = r.IsActive, CreatedAt = Time.At(r.CreatedAt), UpdatedAt = Time.At(r.UpdatedAt),
    };

    private static object Args(Topic t) => new
    {
        t.Id, t.OrgId, t.Name, t.Description, KeywordsJson = StoredJson.Write(t.Keywords), RulesJson = StoredJson.Write(t.Rules), t.IsActive,
        CreatedAt = Time.Ms(t.CreatedAt), UpdatedAt = Time.Ms(t.UpdatedAt),
    };

    public Task CreateAsync(Topic topic, CancellationToken ct = default) => db.InTransactionAsync(async () =>
    {
        topic.Id = await db.ScalarAsync<long>(
            "INSERT INTO topics (org_id, name, description, keywords_json, rules_json, is_active, created_at, updated_at) " +
            "VALUES (@OrgId, @Name, @Description, @KeywordsJson, @RulesJson, @IsActive, @CreatedAt, @UpdatedAt) RETURNING id", Args(topic), ct);
        return true;
    }, ct);

    public async Task<Topic?> GetAsync(string orgId, long id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM topics WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct);
        return row is null ? null : Map(row);
    }

    public Task<Page<Topic>> ListAsync(string orgId, PageRequest page, CancellationToken ct = default) =>
        db.PageAsync<Row, Topic>($"SELECT {Columns} FROM topics WHERE org_id = @orgId ORDER BY name, id", "SELECT COUNT(*) FROM topics WHERE org_id = @orgId",
            new() { ["orgId"] = orgId }, page, Map, ct);

    public async Task<IReadOnlyList<Topic>> ListActiveAsync(string orgId, CancellationToken ct = default) =>
        (await db.QueryAsync<Row>($"SELECT {Columns} FROM topics WHERE org_id = @orgId AND is_active = @yes ORDER BY name, id", new { orgId, yes = true }, ct))
        .Select(Map).ToList();

    public Task UpdateAsync(Topic topic, CancellationToken ct = default) => db.ExecuteAsync(
        "UPDATE topics SET name = @Name, description = @Description, keywords_json = @KeywordsJson, rules_json = @RulesJson, is_active = @IsActive, " +
        "updated_at = @UpdatedAt WHERE org_id = @OrgId AND id = @Id", Args(topic), ct);

    public async Task<bool> DeleteAsync(string orgId, long id, CancellationToken ct = default) =>
        await db.ExecuteAsync("DELETE FROM topics WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct) > 0;
}

public sealed class ActionLinkRepository(MailroomDatabase db, SecretBox box) : IActionLinkRepository
{
    private const string TopicColumns = "ta.id, ta.org_id, ta.topic_id, ta.special_topic, ta.document_id, ta.channel_id, ta.special_channel, ta.action_id, " +
                                        "ta.priority, ta.created_at, a.name AS action_name, a.is_active AS action_is_active";
    private const string HookColumns = "ha.id, ha.org_id, ha.hook, ha.channel_id, ha.action_id, ha.priority, ha.created_at, a.name AS action_name, " +
                                       "a.action_type AS action_type, a.is_active AS action_is_active";
    private const string ActionColumns = "a.id, a.org_id, a.name, a.description, a.action_type, a.config_json, a.secrets_sealed, a.is_active, a.is_function_tool, " +
                                         "a.created_at, a.updated_at";

    private static readonly Dictionary<string, string> TopicSort = new()
        { ["priority"] = "ta.priority", ["id"] = "ta.id", ["action_id"] = "ta.action_id", ["created_at"] = "ta.created_at" };
    private static readonly Dictionary<string, string> HookSort = new()
        { ["priority"] = "ha.priority", ["id"] = "ha.id", ["action_id"] = "ha.action_id", ["created_at"] = "ha.created_at" };

    private sealed class TopicRow
    {
        public long Id { get; set; }
        public string OrgId { get; set; } = "";
        public long? TopicId { get; set; }
        public string? SpecialTopic { get; set; }
        public long DocumentId { get; set; }
        public long? ChannelId { get; set; }
        public string? SpecialChannel { get; set; }
        public long ActionId { get; set; }
        public long Priority { get; set; }
        public long CreatedAt { get; set; }
        public string? ActionName { get; set; }
        public bool ActionIsActive { get; set; }
    }

    private sealed class HookRow
    {
        public long Id { get; set; }
        public string OrgId { get; set; } = "";
        public string Hook { get; set; } = "";
        public long? ChannelId { get; set; }
        public long ActionId { get; set; }
        public long Priority { get; set; }
        public long CreatedAt { get; set; }
        public string? ActionName { get; set; }
        public string? ActionType { get; set; }
        public bool ActionIsActive { get; set; }
    }

    private static TopicActionLink Map(TopicRow r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, TopicId = r.TopicId, SpecialTopic = r.SpecialTopic, DocumentId = r.DocumentId, ChannelId = r.ChannelId,
        SpecialChannel = r.SpecialChannel, ActionId = r.ActionId, Priority = (int)r.Priority, CreatedAt = Time.At(r.CreatedAt), ActionName = r.ActionName,
        ActionIsActive = r.ActionIsActive,
    };

    private static HookActionLink Map(HookRow r) => new()
    {
        Id = r.Id, OrgId = r.OrgId, Hook = r.Hook, ChannelId = r.ChannelId, ActionId = r.ActionId, Priority = (int)r.Priority, CreatedAt = Time.At(r.CreatedAt),
        ActionName = r.ActionName, ActionType = r.ActionType, ActionIsActive = r.ActionIsActive,
    };

    public Task<bool> TryCreateTopicActionAsync(TopicActionLink link, CancellationToken ct = default) => db.InTransactionAsync(async () =>
    {
        var id = await db.QuerySingleOrDefaultAsync<long?>(
            "INSERT INTO topic_actions (org_id, topic_id, special_topic, document_id, channel_id, special_channel, action_id, priority, config_json, created_at) " +
            "VALUES (@OrgId, @TopicId, @SpecialTopic, @DocumentId, @ChannelId, @SpecialChannel, @ActionId, @Priority, '{}', @CreatedAt) ON CONFLICT DO NOTHING RETURNING id",
            new { link.OrgId, link.TopicId, link.SpecialTopic, link.DocumentId, link.ChannelId, link.SpecialChannel, link.ActionId, link.Priority,
                CreatedAt = Time.Ms(link.CreatedAt) }, ct);
        if (id is null) return false;
        link.Id = id.Value;
        return true;
    }, ct);

    public async Task<TopicActionLink?> GetTopicActionAsync(string orgId, long id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<TopicRow>(
            $"SELECT {TopicColumns} FROM topic_actions ta JOIN actions a ON a.id = ta.action_id WHERE ta.org_id = @orgId AND ta.id = @id", new { orgId, id }, ct);
        return row is null ? null : Map(row);
    }

    public Task<Page<TopicActionLink>> ListTopicActionsAsync(string orgId, TopicActionFilter filter, ListOrder order, PageRequest page, CancellationToken ct = default)
    {
        var where = "ta.org_id = @orgId";
        var args = new Dictionary<string, object?> { ["orgId"] = orgId };
        if (filter.TopicId is { } topicId) { where += " AND ta.topic_id = @topicId"; args["topicId"] = topicId; }
        if (filter.ActionId is { } actionId) { where += " AND ta.action_id = @actionId"; args["actionId"] = actionId; }
        if (filter.SpecialTopic is { } special) { where += " AND ta.special_topic = @special"; args["special"] = special; }
        if (filter.ChannelId is { } channelId) { where += " AND ta.channel_id = @channelId"; args["channelId"] = channelId; }
        if (filter.IsActive is { } active) { where += " AND a.is_active = @active"; args["active"] = active; }
        var direction = order.Descending ? "DESC" : "ASC";
        return db.PageAsync<TopicRow, TopicActionLink>(
            $"SELECT {TopicColumns} FROM topic_actions ta JOIN actions a ON a.id = ta.action_id WHERE {where} ORDER BY {TopicSort[order.Field]} {direction}, ta.id {direction}",
            $"SELECT COUNT(*) FROM topic_actions ta JOIN actions a ON a.id = ta.action_id WHERE {where}", args, page, Map, ct);
    }

    public async Task<bool> SetTopicActionPriorityAsync(string orgId, long id, int priority, CancellationToken ct = default) =>
        await db.ExecuteAsync("UPDATE topic_actions SET priority = @priority WHERE org_id = @orgId AND id = @id", new { orgId, id, priority }, ct) > 0;

    public async Task<bool> DeleteTopicActionAsync(string orgId, long id, CancellationToken ct = default) =>
        await db.ExecuteAsync("DELETE FROM topic_actions WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct) > 0;

    public Task<bool> TryCreateHookActionAsync(HookActionLink link, CancellationToken ct = default) => db.InTransactionAsync(async () =>
    {
        var id = await db.QuerySingleOrDefaultAsync<long?>(
            "INSERT INTO hook_actions (org_id, hook, channel_id, action_id, priority, config_json, created_at) " +
            "VALUES (@OrgId, @Hook, @ChannelId, @ActionId, @Priority, '{}', @CreatedAt) ON CONFLICT DO NOTHING RETURNING id",
            new { link.OrgId, link.Hook, link.ChannelId, link.ActionId, link.Priority, CreatedAt = Time.Ms(link.CreatedAt) }, ct);
        if (id is null) return false;
        link.Id = id.Value;
        return true;
    }, ct);

    public async Task<HookActionLink?> GetHookActionAsync(string orgId, long id, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<HookRow>(
            $"SELECT {HookColumns} FROM hook_actions ha JOIN actions a ON a.id = ha.action_id WHERE ha.org_id = @orgId AND ha.id = @id", new { orgId, id }, ct);
        return row is null ? null : Map(row);
    }

    public Task<Page<HookActionLink>> ListHookActionsAsync(string orgId, string? hook, long? actionId, long? channelId, ListOrder order, PageRequest page,
        CancellationToken ct = default)
    {
        var where = "ha.org_id = @orgId";
        var args = new Dictionary<string, object?> { ["orgId"] = orgId };
        if (hook is not null) { where += " AND ha.hook = @hook"; args["hook"] = hook; }
        if (actionId is { } a) { where += " AND ha.action_id = @actionId"; args["actionId"] = a; }
        if (channelId is { } c) { where += " AND ha.channel_id = @channelId"; args["channelId"] = c; }
        var direction = order.Descending ? "DESC" : "ASC";
        return db.PageAsync<HookRow, HookActionLink>(
            $"SELECT {HookColumns} FROM hook_actions ha JOIN actions a ON a.id = ha.action_id WHERE {where} ORDER BY {HookSort[order.Field]} {direction}, ha.id {direction}",
            $"SELECT COUNT(*) FROM hook_actions ha WHERE {where}", args, page, Map, ct);
    }

    public async Task<bool> SetHookActionPriorityAsync(string orgId, long id, int priority, CancellationToken ct = default) =>
        await db.ExecuteAsync("UPDATE hook_actions SET priority = @priority WHERE org_id = @orgId AND id = @id", new { orgId, id, priority }, ct) > 0;

    public async Task<bool> DeleteHookActionAsync(string orgId, long id, CancellationToken ct = default) =>
        await db.ExecuteAsync("DELETE FROM hook_actions WHERE org_id = @orgId AND id = @id", new { orgId, id }, ct) > 0;

    public async Task<IReadOnlyList<AutomationAction>> ActiveForHookAsync(string orgId, string hook, long? channelId, CancellationToken ct = default) =>
        (await db.QueryAsync<ActionRepository.Row>(
            $"SELECT {ActionColumns} FROM hook_actions ha JOIN actions a ON a.id = ha.action_id " +
            "WHERE ha.org_id = @orgId AND ha.hook = @hook AND (ha.channel_id IS NULL OR ha.channel_id = @channelId) AND a.is_active = @yes " +
            "ORDER BY ha.priority DESC, ha.id", new { orgId, hook, channelId, yes = true }, ct))
        .Select(r => ActionRepository.Map(r, box)).ToList();

    public async Task<IReadOnlyList<ActiveLink>> ActiveHookLinksAsync(string orgId, CancellationToken ct = default) =>
        (await db.QueryAsync<LinkedActionRow>(
            $"SELECT {ActionColumns}, ha.hook AS link_hook, NULL AS link_topic_id, ha.channel_id AS link_channel_id FROM hook_actions ha " +
            "JOIN actions a ON a.id = ha.action_id WHERE ha.org_id = @orgId AND a.is_active = @yes ORDER BY ha.priority DESC, ha.id",
            new { orgId, yes = true }, ct))
        .Select(r => new ActiveLink(ActionRepository.Map(r, box), r.LinkHook, null, r.LinkChannelId)).ToList();

    public async Task<IReadOnlyList<ActiveLink>> ActiveTopicLinksAsync(string orgId, CancellationToken ct = default) =>
        (await db.QueryAsync<LinkedActionRow>(
            $"SELECT {ActionColumns}, NULL AS link_hook, ta.topic_id AS link_topic_id, ta.channel_id AS link_channel_id FROM topic_actions ta " +
            "JOIN actions a ON a.id = ta.action_id WHERE ta.org_id = @orgId AND ta.topic_id IS NOT NULL AND a.is_active = @yes ORDER BY ta.priority DESC, ta.id",
            new { orgId, yes = true }, ct))
        .Select(r => new ActiveLink(ActionRepository.Map(r, box), null, r.LinkTopicId, r.LinkChannelId)).ToList();

    /// <summary>An action's row with the link that made it run (a hook's or a topic's, on a channel or all).</summary>
    private sealed class LinkedActionRow : ActionRepository.Row
    {
        public string? LinkHook { get; set; }
        public long? LinkTopicId { get; set; }
        public long? LinkChannelId { get; set; }
    }
}
