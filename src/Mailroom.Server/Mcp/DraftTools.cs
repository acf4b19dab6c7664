using System.Text.Json;
using Mailroom.Core.ApiKeys;
using Mailroom.Core.Common;
using Mailroom.Core.Drafts;
using Mailroom.Core.Identities;

namespace Mailroom.Server.Mcp;

/// <summary>
/// Drafts that wait for a person, and the identities that send them: submit, list, read, edit and send drafts, approve
/// or reject them (only keys with <c>approve:drafts</c> see those), and read sender identities.
/// </summary>
public sealed class DraftTools : IMcpToolSet
{
    private const string DraftIdText = "The draft's id (from submit_draft or list_drafts)";

    public IEnumerable<McpTool> Tools()
    {
        yield return new McpTool("submit_draft", "Submit a draft for approval",
            "Writes an email for a person to approve before it is sent. Give thread_id to answer a conversation (the reply goes to " +
            "its last sender unless to is given), or to for a new one. The answer's status is pending (a person is asked), " +
            "approved or sent (the identity auto-approves replies), or stale (newer mail reached the thread: read it and submit again).",
            [ApiKeyScopes.WriteDrafts], new ToolEffects(ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: true),
            new ToolSchema()
                .String("identity_id", "The identity (inbox) that would send it (from list_identities or list_inboxes)", required: true)
                .String("thread_id", "The conversation it answers; omit for a new one")
                .String("based_on_message_id", "The message it answers (default: the thread's last message)")
                .String("subject", "The subject; a reply defaults to \"Re: \" and the thread's subject")
                .String("body_text", "The plain-text body", required: true)
                .String("body_html", "An HTML body besides the text")
                .Strings("to", "Recipients; required for a new conversation", maxItems: 50)
                .Strings("cc", "Copy recipients", maxItems: 50)
                .String("rationale", "Why the agent wrote it, shown to the person who approves"),
            async call =>
            {
                var args = call.Arguments;
                var identityId = call.Caller.Reach(args.Id("identity_id"));
                var submitted = await call.Service<DraftService>().SubmitAsync(call.Caller.OrgId, new NewDraft
                {
                    IdentityId = identityId, ThreadId = args.String("thread_id", 200), BasedOnMessageId = args.String("based_on_message_id", 200),
                    Subject = args.String("subject", 998), Text = args.String("body_text", BodyLimit), Html = args.String("body_html", BodyLimit),
                    To = args.Strings("to"), Cc = args.Strings("cc"), Rationale = args.String("rationale", BodyLimit),
                }, Actor(call), call.Cancellation);
                return new { Draft = View(submitted.Draft), submitted.StaleWarning };
            });

        yield return new McpTool("list_drafts", "List drafts",
            "Lists drafts, newest first, optionally only one identity's, one thread's or one status's (pending, stale, approved, " +
            "rejected, sent, failed).",
            [ApiKeyScopes.ReadThreads], ToolEffects.Reads,
            new ToolSchema()
                .String("identity_id", "Only this identity's drafts")
                .String("thread_id", "Only this thread's drafts")
                .String("status", "Only drafts in this status: pending, stale, approved, rejected, sent or failed")
                .Paged("drafts"),
            async call =>
            {
                var args = call.Arguments;
                var identityId = args.String("identity_id", 200) is { } named ? call.Caller.Reach(named) : call.Caller.InboxId;
                var filter = new DraftFilter(identityId, args.String("thread_id", 200), args.String("status", 20));
                var page = McpCursor.Read(args);
                var list = await call.Service<DraftService>().ListAsync(call.Caller.OrgId, filter, page, call.Cancellation);
                return new { Drafts = list.Items.Select(View).ToList(), NextCursor = McpCursor.Next(page, list), list.Total };
            });

        yield return new McpTool("get_draft", "Read a draft", "Returns a draft: its text, recipients, status and who decided it.",
            [ApiKeyScopes.ReadThreads], ToolEffects.Reads, new ToolSchema().String("draft_id", DraftIdText, required: true),
            async call => View(await DraftAsync(call)));

        yield return new McpTool("update_draft", "Edit a draft",
            "Changes a pending draft; only the fields given change, and the person is asked about the new version. A decided " +
            "draft cannot be edited.",
            [ApiKeyScopes.WriteDrafts, ApiKeyScopes.ApproveDrafts], new ToolEffects(ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false),
            new ToolSchema()
                .String("draft_id", DraftIdText, required: true)
                .String("subject", "The new subject")
                .String("body_text", "The new plain-text body")
                .String("body_html", "The new HTML body")
                .Strings("to", "The new recipients", maxItems: 50)
                .Strings("cc", "The new copy recipients", maxItems: 50)
                .String("rationale", "The new rationale"),
            async call =>
            {
                var args = call.Arguments;
                var draft = await DraftAsync(call);
                Change<T> Given<T>(string name, Func<T> read) => args.Has(name) ? Change<T>.To(read()) : Change<T>.Keep;
                var edited = await call.Service<DraftService>().EditAsync(call.Caller.OrgId, draft.Id, new DraftEdit
                {
                    Subject = Given<string?>("subject", () => args.String("subject", 998)),
                    Text = Given<string?>("body_text", () => args.String("body_text", BodyLimit)),
                    Html = Given<string?>("body_html", () => args.String("body_html", BodyLimit)),
                    To = Given<IReadOnlyList<string?>?>("to", () => args.Strings("to")),
                    Cc = Given<IReadOnlyList<string?>?>("cc", () => args.Strings("cc")),
                    Rationale = Given<string?>("rationale", () => args.String("rationale", BodyLimit)),
                }, Actor(call), call.Cancellation);
                return View(edited);
            });

        yield return new McpTool("send_draft", "Send a draft",
            "Sends a draft: a pending one is approved first. Sending again after a failure retries it; it is never sent twice.",
            [ApiKeyScopes.ApproveDrafts], new ToolEffects(ReadOnly: false, Destructive: false, Idempotent: true, OpenWorld: true),
            new ToolSchema().String("draft_id", DraftIdText, required: true),
            async call => View(await call.Service<DraftService>().SendAsync(call.Caller.OrgId, (await DraftAsync(call)).Id, Actor(call), call.Cancellation)));

        yield return new McpTool("approve_draft", "Approve a draft",
            "Approves a pending draft, which is then sent. Only the first decision on a draft counts.",
            [ApiKeyScopes.ApproveDrafts], new ToolEffects(ReadOnly: false, Destructive: false, Idempotent: true, OpenWorld: true),
            new ToolSchema().String("draft_id", DraftIdText, required: true),
            async call => View(await call.Service<DraftService>().DecideThroughApiAsync(call.Caller.OrgId, (await DraftAsync(call)).Id, Actor(call),
                approve: true, null, call.Cancellation)));

        yield return new McpTool("reject_draft", "Reject a draft",
            "Rejects a pending draft, which is then never sent. Only the first decision on a draft counts.",
            [ApiKeyScopes.ApproveDrafts], new ToolEffects(ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false),
            new ToolSchema().String("draft_id", DraftIdText, required: true).String("reason", "Why, for the agent that wrote it"),
            async call =>
            {
                var reason = call.Arguments.String("reason", 2000);
                return View(await call.Service<DraftService>().DecideThroughApiAsync(call.Caller.OrgId, (await DraftAsync(call)).Id, Actor(call),
                    approve: false, reason, call.Cancellation));
            });

        yield return new McpTool("list_identities", "List sender identities",
            "Lists the organization's sender identities (the same addresses as its inboxes) with their approval settings.",
            [ApiKeyScopes.ReadThreads, ApiKeyScopes.ManageSettings], ToolEffects.Reads, new ToolSchema().Paged("identities"),
            async call =>
            {
                var page = McpCursor.Read(call.Arguments);
                var service = call.Service<IdentityService>();
                if (call.Caller.InboxId is { } only)
                    return new { Identities = page.Offset == 0 ? new[] { IdentityOf(await service.GetAsync(call.Caller.OrgId, only, call.Cancellation)) } : [],
                        NextCursor = (string?)null, Total = 1L };
                var list = await service.ListAsync(call.Caller.OrgId, new IdentityFilter(null, null), page, call.Cancellation);
                return new { Identities = list.Items.Select(IdentityOf).ToList(), NextCursor = McpCursor.Next(page, list), list.Total };
            });

        yield return new McpTool("get_identity", "Get a sender identity",
            "Returns one sender identity: its address, whether it may write first (can_send_cold), whether replies are approved " +
            "automatically, and its approval channels.",
            [ApiKeyScopes.ReadThreads, ApiKeyScopes.ManageSettings], ToolEffects.Reads,
            new ToolSchema().String("identity_id", "The identity's id", required: true),
            async call => IdentityOf(await call.Service<IdentityService>().GetAsync(call.Caller.OrgId, call.Caller.Reach(call.Arguments.Id("identity_id")),
                call.Cancellation)));
    }

