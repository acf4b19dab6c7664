using Mailroom.Core.Common;

namespace Mailroom.Server.Dialects.Shared;

/// <summary>
/// One API dialect: the path prefix it owns, its services, its routes and how it spells errors. The host lists the
/// dialects it serves (<see cref="Hosting.MailroomApp"/>); adding a dialect is its folder plus one line there.
/// </summary>
public interface IApiDialect
{
    /// <summary>Every path under it is this dialect's, unmatched ones included (their 404/405 are in its error shape).</summary>
    string PathPrefix { get; }
    IDialectErrors Errors { get; }
    void AddServices(IServiceCollection services, IConfiguration configuration);
    void MapEndpoints(IEndpointRouteBuilder app);
}

/// <summary>Refusals that happen around the use cases: authentication, routing, rate limits, unreadable bodies, faults.</summary>
public enum RequestRefusal
{
    MissingApiKey,
    InvalidApiKey,
    NoRoute,
    MethodNotAllowed,
    UnsupportedMediaType,
    /// <summary>The body could not be read (too large, cut off); the status says which.</summary>
    UnreadableBody,
    RateLimited,
    InternalError,
    /// <summary>Any other bare status code.</summary>
    Other,
}

/// <summary>A dialect's error renderer: its status codes and its error body.</summary>
public interface IDialectErrors
{
    IResult Error(MailroomException error);
    /// <param name="status">The status routing or the server chose (the dialect may keep it).</param>
    /// <param name="detail">What went wrong, in plain words, where the refusal has more to say than its kind.</param>
    IResult Refusal(HttpContext http, RequestRefusal refusal, int status, string? detail = null);
}

/// <summary>The dialects this host serves, and which one owns a path.</summary>
public sealed class ApiDialects(IReadOnlyList<IApiDialect> dialects)
{
    public IReadOnlyList<IApiDialect> All => dialects;

    /// <summary>
    /// The dialect with the longest prefix that holds the path (<c>/api/v0/x</c> is v0's even though <c>/api</c> holds it
    /// too); paths outside every dialect answer in the first one's shape.
    /// </summary>
    public IDialectErrors ErrorsFor(PathString path) =>
        (dialects.Where(d => path.StartsWithSegments(d.PathPrefix)).MaxBy(d => d.PathPrefix.Length) ?? dialects[0]).Errors;

    /// <summary>The error renderer for a request, for code that runs outside dependency injection (middleware callbacks, endpoint lambdas).</summary>
    public static IDialectErrors ErrorsOf(HttpContext http) =>
        http.RequestServices.GetRequiredService<ApiDialects>().ErrorsFor(http.Request.Path);
}
