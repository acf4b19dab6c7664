using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Core.Common;
using Mailroom.Core.Messaging;
using Mailroom.Core.SenderIdentities;
using Mailroom.Mime;
using Microsoft.AspNetCore.StaticFiles;

namespace Mailroom.Server.Dialects.MailerSendV1;

/// <summary>
/// Reads MailerSend's email body: <c>from {email, name}</c>; <c>to</c>, <c>cc</c>, <c>bcc</c> as lists of
/// <c>{email, name}</c>; <c>reply_to</c> as one (or a list of one); <c>subject</c>; <c>text</c> and/or <c>html</c>;
/// <c>attachments</c> (<c>content</c> base64, <c>filename</c>, <c>disposition</c>, <c>id</c>); <c>headers</c> as
/// <c>[{name, value}]</c>; <c>tags</c>. Templates, personalization and scheduling are refused rather than ignored. Each
/// refusal names the field as MailerSend does (<c>to.0.email</c>).
/// </summary>
public sealed class EmailRequestReader(OutboundSettings outbound)
{
    /// <summary>MailerSend's limits on recipients and tags.</summary>
    public const int MaxTo = 50;
    public const int MaxCopies = 10;
    public const int MaxTags = 5;

    /// <summary>Headers Mailroom writes itself: a caller can neither set nor replace them.</summary>
    private static readonly HashSet<string> OwnedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "MIME-Version",
        "DKIM-Signature", "Received", "Return-Path", "Authentication-Results", "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results",
        "Delivered-To", "Resent-From", "Resent-To", "Resent-Date", "Resent-Message-ID",
    };

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public (MailboxAddress From, OutgoingMail Mail) Read(JsonObject body)
    {
        foreach (var unsupported in new[] { "template_id", "personalization", "send_at" })
            if (body[unsupported] is not null) throw new ValidationException(unsupported, "is not supported by this server");
        if (body["from"] is not JsonObject fromNode) throw new ValidationException("from.email", "is required");
        var from = Recipient(fromNode, "from");
        var to = Recipients(body, "to", MaxTo);
        if (to.Count == 0) throw new ValidationException("to", "is required");
        var subject = Check.Required("subject", IdentityEndpoints.Text(body, "subject"), 998);
        var text = IdentityEndpoints.Text(body, "text");
        var html = IdentityEndpoints.Text(body, "html");
        if (text is null && html is null) throw new ValidationException("text", "is required when html is not given");
        return (from, new OutgoingMail
        {
            To = to, Cc = Recipients(body, "cc", MaxCopies), Bcc = Recipients(body, "bcc", MaxCopies), ReplyTo = ReplyTo(body), Subject = subject,
            Text = text, Html = html, Attachments = Attachments(body), Headers = Headers(body), Labels = Tags(body),
        });
    }

    private static MailboxAddress Recipient(JsonObject node, string field)
    {
        var email = IdentityEndpoints.Text(node, "email") ?? throw new ValidationException($"{field}.email", "is required");
        var address = SenderIdentityService.Address($"{field}.email", Check.Line($"{field}.email", email, 320)!);
        var name = Check.Line($"{field}.name", IdentityEndpoints.Text(node, "name"), 191);
        return new MailboxAddress(string.IsNullOrEmpty(name) ? null : name, address);
    }

    private static List<MailboxAddress> Recipients(JsonObject body, string field, int max)
    {
        if (body[field] is null) return [];
        if (body[field] is not JsonArray items) throw new ValidationException(field, "must be a list of {email, name}");
        Check.AtMost(field, items.Count, max, "recipients");
        return items.Select((item, i) => item is JsonObject recipient
            ? Recipient(recipient, $"{field}.{i}")
            : throw new ValidationException($"{field}.{i}", "must be an object with email and name")).ToList();
    }

    private static List<MailboxAddress> ReplyTo(JsonObject body) => body["reply_to"] switch
    {
        null => [],
        JsonObject one => [Recipient(one, "reply_to")],
        JsonArray { Count: 1 } list when list[0] is JsonObject first => [Recipient(first, "reply_to.0")],
        _ => throw new ValidationException("reply_to", "must be an object with email and name"),
    };

    private static List<string> Tags(JsonObject body)
    {
        if (body["tags"] is null) return [];
        if (body["tags"] is not JsonArray tags) throw new ValidationException("tags", "must be a list of strings");
        Check.AtMost("tags", tags.Count, MaxTags, "tags");
        return Labels.Check(tags.Select((t, i) => t?.GetValueKind() == JsonValueKind.String ? t.GetValue<string>()
            : throw new ValidationException($"tags.{i}", "must be a string")).ToList());
    }

    private static List<KeyValuePair<string, string>> Headers(JsonObject body)
    {
        if (body["headers"] is null) return [];
        if (body["headers"] is not JsonArray headers) throw new ValidationException("headers", "must be a list of {name, value}");
        Check.AtMost("headers", headers.Count, OutgoingMail.MaxHeaders, "headers");
        var result = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers[i] is not JsonObject header) throw new ValidationException($"headers.{i}", "must be an object with name and value");
            var name = IdentityEndpoints.Text(header, "name") ?? throw new ValidationException($"headers.{i}.name", "is required");
            if (name.Length is 0 or > 76 || name.Any(c => c is < '!' or > '~' or ':'))
                throw new ValidationException($"headers.{i}.name", $"'{name}' is not a valid header name");
            if (OwnedHeaders.Contains(name) || name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
                throw new ValidationException($"headers.{i}.name", $"{name} is set by the server and cannot be given");
            var value = Check.Line($"headers.{i}.value", IdentityEndpoints.Text(header, "value"), 998)
                        ?? throw new ValidationException($"headers.{i}.value", "is required");
            result.Add(new(name, value));
        }
        return result;
    }

    private List<OutgoingFile> Attachments(JsonObject body)
    {
        if (body["attachments"] is null) return [];
        if (body["attachments"] is not JsonArray items) throw new ValidationException("attachments", "must be a list");
        Check.AtMost("attachments", items.Count, OutgoingMail.MaxAttachments, "attachments");
        var files = new List<OutgoingFile>();
        long total = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var field = $"attachments.{i}";
            if (items[i] is not JsonObject item) throw new ValidationException(field, "must be an object");
            var fileName = Check.Required($"{field}.filename", IdentityEndpoints.Text(item, "filename"), 255);
            var content = IdentityEndpoints.Text(item, "content") ?? throw new ValidationException($"{field}.content", "is required");
            byte[] bytes;
            try { bytes = Convert.FromBase64String(content); }
            catch (FormatException) { throw new ValidationException($"{field}.content", "must be base64"); }
            total += bytes.LongLength;
            if (total > outbound.MaxAttachmentBytes) throw new ValidationException("attachments", $"together must be at most {outbound.MaxAttachmentBytes} bytes");
            var disposition = IdentityEndpoints.Text(item, "disposition") ?? "attachment";
            if (disposition is not ("attachment" or "inline")) throw new ValidationException($"{field}.disposition", "must be inline or attachment");
            var id = Check.Line($"{field}.id", IdentityEndpoints.Text(item, "id"), 255);
            if (disposition == "inline" && string.IsNullOrEmpty(id)) throw new ValidationException($"{field}.id", "is required for inline attachments");
            var contentType = ContentTypes.TryGetContentType(fileName, out var known) ? known : "application/octet-stream";
            files.Add(new OutgoingFile(fileName, contentType, bytes, disposition == "inline" ? id : null, disposition == "inline"));
        }
        return files;
    }
}
