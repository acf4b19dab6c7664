using Mailroom.Core.Drafts;

namespace Mailroom.Server.Approvals;

/// <summary>
/// Announces drafts that were filed inside another transaction (an automation's <c>Reply</c>) on their identity's
/// approval channel, after that transaction committed.
/// </summary>
public sealed class DraftAnnouncementWorker(DraftService drafts, ApprovalOptions options, TimeProvider time, IHostApplicationLifetime lifetime,
    ILogger<DraftAnnouncementWorker> logger) : DueDraftWorker(options.AnnouncePollInterval, time, lifetime, logger)
{
    protected override string Work => "announcing queued drafts";

    protected override Task<int> RunDueAsync(int batch, CancellationToken ct) => drafts.AnnounceQueuedAsync(batch, ct);
}
