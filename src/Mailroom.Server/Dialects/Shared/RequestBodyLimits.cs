using Mailroom.Server.Hosting;

namespace Mailroom.Server.Dialects.Shared;

/// <summary>
/// The body cap of every route (<see cref="Default"/>, the server's own limit) and of the routes that carry a message
/// (<see cref="Mail"/>, which a dialect sets on them with <see cref="RequestBodyCaps.CapBodyAt{TBuilder}"/>). The
/// server refuses a longer body while it is read, before any JSON is parsed, and the refusal is 413 in the dialect's shape.
/// </summary>
public sealed record RequestBodyLimits(long Default, long Mail)
{
    /// <summary>Room beside the attachments for text and html (10 M characters each, mostly a byte a character) and the other fields.</summary>
    private const long TextAllowance = 24L * 1024 * 1024;

    public static RequestBodyLimits From(ApiOptions api, long maxAttachmentBytes) =>
        new(api.MaxRequestBodyBytes, api.MaxMailRequestBodyBytes ?? (maxAttachmentBytes + 2) / 3 * 4 + TextAllowance);
}

public static class RequestBodyCaps
{
    /// <summary>Caps the request bodies of the endpoints built; an endpoint's own cap wins over its group's.</summary>
    public static TBuilder CapBodyAt<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(bytes));
}
