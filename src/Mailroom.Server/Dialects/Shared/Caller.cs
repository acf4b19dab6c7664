using Mailroom.Core.ApiKeys;

namespace Mailroom.Server.Dialects.Shared;

/// <summary>The authenticated key behind a request; every query is scoped by its organization.</summary>
public sealed record Caller(ApiKey Key)
{
    public string OrgId => Key.OrgId;

    public static Caller Of(HttpContext context) =>
        context.Features.Get<Caller>() ?? throw new InvalidOperationException("route is not behind API key authentication");
}
