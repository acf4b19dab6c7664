using System.Net;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Core.Drafts;
using Mailroom.Server.Pages;

namespace Mailroom.Server.Approvals;

/// <summary>
/// The confirmation pages behind the Approve and Reject links: <c>GET /approvals/{token}</c> shows the draft and what
/// the link would do and changes nothing (mail scanners fetch links); the page's POST to the same address uses the
/// token once and decides.
/// </summary>
public sealed class ApprovalPages(PublicLinks links) : IApprovalPages
{
    public const string Route = "/approvals/{token}";

    public string PageUrl(string token) => links.Absolute("/approvals/" + Uri.EscapeDataString(token));

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(Route, async (DraftService drafts, string token, CancellationToken ct) =>
        {
            if (await drafts.FindByTokenAsync(token, ct) is not { } found) return Unusable();
            var (draft, action) = found;
            if (draft.State == DraftState.Stale) return Stale();
            if (!draft.IsOpen) return Decided(draft);
            var approve = action == DraftService.ApproveAction;
            var facts = new List<(string, string)> { ("To", string.Join(", ", draft.Content.To)) };
            if (draft.Content.Cc.Count > 0) facts.Add(("Cc", string.Join(", ", draft.Content.Cc)));
            facts.Add(("Subject", draft.Content.Subject ?? "(no subject)"));
            if (draft.Content.Rationale is { } why) facts.Add(("Why", why));
            var form = approve
                ? new PageForm("/approvals/" + Uri.EscapeDataString(token), "Approve and send", new Dictionary<string, string>())
                : new PageForm("/approvals/" + Uri.EscapeDataString(token), "Reject", new Dictionary<string, string>(), "reason", "Reason (optional)");
            return ConfirmationPage.Ask(approve ? "Approve this reply?" : "Reject this reply?", facts, draft.Content.Text, [form]);
        }).ExcludeFromDescription();

        app.MapPost(Route, async (HttpContext http, DraftService drafts, string token) =>
        {
            string? reason = null;
            if (http.Request.HasFormContentType)
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted);
                reason = form["reason"].FirstOrDefault() is { Length: > 0 } given ? given : null;
            }
            try
            {
                var draft = await drafts.DecideByTokenAsync(token, reason, http.RequestAborted);
                return draft.State switch
                {
                    DraftState.Sent => ConfirmationPage.Tell("Approved", "The reply was approved and is on its way."),
                    DraftState.Failed => ConfirmationPage.Tell("Approved, not sent", $"The reply was approved but could not be sent: {draft.Failure}"),
                    DraftState.Rejected => ConfirmationPage.Tell("Rejected", "The reply was rejected; nothing was sent."),
                    _ => ConfirmationPage.Tell("Done", $"The draft is now {draft.State}."),
                };
            }
            catch (LinkRefusedException) { return Unusable(); }
            catch (ConflictException e) when (e.Code == ErrorCodes.StaleDraft) { return Stale(); }
            catch (ConflictException e) when (e.Code == ErrorCodes.DraftDecided)
            {
                return ConfirmationPage.Tell("Already decided", "This draft was already decided elsewhere.", HttpStatusCode.Conflict);
            }
            catch (NotActiveException e) { return ConfirmationPage.Tell("Cannot send", e.Detail, HttpStatusCode.UnprocessableEntity); }
        }).DisableAntiforgery().ExcludeFromDescription();
    }

    private static IResult Unusable() =>
        ConfirmationPage.Tell("Link no longer works", "This link is invalid, has expired or has already been used.", HttpStatusCode.Gone);

    private static IResult Stale() => ConfirmationPage.Tell("Draft out of date",
        "Newer mail reached this conversation after the draft was written, so it cannot be approved; the agent should write a new one.",
        HttpStatusCode.Conflict);

    private static IResult Decided(Draft draft) =>
        ConfirmationPage.Tell("Already decided", $"This draft is already {draft.State}.", HttpStatusCode.Conflict);
}
