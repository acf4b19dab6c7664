namespace Mailroom.MailAuth.Spf;

/// <summary>The results of check_host() (RFC 7208 §2.6).</summary>
public enum SpfResult
{
    None,
    Neutral,
    Pass,
    Fail,
    SoftFail,
    TempError,
    PermError,
}

/// <summary>The verdict on one identity.</summary>
/// <param name="Result">The check_host() result.</param>
/// <param name="Domain">The domain whose policy was checked: the MAIL FROM domain, or the HELO domain.</param>
/// <param name="Sender">The identity: "local@domain" for MAIL FROM, the HELO domain itself for HELO.</param>
/// <param name="IsHelo">True when the HELO identity was checked (empty reverse-path, or asked for directly).</param>
/// <param name="Reason">What decided it, e.g. "matched ip4:192.0.2.0/24" or "void lookup limit exceeded".</param>
public sealed record SpfEvaluation(SpfResult Result, string Domain, string Sender, bool IsHelo, string Reason);
