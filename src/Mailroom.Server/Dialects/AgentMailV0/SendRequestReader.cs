using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Common;
using Mailroom.Mime;
using Mailroom.Core.Messaging;
using Mailroom.Server.Net;

namespace Mailroom.Server.Dialects.AgentMailV0;

/// <summary>
/// Reads the send, reply and forward request bodies: recipients as a string or an array, attachments as base64
/// <c>content</c> or a <c>url</c> fetched through the guarded client with a size limit, and custom headers that
/// may neither break a line nor replace a header Mailroom writes itself. Every refusal names its field.
/// </summary>
public sealed class SendRequestReader(GuardedFetch fetch, OutboundSettings options)
{
    public const int MaxRecipients = 100;

    /// <summary>Headers the server owns: a caller cannot set or override them.</summary>
    private static readonly HashSet<string> OwnedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "MIME-Version",
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID", "DKIM-Signature", "Received", "Return-Path",
        "Authentication-Results", "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results", "Delivered-To", "Resent-From",
        "Resent-To", "Resent-Date", "Resent-Message-ID",
    };

    /// <summary>RFC 2045's token characters: printable ASCII without space and tspecials.</summary>
    private static readonly System.Buffers.SearchValues<char> TokenCharacters =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public List<MailboxAddress> Recipients(JsonObject body, string field, bool required = false)
    {
        var node = body[field];
        if (node is null)
            return required ? throw new ValidationException(field, "is required") : [];
        var values = node switch
        {
            JsonValue value when value.GetValueKind() == JsonValueKind.String => [value.GetValue<string>()],
            JsonArray array => Bounded(array, field, MaxRecipients, "addresses").Select(item => item?.GetValueKind() == JsonValueKind.String
                ? item.GetValue<string>()
                : throw new ValidationException(field, "must be a string or an array of strings")).ToList(),
            _ => throw new ValidationException(field, "must be a string or an array of strings"),
        };
        if (required && values.Count == 0) throw new ValidationException(field, "must name at least one address");
        return values.Select(v => Address(field, v)).ToList();
    }

    /// <summary>A list of the body, refused on its length before any of its items is read.</summary>
    private static JsonArray Bounded(JsonArray array, string field, int max, string items)
    {
        Check.AtMost(field, array.Count, max, items);
        return array;
    }

    public static MailboxAddress Address(string field, string value)
    {
        Check.Line(field, value, 998);
        if (!MailboxAddress.TryParse(value, out var address) || !IsMailbox(address.Address))
            throw new ValidationException(field, $"'{value}' is not an email address");
        return address;
    }

    private static bool IsMailbox(string address)
    {
        var at = address.LastIndexOf('@');
        return at > 0 && at < address.Length - 1 && address.Length <= 320 && !address.Any(char.IsWhiteSpace)
               && Core.Domains.DomainName.Normalize(address[(at + 1)..]) is not null;
    }

    public static string? Text(JsonObject body, string field, int max = 10 * 1024 * 1024) => body[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length <= max ? v.GetValue<string>()
            : throw new ValidationException(field, $"must be at most {max} characters"),
        _ => throw new ValidationException(field, "must be a string"),
    };

    public static string? Subject(JsonObject body) => Check.Line("subject", Text(body, "subject", 998), 998);

    public static List<string> Labels(JsonObject body) => body["labels"] switch
    {
        null => [],
        JsonArray array => Core.Messaging.Labels.Check(Bounded(array, "labels", Core.Messaging.Labels.MaxCount, "labels")
            .Select(l => l?.GetValueKind() == JsonValueKind.String ? l.GetValue<string>() : throw new ValidationException("labels", "must be an array of strings"))
            .ToList()),
        _ => throw new ValidationException("labels", "must be an array of strings"),
    };

    public static List<KeyValuePair<string, string>> Headers(JsonObject body)
    {
        if (body["headers"] is null) return [];
        if (body["headers"] is not JsonObject headers) throw new ValidationException("headers", "must be an object of names to values");
        Check.AtMost("headers", headers.Count, OutgoingMail.MaxHeaders, "headers");
        var result = new List<KeyValuePair<string, string>>();
        foreach (var (name, node) in headers)
        {
            if (name.Length is 0 or > 76 || name.Any(c => c is < '!' or > '~' or ':'))
                throw new ValidationException("headers", $"'{name}' is not a valid header name");
            if (OwnedHeaders.Contains(name) || name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
                throw new ValidationException("headers", $"{name} is set by Mailroom and cannot be given");
            if (node?.GetValueKind() != JsonValueKind.String) throw new ValidationException("headers", $"{name} must be a string");
            result.Add(new(name, Check.Line($"headers.{name}", node.GetValue<string>(), 998)!));
        }
        return result;
    }

    public async Task<List<OutgoingFile>> AttachmentsAsync(JsonObject body, CancellationToken ct)
    {
        if (body["attachments"] is null) return [];
        if (body["attachments"] is not JsonArray items) throw new ValidationException("attachments", "must be an array");
        Bounded(items, "attachments", OutgoingMail.MaxAttachments, "attachments");
        var files = new List<OutgoingFile>();
        long total = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var field = $"attachments[{i}]";
            if (items[i] is not JsonObject item) throw new ValidationException(field, "must be an object");
            var fileName = Check.Line($"{field}.filename", Text(item, "filename", 255), 255);
            var contentType = Check.Line($"{field}.content_type", Text(item, "content_type", 255), 255) ?? "application/octet-stream";
            if (!IsMediaType(contentType)) throw new ValidationException($"{field}.content_type", "is not a MIME type (type/subtype)");
            var contentId = Check.Line($"{field}.content_id", Text(item, "content_id", 255), 255);
            var content = Text(item, "content", int.MaxValue);
            var url = Text(item, "url", 2048);
            byte[] bytes;
            if (content is not null)
            {
                try { bytes = Convert.FromBase64String(content); }
                catch (FormatException) { throw new ValidationException($"{field}.content", "is not valid base64"); }
            }
            else if (url is not null)
            {
                bytes = await FetchAsync($"{field}.url", url, options.MaxAttachmentBytes - total, ct);
            }
            else
            {
                throw new ValidationException(field, "needs content (base64) or url");
            }
            total += bytes.LongLength;
            if (total > options.MaxAttachmentBytes)
                throw new ValidationException("attachments", $"together must be at most {options.MaxAttachmentBytes} bytes");
            files.Add(new OutgoingFile(fileName, contentType, bytes, contentId, contentId is not null));
        }
        return files;
    }

    /// <summary>
    /// <c>type/subtype</c> in RFC 2045 tokens, then parameters if any. Stricter than <see cref="ContentType.Parse"/>,
    /// which reads received mail leniently (<c>not a type</c> reads as type <c>not</c>): what a caller gives here is
    /// written into the message as it is.
    /// </summary>
    private static bool IsMediaType(string value)
    {
        var semicolon = value.IndexOf(';');
        var mediaType = (semicolon < 0 ? value : value[..semicolon]).Trim();
        var slash = mediaType.IndexOf('/');
        return slash > 0 && IsToken(mediaType.AsSpan(0, slash)) && IsToken(mediaType.AsSpan(slash + 1));
    }

    private static bool IsToken(ReadOnlySpan<char> value) => !value.IsEmpty && !value.ContainsAnyExcept(TokenCharacters);

    private async Task<byte[]> FetchAsync(string field, string url, long limit, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new ValidationException(field, "must be an absolute http or https URL");
        try
        {
            return await fetch.GetBytesAsync(uri, limit, ct);
        }
        catch (FetchFailedException e)
        {
            throw new ValidationException(field, e.Message);
        }
    }
}
