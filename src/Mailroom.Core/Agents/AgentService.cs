using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Sms;

namespace Mailroom.Core.Agents;

/// <summary>The agent with its channels as they are now (each null when unlinked).</summary>
public sealed record AgentDetail(Agent Agent, Inbox? Inbox, PhoneNumber? PhoneNumber);

/// <summary>Changes to an agent; null leaves a field as it is.</summary>
public sealed record AgentChanges(string? Handle, string? Status);

/// <summary>
/// Agent identities and the assignment of their channels. Assigning the channel an agent already has is no change;
/// assigning one that another agent holds is a conflict, decided by the database when two requests race; an agent
/// that already has a channel of that kind gets the new one in its place (the old one stays, unlinked).
/// </summary>
public sealed class AgentService(IAgentRepository agents, IInboxRepository inboxes, IPhoneNumberRepository numbers,
    ITransactionRunner transactions, TimeProvider time)
{
    public const int MaxHandleLength = 255;

    /// <summary>A handle as given, without its leading <c>@</c>; 1 to 255 characters, no slash, space or control character.</summary>
    private static string NormalizeHandle(string field, string? handle)
    {
        if (handle is null) throw new ValidationException(field, "is required");
        var value = handle.StartsWith('@') ? handle[1..] : handle;
        if (value.Length == 0) throw new ValidationException(field, "must not be empty");
        if (value.Length > MaxHandleLength) throw new ValidationException(field, $"must be at most {MaxHandleLength} characters");
        if (value.Any(c => c == '/' || char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new ValidationException(field, "must not contain slashes, spaces or control characters");
        return value;
    }

    public async Task<Agent> CreateAsync(string orgId, string? handle, CancellationToken ct = default)
    {
        var name = NormalizeHandle("agent_handle", handle);
        var now = time.GetUtcNow();
        var agent = new Agent { Id = Ids.New(Ids.Agent, time), OrgId = orgId, Handle = name, CreatedAt = now, UpdatedAt = now };
        if (await agents.CreateAsync(agent, ct) == AgentClash.Handle) throw HandleTaken(name);
        return agent;
    }

    public async Task<AgentDetail> GetAsync(string orgId, string handle, CancellationToken ct = default) =>
        await DetailAsync(await FindAsync(orgId, handle, ct), ct);

    public Task<Page<Agent>> ListAsync(string orgId, PageRequest page, CancellationToken ct = default) => agents.ListAsync(orgId, page, ct);

    public async Task<Agent> UpdateAsync(string orgId, string handle, AgentChanges changes, CancellationToken ct = default)
    {
        var newHandle = changes.Handle is null ? null : NormalizeHandle("agent_handle", changes.Handle);
        if (changes.Status is { } status && !AgentStatus.IsKnown(status))
            throw new ValidationException("status", $"must be {AgentStatus.Active} or {AgentStatus.Paused}");
        var agent = await FindAsync(orgId, handle, ct);
        agent.Handle = newHandle ?? agent.Handle;
        agent.Status = changes.Status ?? agent.Status;
        agent.UpdatedAt = time.GetUtcNow();
        if (await agents.UpdateAsync(agent, ct) == AgentClash.Handle) throw HandleTaken(agent.Handle);
        return agent;
    }

    /// <summary>Deletes the agent; its mailbox and phone number stay, unlinked.</summary>
    public async Task DeleteAsync(string orgId, string handle, CancellationToken ct = default)
    {
        var agent = await FindAsync(orgId, handle, ct);
        if (!await agents.DeleteAsync(orgId, agent.Id, ct)) throw new NotFoundException("identity");
    }

    public Task<AgentDetail> AssignInboxAsync(string orgId, string handle, string inboxId, CancellationToken ct = default) =>
        transactions.InTransactionAsync(async () =>
        {
            var agent = await FindAsync(orgId, handle, ct);
            var inbox = await inboxes.GetAsync(orgId, inboxId, ct) ?? throw new NotFoundException("mailbox");
            if (agent.InboxId == inbox.Id) return new AgentDetail(agent, inbox, await PhoneNumberOfAsync(agent, ct));
            if (await agents.FindByInboxAsync(orgId, inbox.Id, ct) is { } holder)
                throw new ConflictException("mailbox_id", $"the mailbox is assigned to identity {holder.Handle}");
            agent.InboxId = inbox.Id;
            await SaveLinkAsync(agent, AgentClash.Inbox, "mailbox_id", "mailbox", ct);
            return new AgentDetail(agent, inbox, await PhoneNumberOfAsync(agent, ct));
        }, ct);

    public Task<AgentDetail> AssignPhoneNumberAsync(string orgId, string handle, string phoneNumberId, CancellationToken ct = default) =>
        transactions.InTransactionAsync(async () =>
        {
            var agent = await FindAsync(orgId, handle, ct);
            var number = await numbers.GetAsync(orgId, phoneNumberId, ct) ?? throw new NotFoundException("phone number");
            if (agent.PhoneNumberId == number.Id) return new AgentDetail(agent, await InboxOfAsync(agent, ct), number);
            if (await agents.FindByPhoneNumberAsync(orgId, number.Id, ct) is { } holder)
                throw new ConflictException("phone_number_id", $"the phone number is assigned to identity {holder.Handle}");
            agent.PhoneNumberId = number.Id;
            await SaveLinkAsync(agent, AgentClash.PhoneNumber, "phone_number_id", "phone number", ct);
            return new AgentDetail(agent, await InboxOfAsync(agent, ct), number);
        }, ct);

    /// <summary>Unlinks the agent's mailbox (none linked is no change); the mailbox stays for another agent.</summary>
    public async Task UnassignInboxAsync(string orgId, string handle, CancellationToken ct = default)
    {
        var agent = await FindAsync(orgId, handle, ct);
        if (agent.InboxId is null) return;
        agent.InboxId = null;
        agent.UpdatedAt = time.GetUtcNow();
        await agents.UpdateAsync(agent, ct);
    }

    /// <summary>Unlinks the agent's phone number (none linked is no change); the number stays for another agent.</summary>
    public async Task UnassignPhoneNumberAsync(string orgId, string handle, CancellationToken ct = default)
    {
        var agent = await FindAsync(orgId, handle, ct);
        if (agent.PhoneNumberId is null) return;
        agent.PhoneNumberId = null;
        agent.UpdatedAt = time.GetUtcNow();
        await agents.UpdateAsync(agent, ct);
    }

    /// <summary>The agent named by a handle (a leading <c>@</c> is ignored), or <see cref="NotFoundException"/>.</summary>
    public async Task<Agent> FindAsync(string orgId, string handle, CancellationToken ct = default)
    {
        var name = handle.StartsWith('@') ? handle[1..] : handle;
        return await agents.GetByHandleAsync(orgId, name, ct) ?? throw new NotFoundException("identity");
    }

    /// <summary>Links a new mailbox to an existing agent as part of creating it (the caller's transaction).</summary>
    internal async Task LinkNewInboxAsync(Agent agent, Inbox inbox, CancellationToken ct)
    {
        agent.InboxId = inbox.Id;
        await SaveLinkAsync(agent, AgentClash.Inbox, "mailbox_id", "mailbox", ct);
    }

    /// <summary>Links a new phone number to an existing agent as part of adding it (the caller's transaction).</summary>
    internal async Task LinkNewPhoneNumberAsync(Agent agent, PhoneNumber number, CancellationToken ct)
    {
        agent.PhoneNumberId = number.Id;
        await SaveLinkAsync(agent, AgentClash.PhoneNumber, "phone_number_id", "phone number", ct);
    }

    private async Task SaveLinkAsync(Agent agent, AgentClash link, string field, string what, CancellationToken ct)
    {
        agent.UpdatedAt = time.GetUtcNow();
        // Another request linked the channel between our check and this write: the unique column refused it.
        if (await agents.UpdateAsync(agent, ct) == link)
            throw new ConflictException(field, $"the {what} is assigned to another identity");
    }

    private async Task<AgentDetail> DetailAsync(Agent agent, CancellationToken ct) =>
        new(agent, await InboxOfAsync(agent, ct), await PhoneNumberOfAsync(agent, ct));

    private async Task<Inbox?> InboxOfAsync(Agent agent, CancellationToken ct) =>
        agent.InboxId is { } id ? await inboxes.GetAsync(agent.OrgId, id, ct) : null;

    private async Task<PhoneNumber?> PhoneNumberOfAsync(Agent agent, CancellationToken ct) =>
        agent.PhoneNumberId is { } id ? await numbers.GetAsync(agent.OrgId, id, ct) : null;

    private static ConflictException HandleTaken(string handle) => new("agent_handle", $"an identity with handle {handle} already exists");
}
