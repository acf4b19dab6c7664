using System.Net;
using System.Text;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Core.Messaging;
using Mailroom.Mime;

namespace Mailroom.Server.Approvals.Email;

/// <summary>
/// The one-click email channel: <c>{"to": "approvers@example.com"}</c>. The card is a mail from Mailroom's own address on
/// the platform domain, DKIM-signed and queued like any other, showing the draft with Approve and Reject links to the
/// confirmation pages (a GET shows, only the page's POST acts). Closing a card needs no mail: its links are voided.
/// </summary>
public sealed class EmailApprovalChannel(NoticeMail notices) : IApprovalChannel
{
    public string Type => ApprovalChannelTypes.Email;

    public IReadOnlySet<string> SecretKeys { get; } = new HashSet<string>();

    public Task<ApprovalChannelConfig> PrepareAsync(string orgId, ApprovalChannelConfig config, CancellationToken ct)
    {
        foreach (var key in config.Values.Keys)
            if (key != "to") throw new ValidationException($"approval_channel.config.{key}", "is not a setting of the email channel (only to)");
        if (config["to"] is not { Length: > 0 } to) throw new ValidationException("approval_channel.config.to", "is required");
        if (!MailboxAddress.TryParse(to, out var address) || address.Address != to)
            throw new ValidationException("approval_channel.config.to", "must be an email address");
        return Task.FromResult(config);
    }

    public async Task<ChannelNotice> AnnounceAsync(ApprovalChannelConfig config, ApprovalCard card, CancellationToken ct)
    {
        var to = MailboxAddress.TryParse(config["to"] ?? "", out var address) ? address : throw new InvalidOperationException("email channel without to");
        var subject = (card.Escalated ? "Escalated: approval needed: " : "Approval needed: ") + (card.Subject ?? "(no subject)");
        var messageId = await notices.SendAsync(card.OrgId, to, subject, Text(card), Html(card), ct);
        return new ChannelNotice(Type, messageId);
    }

    /// <summary>Nothing to change in a sent mail: the draft service voids the card's links, so they answer "already used".</summary>
    public Task CloseAsync(ApprovalChannelConfig config, ChannelNotice notice, ApprovalCard card, ApprovalOutcome outcome, CancellationToken ct) =>
        Task.CompletedTask;

    private static IEnumerable<(string Label, string Value)> Facts(ApprovalCard card)
    {
        yield return ("From", card.From);
        yield return ("To", string.Join(", ", card.To));
        if (card.Cc.Count > 0) yield return ("Cc", string.Join(", ", card.Cc));
        yield return ("Subject", card.Subject ?? "(no subject)");
        if (card.Rationale is not null) yield return ("Why", card.Rationale);
        yield return ("Draft", $"{card.DraftId} (version {card.Version})");
    }

    private static string Text(ApprovalCard card)
    {
        var text = new StringBuilder();
        if (card.Escalated) text.Append("This draft was not decided in time on its first channel.\r\n\r\n");
        text.Append("An agent wrote this reply and it waits for your decision.\r\n\r\n");
        foreach (var (label, value) in Facts(card)) text.Append(label).Append(": ").Append(value).Append("\r\n");
        text.Append("\r\n").Append(card.Text.ReplaceLineEndings("\r\n")).Append("\r\n\r\n");
        text.Append("Approve and send: ").Append(card.ApproveUrl).Append("\r\n");
        text.Append("Reject: ").Append(card.RejectUrl).Append("\r\n\r\n");
        text.Append("Each link opens a page that asks you to confirm; it works once.\r\n");
        return text.ToString();
    }

    private static string Html(ApprovalCard card)
    {
        static string E(string value) => WebUtility.HtmlEncode(value);
        var html = new StringBuilder("<!doctype html><html><body>");
        if (card.Escalated) html.Append("<p><b>This draft was not decided in time on its first channel.</b></p>");
        html.Append("<p>An agent wrote this reply and it waits for your decision.</p><table>");
        foreach (var (label, value) in Facts(card)) html.Append("<tr><th align=\"left\">").Append(E(label)).Append("</th><td>").Append(E(value)).Append("</td></tr>");
        html.Append("</table><pre style=\"white-space:pre-wrap\">").Append(E(card.Text)).Append("</pre>");
        html.Append("<p><a href=\"").Append(E(card.ApproveUrl)).Append("\">Approve and send</a> &nbsp; <a href=\"").Append(E(card.RejectUrl))
            .Append("\">Reject</a></p><p>Each link opens a page that asks you to confirm; it works once.</p></body></html>");
        return html.ToString();
    }
}
