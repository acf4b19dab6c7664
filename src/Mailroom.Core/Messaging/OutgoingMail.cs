using Mailroom.Mime;

namespace Mailroom.Core.Messaging;

/// <summary>A message an inbox is about to send, as the caller described it, before it is built.</summary>
public sealed class OutgoingMail
{
    /// <summary>Custom headers one message may carry: far below the 1,000 fields Mailroom.Mime reads in one header block.</summary>
    public const int MaxHeaders = 100;

    /// <summary>Attachments one message may carry: far below the 10,000 parts Mailroom.Mime reads in one message.</summary>
    public const int MaxAttachments = 100;

    public List<MailboxAddress> To { get; init; } = [];
    public List<MailboxAddress> Cc { get; init; } = [];
    public List<MailboxAddress> Bcc { get; init; } = [];
    public List<MailboxAddress> ReplyTo { get; init; } = [];
    public string? Subject { get; init; }
    public string? Text { get; init; }
    public string? Html { get; init; }
    public List<string> Labels { get; init; } = [];
    public List<OutgoingFile> Attachments { get; init; } = [];
    public List<KeyValuePair<string, string>> Headers { get; init; } = [];
    /// <summary>Set for replies: the Message-ID answered and the chain before it.</summary>
    public string? InReplyTo { get; init; }
    public List<string> References { get; init; } = [];
    /// <summary>A reply's thread; null lets threading decide (a forward starts a new one).</summary>
    public string? ThreadId { get; init; }

    /// <summary>A deliverability test the identity's owner asked for: no conversation, so the cold-sending rule does not apply.</summary>
    public bool IsDeliverabilityTest { get; init; }

    public IEnumerable<MailboxAddress> AllRecipients => To.Concat(Cc).Concat(Bcc);
}

/// <summary>An attachment with its bytes in hand.</summary>
public sealed record OutgoingFile(string? FileName, string ContentType, byte[] Content, string? ContentId, bool Inline);
