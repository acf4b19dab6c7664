using Mailroom.Core.Drafts;

namespace Mailroom.Server.Approvals;

/// <summary>
/// The background scheduler of escalations: drafts still pending when their <c>escalation_due_at</c> passes are
/// announced once on their identity's secondary channel.
/// </summary>
public sealed class EscalationWorker(DraftService drafts, ApprovalOptions options, TimeProvider time, IHostApplicationLifetime lifetime,
    ILogger<EscalationWorker> logger) : DueDraftWorker(options.EscalationPollInterval, time, lifetime, logger)
{
    protected override string Work => "escalating due drafts";

    protected override Task<int> RunDueAsync(int batch, CancellationToken ct) => drafts.EscalateDueAsync(batch, ct);
}
