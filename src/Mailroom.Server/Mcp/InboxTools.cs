using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;

namespace Mailroom.Server.Mcp;

/// <summary>list_inboxes, get_inbox, create_inbox, update_inbox, delete_inbox: the organization's addresses.</summary>
public sealed class InboxTools : IMcpToolSet
{
    public IEnumerable<McpTool> Tools()
    {
        yield return new McpTool("list_inboxes", "List inboxes",
            "Lists the organization's inboxes (email addresses), oldest first. Each has an inbox_id, which the mail tools take.",
            [McpScopes.ReadThreads], ToolEffects.Reads, new ToolSchema().Paged("inboxes"), ListAsync);

        yield return new McpTool("get_inbox", "Get an inbox", "Returns one inbox: its address, display name and status.",
            [McpScopes.ReadThreads], ToolEffects.Reads, new ToolSchema().String("inbox_id", "The inbox's id (from list_inboxes)", required: true),
            async call => McpViews.Of(await InboxAsync(call, call.Arguments.Id("inbox_id"))));

        yield return new McpTool("create_inbox", "Create an inbox",
            "Creates a new inbox, a new email address the organization can send and receive mail at. Without a username one is not " +
            "made up: give one. Without a domain the platform's default domain is used. With a client_id, calling again with the " +
            "same client_id returns the inbox made the first time instead of a second one.",
            [McpScopes.ManageSettings], new ToolEffects(ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false),
            new ToolSchema()
                .String("username", "The part before the @: letters, digits and . _ % + -", required: true, maxLength: 64)
                .String("domain", "A verified domain of the organization; omit for the platform's default domain")
                .String("display_name", "The name shown to recipients, as in \"Support Team\"")
                .String("client_id", "Your own key for this inbox: a repeat with the same client_id returns the same inbox"),
            CreateAsync);

        yield return new McpTool("update_inbox", "Rename an inbox",
            "Changes an inbox's display name, the name recipients see beside its address. Pass null to remove it.",
            [McpScopes.ManageSettings], new ToolEffects(ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false),
            new ToolSchema()
                .String("inbox_id", "The inbox's id", required: true)
                .NullableString("display_name", "The new display name; null removes it", required: true),
            async call =>
            {
                var inboxId = call.Caller.Reach(call.Arguments.Id("inbox_id"));
                if (!call.Arguments.Has("display_name")) throw new ValidationException("display_name", "is required (null removes the display name)");
                var inbox = await call.Service<InboxService>().UpdateDisplayNameAsync(call.Caller.OrgId, inboxId,
                    call.Arguments.String("display_name", 200), call.Cancellation);
                return McpViews.Of(inbox);
            });

        yield return new McpTool("delete_inbox", "Delete an inbox",
            "Deletes an inbox with all its threads, messages and attachments. This cannot be undone; the address stops receiving mail.",
            [McpScopes.ManageSettings], new ToolEffects(ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false),
            new ToolSchema().String("inbox_id", "The inbox's id", required: true),
            async call =>
            {
                var inboxId = call.Caller.Reach(call.Arguments.Id("inbox_id"));
                await call.Service<MailDeletion>().DeleteInboxAsync(call.Caller.OrgId, inboxId, call.Cancellation);
                return new { Deleted = true, InboxId = inboxId };
            });
    }

    public static async Task<Inbox> InboxAsync(ToolCall call, string inboxId) =>
        await call.Service<IInboxRepository>().GetAsync(call.Caller.OrgId, call.Caller.Reach(inboxId), call.Cancellation)
        ?? throw new NotFoundException("inbox");

    private static async Task<object> ListAsync(ToolCall call)
    {
        var page = McpCursor.Read(call.Arguments);
        if (call.Caller.InboxId is { } only)
        {
            // A key limited to one inbox sees that inbox alone.
            var inbox = await InboxAsync(call, only);
            return new { Inboxes = page.Offset == 0 ? new[] { McpViews.Of(inbox) } : [], NextCursor = (string?)null, Total = 1 };
        }
        var list = await call.Service<IInboxRepository>().ListAsync(call.Caller.OrgId, page, call.Cancellation);
        return new { Inboxes = list.Items.Select(McpViews.Of).ToList(), NextCursor = McpCursor.Next(page, list), list.Total };
    }

    private static async Task<object> CreateAsync(ToolCall call)
    {
        if (call.Caller.InboxId is not null)
            throw new ValidationException("username", "this API key is limited to one inbox and cannot create others");
        var args = call.Arguments;
        var result = await call.Service<InboxService>().CreateAsync(call.Caller.OrgId,
            new NewInbox(args.RequiredString("username", 64), args.String("domain", 253), args.String("display_name", 200), args.String("client_id", 200)),
            call.Cancellation);
        return new { Created = result.Created, Inbox = McpViews.Of(result.Inbox) };
    }
}