    private const int BodyLimit = 1_000_000;

    private static string Actor(ToolCall call) => "api_key:" + call.Caller.KeyId;

    /// <summary>A draft of the organization within the key's reach; a draft of another inbox is not found for an inbox key.</summary>
    private static async Task<Draft> DraftAsync(ToolCall call)
    {
        var draft = await call.Service<DraftService>().GetAsync(call.Caller.OrgId, call.Arguments.Id("draft_id"), call.Cancellation);
        if (call.Caller.InboxId is { } only && draft.InboxId != only) throw new NotFoundException("draft");
        return draft;
    }

    public sealed record DraftView(string DraftId, string? IdentityId, string? ThreadId, string? BasedOnMessageId, string Status, int Version,
        string? Subject, string BodyText, string? BodyHtml, IReadOnlyList<string> To, IReadOnlyList<string> Cc, string? Rationale,
        string? DecidedBy, DateTimeOffset? DecidedAt, string? RejectReason, string? SentMessageId, string? Failure, DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt);

    private static DraftView View(Draft d) => new(d.Id, d.InboxId, d.ThreadId, d.BasedOnMessageId, d.State, d.Version, d.Content.Subject,
        d.Content.Text, d.Content.Html, d.Content.To, d.Content.Cc, d.Content.Rationale, d.DecidedBy, d.DecidedAt, d.RejectReason, d.SentMessageId,
        d.Failure, d.CreatedAt, d.UpdatedAt);

    public sealed record IdentityView(string IdentityId, string EmailAddress, string? DisplayName, string Status, string DomainId, bool CanSendCold,
        bool AutoApproveReplies, string? ApprovalChannel, string? SecondaryApprovalChannel);

    private static IdentityView IdentityOf(Identity i) => new(i.Inbox.Id, i.Inbox.EmailAddress, i.Inbox.DisplayName, i.Inbox.Status, i.DomainId,
        i.Inbox.CanSendCold, i.Inbox.AutoApproveReplies, i.ApprovalChannel?.Config.Type, i.SecondaryApprovalChannel?.Config.Type);
}
