using Mailroom.Core.Organizations;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.AgentMailV0;

public static class OrganizationEndpoints
{
    public sealed record OrganizationResponse(string OrgId, string Name, long InboxCount, int InboxLimit, long DomainCount, int DomainLimit,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public static void MapOrganizations(this RouteGroupBuilder v0)
    {
        v0.MapGet("/organizations", async (HttpContext http, IOrganizationRepository organizations) =>
        {
            var orgId = Caller.Of(http).OrgId;
            var organization = await organizations.GetAsync(orgId, http.RequestAborted);
            if (organization is null) return V0Errors.NotFound("organization");
            var usage = await organizations.GetUsageAsync(orgId, http.RequestAborted);
            return V0Routes.Ok(new OrganizationResponse(organization.Id, organization.Name, usage.InboxCount, organization.InboxLimit,
                usage.DomainCount, organization.DomainLimit, organization.CreatedAt, organization.UpdatedAt));
        }).Produces<OrganizationResponse>();
    }
}
