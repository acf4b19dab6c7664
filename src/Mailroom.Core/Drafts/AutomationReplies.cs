using Mailroom.Core.Automation;

namespace Mailroom.Core.Drafts;

/// <summary>
/// The <c>Reply</c> action's draft goes through the identity's own approval flow, as a draft submitted over <c>/v1</c>
/// would: announced on its approval channel, or approved and sent at once where <c>auto_approve_replies</c> is on.
/// </summary>
public sealed class AutomationReplies(DraftService drafts) : IDraftReplies
{
    public const string Author = "automation";

    public async Task<string> CreatePendingReplyAsync(PendingReply reply, CancellationToken ct = default)
    {
        var submitted = await drafts.SubmitAsync(reply.OrgId, new NewDraft
        {
            IdentityId = reply.InboxId, ThreadId = reply.ThreadId, BasedOnMessageId = reply.InReplyToMessageId,
            Subject = reply.Subject, Text = reply.Text, To = [.. reply.To], Rationale = "written by an automation's Reply action",
        }, Author, ct);
        return submitted.Draft.Id;
    }
}
