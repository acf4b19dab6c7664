namespace Mailroom.Smtp.Server;

/// <summary>The time limits the connection driver enforces; each ends the connection with its own <c>421 4.4.2</c>.</summary>
public enum SmtpTimeLimit
{
    /// <summary>The client sent nothing (or read nothing) for <see cref="SmtpServerOptions.IdleTimeout"/>.</summary>
    Idle,

    /// <summary>The connection reached <see cref="SmtpServerOptions.MaxSessionDuration"/>.</summary>
    SessionDuration,

    /// <summary>A command line or a message arrived slower than <see cref="SmtpServerOptions.MinDataRate"/>.</summary>
    DataRate,
}
