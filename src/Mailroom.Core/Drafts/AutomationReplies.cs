using Mailroom.Core.Automation;
using Mailroom.Core.Inboxes;

namespace Mailroom.Core.Drafts;

/// <summary>
/// The <c>Reply</c> action's draft. On a sender identity (an inbox with an approval flow) it goes through that flow, as
/// a draft submitted over <c>/v1</c> would: announced on its approval channel, or approved and sent at once where
/// <c>auto_approve_replies</c> is on. On an inbox without one it is kept unsent, pending, for a person to send or drop.
/// </summary>
public sealed class AutomationReplies(DraftService drafts, IInboxRepository inboxes) : IDraftReplies
{
    public const string Author = "automation";

    public async Task<string> CreatePendingReplyAsync(PendingReply reply, CancellationToken ct = default)
    {
        var inbox = await inboxes.GetAsync(reply.OrgId, reply.InboxId, ct) ?? throw new Common.NotFoundException("inbox");
        var submitted = await drafts.SubmitAsync(reply.OrgId, new NewDraft
        {
            IdentityId = inbox.Id, ThreadId = reply.ThreadId, BasedOnMessageId = reply.InReplyToMessageId,
            Subject = reply.Subject, Text = reply.Text, To = [.. reply.To], Rationale = "written by an automation's Reply action",
            HoldForReview = !inbox.RequiresApproval,
        }, Author, ct);
        return submitted.Draft.Id;
    }
}
