using System.Net;
using Mailroom.Core.Common;
using Mailroom.Core.SenderIdentities;

namespace Mailroom.Server.Pages;

/// <summary>
/// The page the link in a sender identity's confirmation mail opens (<c>/confirm/sender-identity?token=…</c>): a GET
/// shows who asks to send as which address and a button, and changes nothing (mail scanners fetch links); the button's
/// POST confirms. A link that is forged, expired, used or replaced by a newer mail answers 410.
/// </summary>
public sealed class SenderIdentityConfirmationPage(PublicLinks publicLinks) : ISenderConfirmationLinks
{
    public const string Path = "/confirm/sender-identity";

    public string ConfirmationUrl(string token) => publicLinks.Absolute($"{Path}?token={Uri.EscapeDataString(token)}");

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(Path, async (HttpContext http, SenderIdentityService identities) =>
        {
            var token = http.Request.Query["token"].FirstOrDefault() ?? "";
            if (await identities.DescribeAsync(token, http.RequestAborted) is not { } request) return Unusable();
            var identity = request.Identity;
            return ConfirmationPage.Ask("Confirm your email address",
                [("Address", identity.Email), ("Sender name", identity.Name), ("Asked by", request.OrganizationName)],
                identity.AddNote ? identity.PersonalNote : null,
                [new PageForm(Path, "Confirm this address", new Dictionary<string, string> { ["token"] = token })]);
        });

        app.MapPost(Path, async (HttpContext http, SenderIdentityService identities) =>
        {
            // Read by hand: the token is the credential, so the page needs no antiforgery cookie.
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
            var token = form?["token"].FirstOrDefault() ?? "";
            try
            {
                var identity = await identities.ConfirmAsync(token, http.RequestAborted);
                return ConfirmationPage.Tell("Address confirmed", $"{identity.Email} is confirmed: mail may now be sent as {identity.Name} <{identity.Email}>.");
            }
            catch (LinkRefusedException)
            {
                return Unusable();
            }
        }).DisableAntiforgery();
    }

    private static IResult Unusable() => ConfirmationPage.Tell("This link cannot be used",
        "It is invalid, has expired, has already been used, or a newer confirmation mail replaced it.", HttpStatusCode.Gone);
}
