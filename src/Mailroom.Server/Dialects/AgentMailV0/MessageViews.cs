using Mailroom.Core.Messages;
using Mailroom.Core.Threads;

namespace Mailroom.Server.Dialects.AgentMailV0;

/// <summary>
/// The v0 shapes of messages and threads, shared by the message, thread and event payloads. v0 reaches mail only
/// through its inbox, so the mail it shows always has one (mail kept from a deleted inbox is not v0's to show).
/// </summary>
public static class MessageViews
{
    public sealed record AttachmentItem(string AttachmentId, string? Filename, long Size, string ContentType, string? ContentDisposition, string? ContentId);

    public sealed record MessageItem(string InboxId, string ThreadId, string MessageId, string Direction, string Status, IReadOnlyList<string> Labels,
        DateTimeOffset Timestamp, string? From, IReadOnlyList<string> To, IReadOnlyList<string>? Cc, string? Subject, string? Preview, long Size,
        IReadOnlyList<AttachmentItem> Attachments);

    public sealed record AuthenticationView(string Spf, string Dkim, string Dmarc, string? Results);

    /// <summary>The spam check of a received message: spam, ham, skipped (no spamd configured) or failed, with spamd's score and threshold.</summary>
    public sealed record SpamView(string Verdict, double? Score, double? Threshold);

    public sealed record MessageDetail(string InboxId, string ThreadId, string MessageId, string Direction, string Status, IReadOnlyList<string> Labels,
        DateTimeOffset Timestamp, string? From, IReadOnlyList<string>? ReplyTo, IReadOnlyList<string> To, IReadOnlyList<string>? Cc,
        IReadOnlyList<string>? Bcc, string? Subject, string? Preview, string? Text, string? Html, string? InReplyTo, IReadOnlyList<string>? References,
        Dictionary<string, string> Headers, long Size, IReadOnlyList<AttachmentItem> Attachments, AuthenticationView? Authentication, SpamView? Spam,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record ThreadItem(string InboxId, string ThreadId, IReadOnlyList<string> Labels, DateTimeOffset Timestamp,
        DateTimeOffset? ReceivedTimestamp, DateTimeOffset? SentTimestamp, IReadOnlyList<string> Senders, IReadOnlyList<string> Recipients,
        string? Subject, string? Preview, string? LastMessageId, int MessageCount, long Size);

    public sealed record ThreadDetail(string InboxId, string ThreadId, string? Subject, int MessageCount, string? Preview, IReadOnlyList<string> Labels,
        IReadOnlyList<string> Senders, IReadOnlyList<string> Recipients, DateTimeOffset Timestamp, IReadOnlyList<MessageDetail> Messages);

    private static IReadOnlyList<string>? NullIfEmpty(List<string> values) => values.Count == 0 ? null : values;

    public static AttachmentItem Item(Attachment a) => new(a.Id, a.FileName, a.Size, a.ContentType, a.Disposition, a.ContentId);

    public static MessageItem Item(Message m, IReadOnlyList<Attachment> attachments) =>
        new(m.InboxId!, m.ThreadId, m.Id, m.Direction, m.Status, m.Labels, m.Timestamp, m.From, m.To, NullIfEmpty(m.Cc), m.Subject, m.Preview, m.Size,
            attachments.Select(Item).ToList());

    public static MessageDetail Detail(Message m, IReadOnlyList<Attachment> attachments)
    {
        // Headers as an object: the first occurrence of each name (Received and friends repeat).
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in m.Headers) headers.TryAdd(name, value);
        return new(m.InboxId!, m.ThreadId, m.Id, m.Direction, m.Status, m.Labels, m.Timestamp, m.From, NullIfEmpty(m.ReplyTo), m.To,
            NullIfEmpty(m.Cc), NullIfEmpty(m.Bcc), m.Subject, m.Preview, m.Text, m.Html, m.InReplyTo, NullIfEmpty(m.References), headers, m.Size,
            attachments.Select(Item).ToList(),
            m.Authentication is { } auth ? new AuthenticationView(auth.Spf, auth.Dkim, auth.Dmarc, auth.Results) : null,
            m.Spam is { } spam ? new SpamView(spam.Verdict, spam.Score, spam.Threshold) : null,
            m.CreatedAt, m.UpdatedAt);
    }

    public static ThreadItem Item(MailThread t) => new(t.InboxId!, t.Id, t.Labels, t.LastActivityAt, t.ReceivedAt, t.SentAt, t.Senders,
        t.Recipients, t.Subject, t.Preview, t.LastMessageId, t.MessageCount, t.Size);
}
