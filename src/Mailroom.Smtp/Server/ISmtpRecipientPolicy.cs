namespace Mailroom.Smtp.Server;

/// <summary>What the policy says about one RCPT TO address.</summary>
public enum SmtpRecipientDecision
{
    /// <summary><c>250 2.1.5</c>: we host the mailbox (or the authenticated client may relay to it).</summary>
    Accept,

    /// <summary><c>550 5.1.1</c>: the domain is ours but the mailbox does not exist.</summary>
    UnknownMailbox,

    /// <summary><c>550 5.7.1</c>: the domain is not ours and the client may not relay.</summary>
    RelayDenied,

    /// <summary><c>451 4.3.0</c>: the answer is not known now (database unavailable); the client retries later.</summary>
    TemporaryFailure,
}

/// <summary>Decides at RCPT time whether a recipient is accepted. The session accepts no recipient this does not accept.</summary>
public interface ISmtpRecipientPolicy
{
    ValueTask<SmtpRecipientDecision> CheckRecipientAsync(SmtpSessionInfo info, string address, CancellationToken cancellationToken);
}
