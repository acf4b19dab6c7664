using System.Text.Json;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Core.Events;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Links;
using Mailroom.Core.Messages;
using Mailroom.Core.Messaging;
using Mailroom.Core.Threads;
using Mailroom.Mime;
using Microsoft.Extensions.Logging;

namespace Mailroom.Core.Drafts;

public sealed record NewDraft
{
    public string? IdentityId { get; init; }
    public string? ThreadId { get; init; }
    public string? BasedOnMessageId { get; init; }
    public string? Subject { get; init; }
    public string? Text { get; init; }
    public string? Html { get; init; }
    public IReadOnlyList<string?>? To { get; init; }
    public IReadOnlyList<string?>? Cc { get; init; }
    public string? Rationale { get; init; }
    public JsonElement? Metadata { get; init; }
}

/// <summary>An edit: only the fields given change; every edit is a new version.</summary>
public sealed record DraftEdit
{
    public Identities.Change<string?> Subject { get; init; }
    public Identities.Change<string?> Text { get; init; }
    public Identities.Change<string?> Html { get; init; }
    public Identities.Change<IReadOnlyList<string?>?> To { get; init; }
    public Identities.Change<IReadOnlyList<string?>?> Cc { get; init; }
    public Identities.Change<string?> Rationale { get; init; }
    public Identities.Change<JsonElement?> Metadata { get; init; }
}

/// <summary>A submitted draft, and whether newer mail had already reached its thread (it is then <c>stale</c>).</summary>
public sealed record DraftSubmission(Draft Draft, bool StaleWarning);

/// <summary>How long approval links work.</summary>
public sealed record DraftSettings(TimeSpan LinkLifetime);

