using System.Globalization;
using System.Text.Json.Nodes;
using Mailroom.Core.Approvals;

namespace Mailroom.Server.Approvals.Slack;

/// <summary>The card in Block Kit: the draft, then buttons that either carry signed tokens (Slack posts clicks back) or open the confirmation pages.</summary>
public static class SlackCards
{
    /// <summary>The <c>block_id</c> of a card's buttons: names the hook whose signing secret checks the click.</summary>
    public const string BlockIdPrefix = "mailroom:";

    public static string Purpose(string hookId) => "slack-card:" + hookId;

    public static string Summary(ApprovalCard card) =>
        $"Draft from {card.From} to {string.Join(", ", card.To)} waiting for approval" + (string.IsNullOrEmpty(card.Subject) ? "" : $": {card.Subject}");

    /// <param name="tokens">The buttons' tokens when Slack posts clicks to Mailroom; null for buttons that open the confirmation pages.</param>
    public static JsonArray Card(ApprovalCard card, string? hookId, IReadOnlyDictionary<string, string>? tokens)
    {
        var blocks = Draft(card);
        JsonObject Button(string action, string label, string style, string? url) => url is null
            ? new JsonObject { ["type"] = "button", ["action_id"] = action, ["style"] = style, ["text"] = Plain(label), ["value"] = tokens![action] }
            : new JsonObject { ["type"] = "button", ["action_id"] = action, ["style"] = style, ["text"] = Plain(label), ["url"] = url };
        var buttons = tokens is null
            ? new JsonArray(Button(ButtonActions.Approve, "Approve", "primary", card.ApproveUrl), Button(ButtonActions.Reject, "Reject", "danger", card.RejectUrl))
            : new JsonArray(Button(ButtonActions.Approve, "Approve", "primary", null), Button(ButtonActions.Reject, "Reject", "danger", null));
        var actions = new JsonObject { ["type"] = "actions", ["elements"] = buttons };
        if (hookId is not null) actions["block_id"] = BlockIdPrefix + hookId;
        blocks.Add(actions);
        return blocks;
    }

    public static JsonArray Closed(ApprovalCard card, ApprovalOutcome outcome)
    {
        var blocks = Draft(card);
        blocks.Add(Outcome(outcome));
        return blocks;
    }

    /// <summary>A posted card as Slack hands it back in a click, without its buttons and with the decision.</summary>
    public static JsonArray Closed(JsonArray? posted, ApprovalOutcome outcome)
    {
        var blocks = new JsonArray();
        foreach (var block in posted ?? [])
            if (block is JsonObject b && (string?)b["type"] != "actions") blocks.Add(b.DeepClone());
        blocks.Add(Outcome(outcome));
        return blocks;
    }

    private static JsonObject Outcome(ApprovalOutcome outcome) => new()
    {
        ["type"] = "context",
        ["elements"] = new JsonArray(Markdown(Emoji(outcome.State) + " " + Escape(ApprovalWording.Outcome(outcome)))),
    };

    private static JsonArray Draft(ApprovalCard card)
    {
        var fields = new JsonArray(Markdown("*From:*\n" + Escape(card.From)), Markdown("*To:*\n" + Escape(string.Join(", ", card.To))));
        if (card.Cc.Count > 0) fields.Add(Markdown("*Cc:*\n" + Escape(string.Join(", ", card.Cc))));
        if (!string.IsNullOrEmpty(card.Subject)) fields.Add(Markdown("*Subject:*\n" + Escape(Cut(card.Subject, 1900))));
        var blocks = new JsonArray(
            new JsonObject { ["type"] = "header", ["text"] = Plain(card.Escalated ? "Still waiting for approval" : "Draft waiting for approval") },
            new JsonObject { ["type"] = "section", ["fields"] = fields },
            new JsonObject { ["type"] = "section", ["text"] = Plain(Cut(card.Text.Length == 0 ? " " : card.Text, 3000)) });
        var facts = string.Create(CultureInfo.InvariantCulture, $"Version {card.Version} of draft {card.DraftId}");
        if (!string.IsNullOrWhiteSpace(card.Rationale)) facts = "*Why:* " + Escape(Cut(card.Rationale, 2500)) + "\n" + facts;
        blocks.Add(new JsonObject { ["type"] = "context", ["elements"] = new JsonArray(Markdown(facts)) });
        return blocks;
    }

    private static string Emoji(string state) => state switch { "rejected" => ":x:", ApprovalWording.Edited => ":pencil2:", _ => ":white_check_mark:" };

    private static JsonObject Plain(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };
    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    /// <summary>The three characters Slack's mrkdwn reserves for links and mentions.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
