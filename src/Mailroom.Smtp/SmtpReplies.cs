namespace Mailroom.Smtp;

/// <summary>The replies the server sends, in one place so codes and enhanced codes stay consistent (RFC 5321, RFC 3463).</summary>
public static class SmtpReplies
{
    public static SmtpReply Greeting(string serverName) => new(220, null, $"{serverName} ESMTP Mailroom");

    public static SmtpReply Ok { get; } = new(250, "2.0.0", "OK");

    public static SmtpReply SenderOk { get; } = new(250, "2.1.0", "Sender OK");

    public static SmtpReply RecipientOk { get; } = new(250, "2.1.5", "Recipient OK");

    public static SmtpReply StartMailInput { get; } = new(354, null, "End data with <CR><LF>.<CR><LF>");

    public static SmtpReply Bye { get; } = new(221, "2.0.0", "Bye");

    public static SmtpReply ReadyToStartTls { get; } = new(220, "2.0.0", "Ready to start TLS");

    public static SmtpReply CannotVerify { get; } = new(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");

    public static SmtpReply AuthSucceeded { get; } = new(235, "2.7.0", "Authentication successful");

    /// <summary>What a store answers once the message is durable.</summary>
    public static SmtpReply Queued(string id) => new(250, "2.0.0", $"OK: queued as {id}");

    public static SmtpReply ChunkReceived(long octets) => new(250, "2.0.0", $"{octets} octets received");

    public static SmtpReply UnknownCommand { get; } = new(500, "5.5.2", "Command not recognized");

    public static SmtpReply BareLineFeedInCommand { get; } = new(500, "5.5.2", "Bare CR or LF not allowed in commands");

    public static SmtpReply InvalidUtf8 { get; } = new(500, "5.5.2", "Command is not valid UTF-8");

    public static SmtpReply ControlCharacterInCommand { get; } = new(501, "5.5.4", "Control characters not allowed in commands");

    public static SmtpReply LineTooLong { get; } = new(500, "5.5.6", "Line too long");

    public static SmtpReply BadSequence { get; } = new(503, "5.5.1", "Bad sequence of commands");

    public static SmtpReply NotImplemented { get; } = new(502, "5.5.1", "Command not implemented");

    public static SmtpReply Syntax(string usage) => new(501, "5.5.4", $"Syntax: {usage}");

    public static SmtpReply BadSenderSyntax { get; } = new(501, "5.1.7", "Bad sender address syntax");

    public static SmtpReply BadRecipientSyntax { get; } = new(501, "5.1.3", "Bad recipient address syntax");

    public static SmtpReply UnknownParameter(string keyword, string? value) =>
        new(555, "5.5.4", $"Parameter {(value is null ? keyword : $"{keyword}={value}")} not recognized");

    public static SmtpReply NonAsciiAddressWithoutSmtpUtf8 { get; } = new(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");

    public static SmtpReply MessageTooBig { get; } = new(552, "5.3.4", "Message size exceeds fixed maximum message size");

    public static SmtpReply TooManyRecipients { get; } = new(452, "4.5.3", "Too many recipients");

    public static SmtpReply UnknownMailbox { get; } = new(550, "5.1.1", "Mailbox unavailable");

    public static SmtpReply RelayDenied { get; } = new(550, "5.7.1", "Relay access denied");

    public static SmtpReply TemporaryFailure { get; } = new(451, "4.3.0", "Temporary failure, try again later");

    public static SmtpReply BareLineBreakInData { get; } = new(554, "5.5.2", "Bare CR or LF in message data, message refused");

    public static SmtpReply LineTooLongInData { get; } = new(500, "5.5.6", "Line too long in message data, message refused");

    public static SmtpReply TooManyErrors { get; } = new(421, "4.7.0", "Too many errors, closing connection");

    public static SmtpReply TooManyCommands { get; } = new(421, "4.7.0", "Too many commands, closing connection");

    public static SmtpReply Timeout { get; } = new(421, "4.4.2", "Idle timeout, closing connection");

    public static SmtpReply SessionTimeLimit { get; } = new(421, "4.4.2", "Session time limit reached, closing connection");

    public static SmtpReply DataRateTooLow { get; } = new(421, "4.4.2", "Data rate too low, closing connection");

    public static SmtpReply TooManyConnections { get; } = new(421, "4.3.2", "Too many connections, try again later");

    public static SmtpReply TooManyConnectionsFromAddress { get; } = new(421, "4.7.0", "Too many connections from your address, try again later");

    public static SmtpReply ShuttingDown { get; } = new(421, "4.3.2", "Server shutting down");

    public static SmtpReply TlsAlreadyActive { get; } = new(503, "5.5.1", "TLS already active");

    public static SmtpReply AlreadyAuthenticated { get; } = new(503, "5.5.1", "Already authenticated");

    public static SmtpReply EncryptionRequired { get; } = new(538, "5.7.11", "Encryption required for requested authentication mechanism");

    public static SmtpReply UnknownAuthMechanism { get; } = new(504, "5.5.4", "Unrecognized authentication mechanism");

    public static SmtpReply AuthCancelled { get; } = new(501, "5.7.0", "Authentication cancelled");

    public static SmtpReply AuthInvalidBase64 { get; } = new(501, "5.5.2", "Cannot decode response");

    public static SmtpReply AuthFailed { get; } = new(535, "5.7.8", "Authentication credentials invalid");

    public static SmtpReply AuthTemporaryFailure { get; } = new(454, "4.7.0", "Temporary authentication failure");

    public static SmtpReply AuthChallenge(string base64) => new(334, null, base64);
}
