using Mailroom.Core.Common;
using Mailroom.Core.Domains;
using Mailroom.Server.Dialects.Shared;

namespace Mailroom.Server.Dialects.AgentMailV0;

public static class DomainEndpoints
{
    public sealed record CreateDomainRequest(string? Domain, bool? FeedbackEnabled);
    public sealed record RecordResponse(string Type, string Name, string Value, string Status, int? Priority);
    public sealed record DomainResponse(string DomainId, string Status, bool FeedbackEnabled, IReadOnlyList<RecordResponse> Records,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public static DomainResponse ToResponse(Domain d) => new(d.Name, d.Status, d.FeedbackEnabled,
        d.Records.Select(r => new RecordResponse(r.Type, r.Name, r.Value, r.Status, r.Priority)).ToList(), d.CreatedAt, d.UpdatedAt);

    public static void MapDomains(this RouteGroupBuilder v0)
    {
        var domains = v0.MapGroup("/domains");

        domains.MapPost("/", async (HttpContext http, DomainService service) =>
        {
            var body = await V0Routes.ReadAsync<CreateDomainRequest>(http.Request);
            var domain = await service.AddAsync(Caller.Of(http).OrgId, body.Domain, body.FeedbackEnabled, http.RequestAborted);
            return V0Routes.Created(ToResponse(domain));
        }).Accepts<CreateDomainRequest>("application/json").Produces<DomainResponse>(201).Produces<ApiError>(400).Produces<ApiError>(409);

        domains.MapGet("/", async (HttpContext http, IDomainRepository repository, string? page, string? page_size) =>
        {
            var paging = V0Page.From(page, page_size);
            var list = await repository.ListAsync(Caller.Of(http).OrgId, paging.Request, http.RequestAborted);
            return V0Routes.Ok(paging.List(list, ToResponse));
        }).Produces<V0Routes.ListResponse<DomainResponse>>();

        domains.MapGet("/{domainId}", async (HttpContext http, IDomainRepository repository, string domainId) =>
            await repository.GetByNameAsync(Caller.Of(http).OrgId, domainId.ToLowerInvariant(), http.RequestAborted) is { } domain
                ? V0Routes.Ok(ToResponse(domain))
                : V0Errors.NotFound("domain"))
            .Produces<DomainResponse>().Produces<ApiError>(404);

        domains.MapPost("/{domainId}/verify", async (HttpContext http, IDomainRepository repository, DomainVerifier verifier, string domainId) =>
        {
            var domain = await repository.GetByNameAsync(Caller.Of(http).OrgId, domainId.ToLowerInvariant(), http.RequestAborted);
            if (domain is null) return V0Errors.NotFound("domain");
            return V0Routes.Ok(ToResponse(await verifier.VerifyAsync(domain, http.RequestAborted)));
        }).Produces<DomainResponse>().Produces<ApiError>(404);

        domains.MapDelete("/{domainId}", async (HttpContext http, DomainService service, string domainId) =>
        {
            await service.DeleteAsync(Caller.Of(http).OrgId, domainId, http.RequestAborted);
            return Results.NoContent();
        }).Produces(204).Produces<ApiError>(404).Produces<ApiError>(409);
    }
}
