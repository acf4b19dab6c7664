using Mailroom.Core.Automation;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.Automation;

/// <summary>Mailroom's own <c>GET /api/Channels</c>: the organization's inboxes and phone numbers under stable integer ids.</summary>
public static class ChannelEndpoints
{
    public sealed record ChannelRead(long ChannelID, long CustomerID, string ChannelType, string? Name, string? Address, string TargetId);

    public static void MapChannels(this RouteGroupBuilder api)
    {
        api.MapGet("/Channels", async (HttpContext http, IAutomationChannelRepository channels) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var customer = await channels.CustomerNumberAsync(orgId, http.RequestAborted);
            var list = await channels.ListAsync(orgId, http.RequestAborted);
            return AutomationJson.Ok(list.Select(c => new ChannelRead(c.Id, customer, c.Kind == ChannelKinds.Inbox ? "Email" : "Phone", c.Name, c.Address, c.TargetId))
                .ToList());
        });
    }
}
