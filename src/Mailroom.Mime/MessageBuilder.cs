using System.Security.Cryptography;
using System.Text;
using Mailroom.Mime.Internal;

namespace Mailroom.Mime;

/// <summary>
/// Writes RFC 5322 messages: text, html or both (multipart/alternative), inline images (multipart/related),
/// attachments and a forwarded message (multipart/mixed). Caller-given values containing CR or LF are refused.
/// </summary>
public sealed class MessageBuilder
{
    public MailboxAddress? From { get; set; }
    public MailboxAddress? Sender { get; set; }
    public List<MailboxAddress> To { get; } = [];
    public List<MailboxAddress> Cc { get; } = [];
    public List<MailboxAddress> Bcc { get; } = [];
    public List<MailboxAddress> ReplyTo { get; } = [];
    public string? Subject { get; set; }
    public DateTimeOffset? Date { get; set; }

    /// <summary>Message-ID without angle brackets; generated as random@domain when null.</summary>
    public string? MessageId { get; set; }

    /// <summary>Domain for a generated Message-ID; the From domain when null.</summary>
    public string? MessageIdDomain { get; set; }
    public string? InReplyTo { get; set; }
    public List<string> References { get; } = [];
    public string? TextBody { get; set; }
    public string? HtmlBody { get; set; }
    public List<OutgoingAttachment> Attachments { get; } = [];

    /// <summary>Raw bytes of a message to attach as message/rfc822.</summary>
    public byte[]? ForwardedMessage { get; set; }
    public List<KeyValuePair<string, string>> Headers { get; } = [];
    public BuildOptions Options { get; set; } = BuildOptions.Default;

    public MessageBuilder AddHeader(string name, string value)
    {
        Headers.Add(new(name, value));
        return this;
    }

    public byte[] ToBytes()
    {
        using var output = new MemoryStream();
        WriteTo(output);
        return output.ToArray();
    }

    public void WriteTo(Stream destination)
    {
        Validate();
        var utf8 = Options.SmtpUtf8;
        var sb = new StringBuilder();
        void H(string name, string value) => HeaderWriter.Write(sb, name, value, Options.MaxLineLength);
        void Addresses(string name, List<MailboxAddress> list)
        {
            if (list.Count > 0) H(name, string.Join(", ", list.Select(a => HeaderWriter.Mailbox(a, utf8))));
        }

        H("Date", (Date ?? DateTimeOffset.Now).ToString("ddd, d MMM yyyy HH:mm:ss ", System.Globalization.CultureInfo.InvariantCulture)
            + (Date ?? DateTimeOffset.Now).ToString("zzz", System.Globalization.CultureInfo.InvariantCulture).Replace(":", "", StringComparison.Ordinal));
        if (From is not null) H("From", HeaderWriter.Mailbox(From, utf8));
        if (Sender is not null) H("Sender", HeaderWriter.Mailbox(Sender, utf8));
        Addresses("Reply-To", ReplyTo);
        Addresses("To", To);
        Addresses("Cc", Cc);
        if (Options.WriteBcc) Addresses("Bcc", Bcc);
        if (Subject is not null) H("Subject", HeaderWriter.Text(Subject, utf8));
        H("Message-ID", $"<{MessageId ?? NewMessageId()}>");
        if (InReplyTo is not null) H("In-Reply-To", $"<{InReplyTo}>");
        if (References.Count > 0) H("References", string.Join(' ', References.Select(r => $"<{r}>")));
        foreach (var (name, value) in Headers) H(name, HeaderWriter.Text(value, utf8));
        H("MIME-Version", "1.0");

        var body = BuildBody();
        body.WriteTo(sb, Options);
        destination.Write(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    private string NewMessageId()
    {
        var domain = MessageIdDomain ?? (From?.Address is { } a && a.LastIndexOf('@') is var at and > 0 ? a[(at + 1)..] : "localhost");
        return $"{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}@{domain}";
    }

    private void Validate()
    {
        void Mailboxes(IEnumerable<MailboxAddress> list, string field)
        {
            foreach (var m in list)
            {
                HeaderWriter.RejectLineBreaks(m.Name, field);
                HeaderWriter.RejectLineBreaks(m.Address, field);
            }
        }
        if (From is not null) Mailboxes([From], nameof(From));
        if (Sender is not null) Mailboxes([Sender], nameof(Sender));
        Mailboxes(To, nameof(To));
        Mailboxes(Cc, nameof(Cc));
        Mailboxes(Bcc, nameof(Bcc));
        Mailboxes(ReplyTo, nameof(ReplyTo));
        HeaderWriter.RejectLineBreaks(Subject, nameof(Subject));
        HeaderWriter.RejectLineBreaks(MessageId, nameof(MessageId));
        HeaderWriter.RejectLineBreaks(MessageIdDomain, nameof(MessageIdDomain));
        HeaderWriter.RejectLineBreaks(InReplyTo, nameof(InReplyTo));
        foreach (var r in References) HeaderWriter.RejectLineBreaks(r, nameof(References));
        foreach (var (name, value) in Headers)
        {
            HeaderWriter.RejectLineBreaks(name, "header name");
            HeaderWriter.RejectLineBreaks(value, $"header {name}");
            if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || c == ':'))
                throw new ArgumentException($"Header name '{name}' is not a valid field name.", "header name");
        }
        foreach (var a in Attachments)
        {
            HeaderWriter.RejectLineBreaks(a.FileName, "attachment file name");
            HeaderWriter.RejectLineBreaks(a.ContentType, "attachment content type");
            HeaderWriter.RejectLineBreaks(a.ContentId, "attachment content id");
        }
    }

    private OutgoingEntity BuildBody()
    {
        OutgoingEntity? text = TextBody is null ? null : OutgoingEntity.Text("text/plain", TextBody);
        OutgoingEntity? html = HtmlBody is null ? null : OutgoingEntity.Text("text/html", HtmlBody);
        var inline = Attachments.Where(a => a.Inline).Select(OutgoingEntity.Attachment).ToList();
        if (inline.Count > 0 && html is not null) html = OutgoingEntity.Multipart("related", [html, .. inline]);
        var body = (text, html) switch
        {
            (not null, not null) => OutgoingEntity.Multipart("alternative", [text, html]),
            (not null, null) => text,
            (null, not null) => html,
            _ => OutgoingEntity.Text("text/plain", ""),
        };
        var mixed = Attachments.Where(a => !a.Inline || HtmlBody is null).Select(OutgoingEntity.Attachment).ToList();
        if (ForwardedMessage is not null) mixed.Add(OutgoingEntity.Forwarded(ForwardedMessage));
        return mixed.Count > 0 ? OutgoingEntity.Multipart("mixed", [body, .. mixed]) : body;
    }
}
