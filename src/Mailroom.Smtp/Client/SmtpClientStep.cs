namespace Mailroom.Smtp.Client;

public enum SmtpClientStepKind
{
    /// <summary>Read the next reply and pass it to <see cref="SmtpClientSession.OnReply"/>.</summary>
    ReadReply,

    /// <summary>Write <see cref="SmtpClientStep.Commands"/> (each followed by CRLF) in one batch, then read replies.</summary>
    Send,

    /// <summary>Write the dot-stuffed message and its terminating <c>.</c>, then read the reply.</summary>
    SendMessage,

    /// <summary>Perform the TLS client handshake, then call <see cref="SmtpClientSession.OnTlsEstablished"/>.</summary>
    StartTls,

    /// <summary>Finished: <see cref="SmtpClientSession.Result"/> is set; send QUIT and close.</summary>
    Done,
}

/// <summary>What the client driver does next.</summary>
public sealed record SmtpClientStep(SmtpClientStepKind Kind, IReadOnlyList<string> Commands)
{
    public static SmtpClientStep ReadReply { get; } = new(SmtpClientStepKind.ReadReply, []);

    public static SmtpClientStep SendMessage { get; } = new(SmtpClientStepKind.SendMessage, []);

    public static SmtpClientStep StartTls { get; } = new(SmtpClientStepKind.StartTls, []);

    public static SmtpClientStep Done { get; } = new(SmtpClientStepKind.Done, []);

    public static SmtpClientStep Send(params IReadOnlyList<string> commands) => new(SmtpClientStepKind.Send, commands);
}
