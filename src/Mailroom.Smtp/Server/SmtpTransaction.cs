namespace Mailroom.Smtp.Server;

/// <summary>The mail transaction opened by MAIL FROM, ended by the end of data, RSET, EHLO/HELO or STARTTLS.</summary>
internal sealed class SmtpTransaction(string reversePath, bool smtpUtf8, SmtpBodyType bodyType, long? declaredSize) : IDisposable
{
    public string ReversePath { get; } = reversePath;

    public bool SmtpUtf8 { get; } = smtpUtf8;

    public SmtpBodyType BodyType { get; } = bodyType;

    public long? DeclaredSize { get; } = declaredSize;

    public List<string> Recipients { get; } = [];

    /// <summary>The body being received by DATA or BDAT, created on the first data byte's command.</summary>
    public SmtpMessageBody? Body { get; set; }

    /// <summary>Octets received so far through BDAT.</summary>
    public long ChunkedSize { get; set; }

    public bool SizeExceeded { get; set; }

    public void Dispose() => Body?.Dispose();
}
