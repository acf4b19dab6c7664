using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mailroom.Core.Blobs;
using Mailroom.Core.Security;
using Mailroom.Core.Common;
using Mailroom.Core.Messages;

namespace Mailroom.Server.Dialects.Shared;

/// <summary>
/// Pre-signed attachment downloads: <c>/files/attachments/{id}?expires={unix}&amp;signature={base64url HMAC-SHA256}</c>,
/// keyed by a key derived from the master key, served without an API key until <c>expires</c>. Links are built on
/// <c>Mailroom:PublicUrl</c> when it is set, so a request's <c>Host</c> header cannot point them elsewhere.
/// </summary>
public sealed class AttachmentLinks
{
    public const string Route = "/files/attachments/{attachmentId}";
    private readonly byte[] _key;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;
    private readonly string? _publicUrl;

    public AttachmentLinks(SecretBox secrets, TimeSpan lifetime, TimeProvider time, string? publicUrl)
    {
        _key = secrets.DeriveKey("mailroom attachment links v1");
        _lifetime = lifetime;
        _time = time;
        if (!string.IsNullOrEmpty(publicUrl))
        {
            if (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                throw new InvalidOperationException($"Mailroom:PublicUrl must be an absolute http or https URL, not '{publicUrl}'");
            _publicUrl = publicUrl.TrimEnd('/');
        }
    }

    public (string Url, DateTimeOffset ExpiresAt) Create(HttpRequest request, string attachmentId) =>
        Create($"{request.Scheme}://{request.Host}", attachmentId);

    /// <param name="requestOrigin">Where the caller reached this server; used only when <c>Mailroom:PublicUrl</c> is not set.</param>
    public (string Url, DateTimeOffset ExpiresAt) Create(string requestOrigin, string attachmentId)
    {
        var expires = _time.GetUtcNow() + _lifetime;
        var unix = expires.ToUnixTimeSeconds();
        var origin = _publicUrl ?? requestOrigin.TrimEnd('/');
        var url = $"{origin}/files/attachments/{Uri.EscapeDataString(attachmentId)}" +
                  $"?expires={unix}&signature={Sign(attachmentId, unix)}";
        return (url, DateTimeOffset.FromUnixTimeSeconds(unix));
    }

    /// <summary>Whether links are built on <c>Mailroom:PublicUrl</c> (callers without a request of their own need it).</summary>
    public bool HasPublicUrl => _publicUrl is not null;

    public bool IsValid(string attachmentId, string? expires, string? signature)
    {
        if (signature is null || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)) return false;
        if (_time.GetUtcNow().ToUnixTimeSeconds() > unix) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(attachmentId, unix)), Encoding.ASCII.GetBytes(signature));
    }

    private string Sign(string attachmentId, long expires) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{attachmentId}\n{expires}")));

    public static void MapDownloads(IEndpointRouteBuilder app) =>
        app.MapGet(Route, async (HttpContext http, AttachmentLinks links, IMessageRepository messages, IBlobStore blobs, string attachmentId,
            string? expires, string? signature) =>
        {
            var errors = ApiDialects.ErrorsOf(http);
            if (!links.IsValid(attachmentId, expires, signature))
                return errors.Error(new LinkRefusedException("signature", "the link is invalid or has expired"));
            // The signature is the proof of access: it was only handed to a caller who could read the message.
            var attachment = await messages.FindAttachmentAsync(attachmentId, http.RequestAborted);
            if (attachment is null) return errors.Error(new NotFoundException("attachment"));
            var stream = await blobs.OpenAsync(attachment.BlobKey, http.RequestAborted);
            // The bytes are the sender's, served on our origin: always a download, never sniffed into something else, and
            // without any right to run script or load anything should a browser render them anyway.
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
            return Results.Stream(stream, attachment.ContentType, DownloadName(attachment), enableRangeProcessing: true);
        }).ExcludeFromDescription();

    /// <summary>The part's file name without folders, control characters or quotes; the attachment id when nothing is left.</summary>
    private static string DownloadName(Attachment attachment)
    {
        var name = attachment.FileName ?? "";
        name = new string(name[(name.LastIndexOfAny(['/', '\\']) + 1)..].Where(c => !char.IsControl(c) && c != '"').ToArray()).Trim().Trim('.');
        return name.Length == 0 ? attachment.Id : name;
    }
}
