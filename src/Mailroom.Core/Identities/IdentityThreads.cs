using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Messaging;
using Mailroom.Core.Threads;

namespace Mailroom.Core.Identities;

/// <summary>
/// Where a conversation stands, as the identities API filters it: <c>draft_pending</c> (a draft waits for a person),
/// <c>waiting</c> (the identity wrote last), <c>open</c> (the other party wrote last), <c>closed</c> (the identity is
/// deleted: the address neither sends nor receives).
/// </summary>
public static class ThreadStatus
{
    public const string Open = "open";
    public const string Waiting = "waiting";
    public const string DraftPending = "draft_pending";
    public const string Closed = "closed";

    public static readonly IReadOnlyList<string> All = [Open, Waiting, DraftPending, Closed];
}

public sealed record ThreadOverview(MailThread Thread, string Status);

/// <param name="NeedsReview">true: only threads with a draft waiting (<c>draft_pending</c>); false: only those without.</param>
/// <summary>Which threads a list shows; <paramref name="Spam"/> lists only the threads marked spam instead of all the others.</summary>
public sealed record ThreadFilter(string? InboxId, string? Status, bool? NeedsReview, bool Spam = false);

public interface IThreadOverviewRepository
{
    /// <summary>The organization's threads with their status, most recent activity first; <paramref name="excludedAddress"/>'s threads left out.</summary>
    Task<Page<ThreadOverview>> ListOverviewsAsync(string orgId, ThreadFilter filter, string excludedAddress, PageRequest page, CancellationToken ct = default);
    Task<ThreadOverview?> GetOverviewAsync(string orgId, string id, string excludedAddress, CancellationToken ct = default);
}

/// <summary>A thread with the last messages an agent reads of it (the identity's <c>thread_history_depth</c>).</summary>
public sealed record ThreadHistory(ThreadOverview Overview, IReadOnlyList<Message> Messages);

/// <summary>Threads across an organization's identities, including those of deleted identities (readable by id).</summary>
public sealed class IdentityThreads(IThreadOverviewRepository overviews, IMessageRepository messages, IInboxRepository inboxes, NoticeMail notices)
{
    public Task<Page<ThreadOverview>> ListAsync(string orgId, ThreadFilter filter, PageRequest page, CancellationToken ct = default)
    {
        if (filter.Status is { } status && !ThreadStatus.All.Contains(status))
            throw new ValidationException("status", $"must be one of {string.Join(", ", ThreadStatus.All)}");
        return overviews.ListOverviewsAsync(orgId, filter, notices.SenderAddress, page, ct);
    }

    public async Task<ThreadHistory> GetAsync(string orgId, string id, CancellationToken ct = default)
    {
        var overview = await overviews.GetOverviewAsync(orgId, id, notices.SenderAddress, ct) ?? throw new NotFoundException("thread");
        var depth = overview.Thread.InboxId is { } inboxId && await inboxes.GetAsync(orgId, inboxId, ct) is { } inbox
            ? inbox.ThreadHistoryDepth : IdentityService.DefaultThreadHistoryDepth;
        return new ThreadHistory(overview, await messages.ListNewestInThreadAsync(orgId, id, Math.Max(0, depth), ct: ct));
    }
}
