namespace Mailroom.Mime;

/// <summary>How <see cref="MessageBuilder"/> writes a message.</summary>
public sealed class BuildOptions
{
    public static BuildOptions Default { get; } = new();

    /// <summary>Write non-ASCII header text as raw UTF-8 (RFC 6532, for an SMTPUTF8 transaction) instead of RFC 2047 words.</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary>Write a Bcc header. Off by default: Bcc recipients belong to the envelope only.</summary>
    public bool WriteBcc { get; init; }

    /// <summary>Column at which header lines are folded.</summary>
    public int MaxLineLength { get; init; } = 78;
}
