namespace Mailroom.Smtp;

/// <summary>The peer broke the SMTP protocol (a malformed reply, an over-long line, a closed connection mid-reply).</summary>
public sealed class SmtpProtocolException(string message) : Exception(message);
