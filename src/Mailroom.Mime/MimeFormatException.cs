namespace Mailroom.Mime;

/// <summary>Raised when input cannot be read as a message, or breaks a limit of <see cref="MimeParserOptions"/>.</summary>
public sealed class MimeFormatException : Exception
{
    public MimeFormatException(string message) : base(message) { }

    public MimeFormatException(string message, Exception inner) : base(message, inner) { }
}