/// <summary>
/// Drafts an agent submits for a person to approve, and every decision on them, whichever way it comes (the API, a
/// confirmation page, a Telegram button, a Slack click). A decision is taken in one transaction on the locked draft, so
/// the first one wins; after the commit every card posted for the draft is closed and its links voided, and an approved
/// draft is sent through the normal outbound queue as a reply in its thread.
/// </summary>
public sealed class DraftService(
    IDraftRepository drafts, IInboxRepository inboxes, IThreadRepository threads, IMessageRepository messages, MessageSender sender,
    ApprovalChannelStore channels, IApprovalPages pages, OneTimeLinks links, EventPublisher events, ITransactionRunner transactions,
    DraftSettings settings, TimeProvider time, ILogger<DraftService> logger) : IDraftReviews
{
    public const string LinkPurpose = "draft.review";
    public const string ApproveAction = "approve";
    public const string RejectAction = "reject";
    private const int MaxRecipients = 50;
    private const int MaxTextLength = 1_000_000;

    public async Task<DraftSubmission> SubmitAsync(string orgId, NewDraft request, string? createdBy, CancellationToken ct = default)
    {
        var (draft, inbox, stale, autoApprove) = await FileAsync(orgId, request, createdBy, automated: false, answering: null, ct);
        if (autoApprove) return new DraftSubmission(await SendApprovedAsync(draft, inbox, ct), false);
        if (!stale) await AnnounceAsync(draft, inbox, escalated: false, ct);
        return new DraftSubmission(await drafts.GetAsync(orgId, draft.Id, ct) ?? draft, stale);
    }

    /// <summary>
    /// Submits a draft from inside the caller's transaction (an automation's <c>Reply</c>, in its job's batch): filed,
    /// and approved and queued for sending where the identity auto-approves replies, as <see cref="SubmitAsync"/> does;
    /// but its announcement, which may call Telegram or Slack, is queued for the approval scheduler to make after the
    /// commit, so that no outside call is made while the transaction holds the database. On an inbox that is not a
    /// sender identity (a v0 inbox: no approval flow, and auto-approval only because nothing asks for it) the draft is
    /// kept unsent, pending, for a person to send or drop.
    /// </summary>
    /// <param name="answering">The message the draft answers when the caller holds it already (it is then not read again).</param>
    public async Task<Draft> SubmitWithinTransactionAsync(string orgId, NewDraft request, string? createdBy, Message? answering, CancellationToken ct = default)
    {
        var (draft, inbox, _, autoApprove) = await FileAsync(orgId, request, createdBy, automated: true, answering, ct);
        return autoApprove ? await SendApprovedAsync(draft, inbox, ct) : draft;
    }

    /// <summary>Announces the drafts whose announcement was queued, once each; the approval scheduler calls it.</summary>
    public async Task<int> AnnounceQueuedAsync(int batch, CancellationToken ct = default)
    {
        var announced = 0;
        foreach (var due in await drafts.ListDueForAnnouncementAsync(time.GetUtcNow(), batch, ct))
        {
            if (!await drafts.ClaimAnnouncementAsync(due.Id, ct)) continue;
            // Decided, or made stale, before its card went out: there is nothing left to ask.
            if (due.State != DraftState.Pending || due.InboxId is null || await inboxes.GetAsync(due.OrgId, due.InboxId, ct) is not { } inbox) continue;
            await AnnounceAsync(due, inbox, escalated: false, ct);
            announced++;
        }
        return announced;
    }

    private async Task<(Draft Draft, Inbox Inbox, bool Stale, bool AutoApprove)> FileAsync(string orgId, NewDraft request, string? createdBy,
        bool automated, Message? answering, CancellationToken ct)
    {
        var identityId = Check.Required("identity_id", request.IdentityId, 64);
        var content = new DraftContent
        {
            Subject = Check.Line("subject", request.Subject, 998), Text = Body("body_text", request.Text, required: true)!,
            Html = Body("body_html", request.Html, required: false), To = Addresses("to", request.To), Cc = Addresses("cc", request.Cc),
            Rationale = Body("rationale", request.Rationale, required: false), Metadata = CheckMetadata(request.Metadata),
        };
        var inbox = await inboxes.GetAsync(orgId, identityId, ct) ?? throw new NotFoundException("identity");
        RequireActive(inbox);

        MailThread? thread = null;
        Message? basedOn = null;
        var stale = false;
        if (request.ThreadId is { } threadId)
        {
            thread = await threads.GetAsync(orgId, inbox.Id, threadId, ct) ?? throw new NotFoundException("thread");
            // Bounded reads (the message answered, the newest inbound one), never the whole thread: a draft on a long
            // thread costs what a draft on a short one costs.
            if (request.BasedOnMessageId is { } basedOnId)
            {
                basedOn = answering is not null && answering.Id == basedOnId && answering.ThreadId == thread.Id
                    ? answering
                    : await messages.GetInThreadAsync(orgId, thread.Id, basedOnId, ct) ?? throw new NotFoundException("message");
                stale = await messages.AnyLaterInThreadAsync(orgId, thread.Id, basedOn.Timestamp, basedOn.Id, MessageDirection.Inbound, ct);
            }
            else
            {
                // The newest message: nothing in the thread is newer, so the draft cannot be stale.
                basedOn = (await messages.ListNewestInThreadAsync(orgId, thread.Id, 1, ct: ct)).FirstOrDefault();
            }
        }
        else if (request.BasedOnMessageId is not null)
        {
            throw new ValidationException("thread_id", "is required with based_on_message_id");
        }
        if (thread is null)
        {
            if (!inbox.CanSendCold)
                throw new ValidationException("thread_id", $"{inbox.EmailAddress} may only reply on existing threads (can_send_cold is false)");
            if (content.To.Count == 0) throw new ValidationException("to", "at least one recipient is required for a new conversation");
        }
        else if (content.To.Count == 0 && basedOn is not null)
        {
            content = content with { To = [ReplyTarget(basedOn, inbox)] };
        }
        if (content.Subject is null && thread is not null) content = content with { Subject = Prefixed(basedOn?.Subject ?? thread.Subject) };

        var now = time.GetUtcNow();
        var autoApprove = inbox.AutoApproveReplies && thread is not null && !stale && (!automated || inbox.RequiresApproval);
        var draft = new Draft
        {
            Id = Ids.New(Ids.Draft, time), OrgId = orgId, InboxId = inbox.Id, ThreadId = thread?.Id, BasedOnMessageId = basedOn?.Id,
            State = stale ? DraftState.Stale : autoApprove ? DraftState.Approved : DraftState.Pending, Content = content, CreatedBy = createdBy,
            DecidedBy = autoApprove ? "auto_approve_replies" : null, DecidedAt = autoApprove ? now : null,
            EscalationDueAt = !stale && !autoApprove && inbox.SecondaryChannelId is not null && inbox.EscalationDelaySeconds is { } delay
                ? now.AddSeconds(delay) : null,
            CreatedAt = now, UpdatedAt = now,
        };
        await transactions.InTransactionAsync(async () =>
        {
            await drafts.CreateAsync(draft, ct);
            await drafts.AddVersionAsync(new DraftVersion(draft.Id, 1, content, createdBy, now), ct);
            await events.PublishAsync(new DraftCreated(draft), ct);
            if (stale) await events.PublishAsync(new DraftStale(draft), ct);
            if (autoApprove) await events.PublishAsync(new DraftApproved(draft), ct);
            if (automated && !stale && !autoApprove && inbox.PrimaryChannelId is not null) await drafts.QueueAnnouncementAsync(draft.Id, now, ct);
            return true;
        }, ct);
        return (draft, inbox, stale, autoApprove);
    }

    public async Task<Draft> GetAsync(string orgId, string id, CancellationToken ct = default) =>
        await drafts.GetAsync(orgId, id, ct) ?? throw new NotFoundException("draft");

    public Task<Page<Draft>> ListAsync(string orgId, DraftFilter filter, PageRequest page, CancellationToken ct = default)
    {
        if (filter.State is { } state && !DraftState.All.Contains(state))
            throw new ValidationException("status", $"must be one of {string.Join(", ", DraftState.All)}");
        return drafts.ListAsync(orgId, filter, page, ct);
    }

    public async Task<IReadOnlyList<DraftVersion>> VersionsAsync(string orgId, string id, CancellationToken ct = default)
    {
        await GetAsync(orgId, id, ct);
        return await drafts.ListVersionsAsync(id, ct);
    }

    /// <summary>A new version of a pending draft; the cards of the old version close and the new one is announced.</summary>
    public async Task<Draft> EditAsync(string orgId, string id, DraftEdit edit, string? editedBy, CancellationToken ct = default)
    {
        var before = await GetAsync(orgId, id, ct);
        var old = before.Content;
        var content = new DraftContent
        {
            Subject = edit.Subject.Given ? Check.Line("subject", edit.Subject.Value, 998) : old.Subject,
            Text = edit.Text.Given ? Body("body_text", edit.Text.Value, required: true)! : old.Text,
            Html = edit.Html.Given ? Body("body_html", edit.Html.Value, required: false) : old.Html,
            To = edit.To.Given ? Addresses("to", edit.To.Value) : old.To,
            Cc = edit.Cc.Given ? Addresses("cc", edit.Cc.Value) : old.Cc,
            Rationale = edit.Rationale.Given ? Body("rationale", edit.Rationale.Value, required: false) : old.Rationale,
            Metadata = edit.Metadata.Given ? CheckMetadata(edit.Metadata.Value) : old.Metadata,
        };
        if (content.To.Count == 0 && before.ThreadId is null) throw new ValidationException("to", "at least one recipient is required");
        var previous = await transactions.InTransactionAsync(async () =>
        {
            var draft = await drafts.LockAsync(orgId, id, ct) ?? throw new NotFoundException("draft");
            RequirePending(draft);
            var copy = Snapshot(draft);
            draft.Version++;
            draft.Content = content;
            draft.UpdatedAt = time.GetUtcNow();
            await drafts.UpdateAsync(draft, ct);
            await drafts.AddVersionAsync(new DraftVersion(draft.Id, draft.Version, content, editedBy, draft.UpdatedAt), ct);
            return copy;
        }, ct);
        // The old version's cards and links must not approve the new text.
        await CloseCardsAsync(previous, new ApprovalOutcome("edited", editedBy ?? "api", time.GetUtcNow()), ct);
        var edited = await GetAsync(orgId, id, ct);
        if (edited.InboxId is not null && await inboxes.GetAsync(orgId, edited.InboxId, ct) is { } inbox)
        {
            await AnnounceAsync(edited, inbox, escalated: false, ct);
            if (edited.EscalatedAt is not null) await AnnounceAsync(await GetAsync(orgId, id, ct), inbox, escalated: true, ct);
        }
        return await GetAsync(orgId, id, ct);
    }

    public Task EditTextAsync(string orgId, string draftId, string editedBy, string text, CancellationToken ct) =>
        EditAsync(orgId, draftId, new DraftEdit { Text = Identities.Change<string?>.To(text) }, editedBy, ct);

    public async Task<ApprovalOutcome> ApproveAsync(string orgId, string draftId, string decidedBy, CancellationToken ct) =>
        (await DecideAsync(orgId, draftId, decidedBy, approve: true, reason: null, token: null, ct)).Outcome;

    public async Task<ApprovalOutcome> RejectAsync(string orgId, string draftId, string decidedBy, string? reason, CancellationToken ct) =>
        (await DecideAsync(orgId, draftId, decidedBy, approve: false, reason, token: null, ct)).Outcome;

    /// <summary>Approves (and sends) or rejects through the API; answers the draft as it is afterwards.</summary>
    public async Task<Draft> DecideThroughApiAsync(string orgId, string draftId, string decidedBy, bool approve, string? reason, CancellationToken ct = default) =>
        (await DecideAsync(orgId, draftId, decidedBy, approve, reason, token: null, ct)).Draft;

    /// <summary>
    /// Sends a draft: a pending one is approved first; an approved one whose send did not happen, or a failed one, is
    /// sent again (the send is idempotent per draft, so a repeat never sends twice).
    /// </summary>
    public async Task<Draft> SendAsync(string orgId, string draftId, string decidedBy, CancellationToken ct = default)
    {
        var draft = await GetAsync(orgId, draftId, ct);
        if (draft.State is DraftState.Pending or DraftState.Stale)
            return (await DecideAsync(orgId, draftId, decidedBy, approve: true, reason: null, token: null, ct)).Draft;
        if (draft.State is not (DraftState.Approved or DraftState.Failed))
            throw new ConflictException("status", $"the draft is {draft.State} and cannot be sent", ErrorCodes.DraftDecided);
        var inbox = await ActiveInboxOfAsync(draft, ct);
        return await SendApprovedAsync(draft, inbox, ct);
    }

    /// <summary>Announces a pending draft again on its identity's channel (and on the secondary one when it has escalated).</summary>
    public async Task<Draft> NotifyAsync(string orgId, string draftId, CancellationToken ct = default)
    {
        var draft = await GetAsync(orgId, draftId, ct);
        RequirePending(draft);
        var inbox = await ActiveInboxOfAsync(draft, ct);
        if (inbox.PrimaryChannelId is null && inbox.SecondaryChannelId is null)
            throw new ValidationException("approval_channel", "the identity has no approval channel to notify");
        await AnnounceAsync(draft, inbox, escalated: false, ct);
        if (draft.EscalatedAt is not null) await AnnounceAsync(await GetAsync(orgId, draftId, ct), inbox, escalated: true, ct);
        return await GetAsync(orgId, draftId, ct);
    }

    /// <summary>The draft and action a confirmation page's token names, while the token still works; null otherwise.</summary>
    public async Task<(Draft Draft, string Action)?> FindByTokenAsync(string token, CancellationToken ct = default)
    {
        if (await links.FindUsableAsync(token, LinkPurpose, ct) is not { } link) return null;
        return await drafts.GetAsync(link.OrgId, link.SubjectId, ct) is { } draft ? (draft, link.Action) : null;
    }

    /// <summary>The POST of a confirmation page: uses the token (once) and takes its decision in the same transaction.</summary>
    public async Task<Draft> DecideByTokenAsync(string token, string? reason, CancellationToken ct = default)
    {
        var found = await FindByTokenAsync(token, ct) ?? throw new LinkRefusedException("token", "this link is invalid, has expired or has already been used");
        var (draft, action) = found;
        var to = (await ApproverAddressAsync(draft, ct)) ?? "email";
        return (await DecideAsync(draft.OrgId, draft.Id, "email:" + to, action == ApproveAction, reason, token, ct)).Draft;
    }

    /// <summary>Announces due drafts on their identity's secondary channel, once each; the background scheduler calls it.</summary>
    public async Task<int> EscalateDueAsync(int batch, CancellationToken ct = default)
    {
        var escalated = 0;
        foreach (var due in await drafts.ListDueForEscalationAsync(time.GetUtcNow(), batch, ct))
        {
            // Taken before it is announced: with several nodes, exactly one announces it.
            if (!await drafts.ClaimEscalationAsync(due.Id, time.GetUtcNow(), ct)) continue;
            var draft = await drafts.GetAsync(due.OrgId, due.Id, ct);
            if (draft?.InboxId is null || await inboxes.GetAsync(draft.OrgId, draft.InboxId, ct) is not { } inbox) continue;
            var announced = await AnnounceAsync(draft, inbox, escalated: true, ct);
            // Told after the attempt, so that what follows (the automation hooks OnEscalate, then PostEscalate or
            // OnEscalateFailed) knows whether the secondary channel took the card.
            await transactions.InTransactionAsync(async () =>
            {
                await events.PublishAsync(new DraftEscalated(draft, announced), ct);
                return true;
            }, ct);
            escalated++;
        }
        return escalated;
    }

    private async Task<(Draft Draft, ApprovalOutcome Outcome)> DecideAsync(string orgId, string draftId, string decidedBy, bool approve, string? reason,
        string? token, CancellationToken ct)
    {
        reason = Body("reason", reason, required: false);
        var inbox = approve ? await ActiveInboxOfAsync(await GetAsync(orgId, draftId, ct), ct) : null;
        var now = time.GetUtcNow();
        var (decided, before) = await transactions.InTransactionAsync(async () =>
        {
            if (token is not null) await links.UseAsync(token, LinkPurpose, ct);
            var draft = await drafts.LockAsync(orgId, draftId, ct) ?? throw new NotFoundException("draft");
            if (approve && draft.State == DraftState.Stale)
                throw new ConflictException("draft", "newer mail reached the thread after this draft was written; write a new draft", ErrorCodes.StaleDraft);
            if (!draft.IsOpen)
                throw new ConflictException("status", $"the draft is already {draft.State}", ErrorCodes.DraftDecided);
            var copy = Snapshot(draft);
            draft.State = approve ? DraftState.Approved : DraftState.Rejected;
            draft.DecidedBy = decidedBy;
            draft.DecidedAt = now;
            draft.RejectReason = approve ? null : reason;
            draft.EscalationDueAt = null;
            draft.UpdatedAt = now;
            await drafts.UpdateAsync(draft, ct);
            await events.PublishAsync(approve ? new DraftApproved(draft) : new DraftRejected(draft), ct);
            return (draft, copy);
        }, ct);
        var outcome = new ApprovalOutcome(decided.State, decidedBy, now, decided.RejectReason);
        await CloseCardsAsync(before, outcome, ct);
        if (!approve) return (decided, outcome);
        var sent = await SendApprovedAsync(decided, inbox!, ct);
        return (sent, outcome with { State = sent.State });
    }

    /// <summary>Sends an approved draft as its identity, a reply in its thread when it has one; the draft becomes sent or failed.</summary>
    private async Task<Draft> SendApprovedAsync(Draft draft, Inbox inbox, CancellationToken ct)
    {
        string? messageId = null;
        string? failure = null;
        try
        {
            var mail = await ComposeAsync(draft, inbox, ct);
            messageId = (await sender.SendAsync(inbox, mail, "draft:" + draft.Id, ct)).MessageId;
        }
        catch (MailroomException e)
        {
            failure = e.Detail;
            logger.LogWarning("draft {DraftId} was approved but could not be sent: {Reason}", draft.Id, e.Detail);
        }
        return await transactions.InTransactionAsync(async () =>
        {
            var current = await drafts.LockAsync(draft.OrgId, draft.Id, ct) ?? throw new NotFoundException("draft");
            if (current.State == DraftState.Sent) return current;
            current.State = messageId is null ? DraftState.Failed : DraftState.Sent;
            current.SentMessageId = messageId;
            current.Failure = failure;
            current.UpdatedAt = time.GetUtcNow();
            await drafts.UpdateAsync(current, ct);
            if (messageId is not null) await events.PublishAsync(new DraftSent(current), ct);
            return current;
        }, ct);
    }

    private async Task<OutgoingMail> ComposeAsync(Draft draft, Inbox inbox, CancellationToken ct)
    {
        var content = draft.Content;
        Message? basedOn = null;
        if (draft.ThreadId is not null && draft.BasedOnMessageId is not null)
            basedOn = await messages.GetInThreadAsync(draft.OrgId, draft.ThreadId, draft.BasedOnMessageId, ct);
        return new OutgoingMail
        {
            To = content.To.Select(Stored).ToList(), Cc = content.Cc.Select(Stored).ToList(),
            Subject = content.Subject, Text = content.Text, Html = content.Html, ThreadId = draft.ThreadId,
            InReplyTo = basedOn?.RfcMessageId,
            References = basedOn is null ? [] : basedOn.References.Concat(basedOn.RfcMessageId is null ? [] : [basedOn.RfcMessageId]).ToList(),
        };
    }

    /// <summary>
    /// Posts the draft's card on the identity's channel (the secondary one when escalated), after the draft's transaction
    /// committed. A channel that fails is logged and leaves the draft pending: <c>/notify</c> posts the card again.
    /// </summary>
    /// <returns>Whether the channel took the card (false: no such channel, or it failed).</returns>
    private async Task<bool> AnnounceAsync(Draft draft, Inbox inbox, bool escalated, CancellationToken ct)
    {
        var channelId = escalated ? inbox.SecondaryChannelId : inbox.PrimaryChannelId;
        if (await channels.GetAsync(draft.OrgId, channelId, ct) is not { } stored || channels.ChannelFor(stored.Config.Type) is not { } channel) return false;
        var tokens = await transactions.InTransactionAsync(() =>
            links.IssueAsync(draft.OrgId, LinkPurpose, draft.Id, [ApproveAction, RejectAction], settings.LinkLifetime, ct), ct);
        var groupId = (await links.FindUsableAsync(tokens[ApproveAction], LinkPurpose, ct))?.GroupId;
        var card = Card(draft, inbox, pages.PageUrl(tokens[ApproveAction]), pages.PageUrl(tokens[RejectAction]), escalated);
        ChannelNotice notice;
        try
        {
            notice = await channel.AnnounceAsync(stored.Config, card, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "draft {DraftId} could not be announced on its {Type} channel", draft.Id, stored.Config.Type);
            if (groupId is not null) await links.VoidGroupAsync(groupId, ct);
            return false;
        }
        var decided = await transactions.InTransactionAsync(async () =>
        {
            var current = await drafts.LockAsync(draft.OrgId, draft.Id, ct);
            if (current is null) return null;
            current.Notices.Add(new DraftNotice
            {
                ChannelId = stored.Id, Type = notice.Type, Reference = notice.Reference, Version = draft.Version, Escalated = escalated,
                LinkGroupId = groupId, PostedAt = time.GetUtcNow(),
            });
            await drafts.SaveNoticesAsync(current, ct);
            // Decided (or edited) while the card was being posted: the decision closed the cards it knew, not this one.
            return current.IsOpen && current.Version == draft.Version ? null : current;
        }, ct);
        if (decided is not null)
        {
            if (groupId is not null) await links.VoidGroupAsync(groupId, CancellationToken.None);
            var outcome = decided.IsOpen
                ? new ApprovalOutcome("edited", "api", time.GetUtcNow())
                : new ApprovalOutcome(decided.State, decided.DecidedBy ?? "", decided.DecidedAt ?? time.GetUtcNow(), decided.RejectReason);
            try { await channel.CloseAsync(stored.Config, notice, card, outcome, ct); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "the {Type} card of draft {DraftId} could not be closed", notice.Type, draft.Id);
            }
        }
        return true;
    }

    /// <summary>Closes every card posted for the draft and voids their links; a channel that fails to close is logged, never an error.</summary>
    private async Task CloseCardsAsync(Draft draft, ApprovalOutcome outcome, CancellationToken ct)
    {
        var inbox = draft.InboxId is null ? null : await inboxes.GetAsync(draft.OrgId, draft.InboxId, ct);
        foreach (var notice in draft.Notices)
        {
            if (notice.LinkGroupId is not null) await links.VoidGroupAsync(notice.LinkGroupId, CancellationToken.None);
            if (await channels.GetAsync(draft.OrgId, notice.ChannelId, ct) is not { } stored || channels.ChannelFor(notice.Type) is not { } channel) continue;
            try
            {
                var card = Card(draft, inbox, "", "", notice.Escalated);
                await channel.CloseAsync(stored.Config, new ChannelNotice(notice.Type, notice.Reference), card, outcome, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "the {Type} card of draft {DraftId} could not be closed", notice.Type, draft.Id);
            }
        }
    }

    private static ApprovalCard Card(Draft draft, Inbox? inbox, string approveUrl, string rejectUrl, bool escalated) => new()
    {
        OrgId = draft.OrgId, DraftId = draft.Id, Version = draft.Version,
        From = inbox is null ? "(deleted identity)" : MessageSender.Sender(inbox).ToString(),
        To = draft.Content.To, Cc = draft.Content.Cc, Subject = draft.Content.Subject, Text = draft.Content.Text, Rationale = draft.Content.Rationale,
        ApproveUrl = approveUrl, RejectUrl = rejectUrl, Escalated = escalated,
    };

    private async Task<string?> ApproverAddressAsync(Draft draft, CancellationToken ct)
    {
        if (draft.InboxId is null || await inboxes.GetAsync(draft.OrgId, draft.InboxId, ct) is not { } inbox) return null;
        foreach (var id in new[] { inbox.PrimaryChannelId, inbox.SecondaryChannelId })
            if (await channels.GetAsync(draft.OrgId, id, ct) is { Config.Type: ApprovalChannelTypes.Email } stored) return stored.Config["to"];
        return null;
    }

    private async Task<Inbox> ActiveInboxOfAsync(Draft draft, CancellationToken ct)
    {
        var inbox = draft.InboxId is null ? null : await inboxes.GetAsync(draft.OrgId, draft.InboxId, ct);
        if (inbox is null) throw new NotActiveException("identity_id", "the draft's identity was deleted and cannot send", ErrorCodes.IdentityNotActive);
        RequireActive(inbox);
        return inbox;
    }

    private static void RequireActive(Inbox inbox)
    {
        if (inbox.Status != InboxStatus.Active)
            throw new NotActiveException("identity_id", $"{inbox.EmailAddress} is {inbox.Status} and cannot send", ErrorCodes.IdentityNotActive);
    }

    private static void RequirePending(Draft draft)
    {
        if (draft.State == DraftState.Stale)
            throw new ConflictException("draft", "newer mail reached the thread after this draft was written", ErrorCodes.StaleDraft);
        if (draft.State != DraftState.Pending)
            throw new ConflictException("status", $"the draft is already {draft.State}", ErrorCodes.DraftDecided);
    }

    private static Draft Snapshot(Draft d) => new()
    {
        Id = d.Id, OrgId = d.OrgId, InboxId = d.InboxId, ThreadId = d.ThreadId, BasedOnMessageId = d.BasedOnMessageId, State = d.State,
        Version = d.Version, Content = d.Content, Notices = [.. d.Notices], EscalationDueAt = d.EscalationDueAt, EscalatedAt = d.EscalatedAt,
        DecidedBy = d.DecidedBy, DecidedAt = d.DecidedAt, RejectReason = d.RejectReason, SentMessageId = d.SentMessageId, Failure = d.Failure,
        CreatedBy = d.CreatedBy, CreatedAt = d.CreatedAt, UpdatedAt = d.UpdatedAt,
    };

    private static string? Body(string field, string? value, bool required)
    {
        if (value is null || (required && string.IsNullOrWhiteSpace(value)))
            return required ? throw new ValidationException(field, "is required") : null;
        return value.Length > MaxTextLength ? throw new ValidationException(field, $"must be at most {MaxTextLength} characters") : value;
    }

    private static List<string> Addresses(string field, IReadOnlyList<string?>? values)
    {
        if (values is null) return [];
        Check.AtMost(field, values.Count, MaxRecipients, "recipients");
        var list = new List<string>();
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is not { } value || !MailboxAddress.TryParse(value, out var address))
                throw new ValidationException($"{field}[{i}]", "is not an email address");
            list.Add(address.ToString());
        }
        return list;
    }

    /// <summary>An address as <see cref="Addresses"/> stored it (checked then, so it reads back).</summary>
    private static MailboxAddress Stored(string value) =>
        MailboxAddress.TryParse(value, out var address) ? address : throw new ValidationException("to", $"{value} is not an email address");

    private static JsonElement? CheckMetadata(JsonElement? metadata)
    {
        if (metadata is not { } value || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Object) throw new ValidationException("metadata", "must be a JSON object");
        if (System.Text.Encoding.UTF8.GetByteCount(value.GetRawText()) > Draft.MaxMetadataBytes)
            throw new ValidationException("metadata", $"must be at most {Draft.MaxMetadataBytes} bytes of JSON");
        return value.Clone();
    }

    private static string ReplyTarget(Message original, Inbox inbox)
    {
        if (original.Direction == MessageDirection.Outbound && original.To.Count > 0) return original.To[0];
        if (original.ReplyTo.Count > 0) return original.ReplyTo[0];
        if (original.From is not null && MailboxAddress.TryParse(original.From, out var from)) return from.ToString();
        throw new ValidationException("to", $"the message answered has no sender address; give to for {inbox.EmailAddress}'s reply");
    }

    private static string Prefixed(string? subject) =>
        subject is null ? "Re:" : subject.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? subject : "Re: " + subject;
}
