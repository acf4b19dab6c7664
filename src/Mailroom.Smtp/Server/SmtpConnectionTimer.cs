using System.Diagnostics;

namespace Mailroom.Smtp.Server;

/// <summary>
/// The clock of one connection: a token the driver passes to each read, write and handshake, armed with whichever
/// limit comes first. A read waits at most the idle timeout, never past the session deadline, and, while a command
/// line or a message is partly received, only as long as the minimum data rate allows. It is armed once per read, so
/// the data path does no per-byte work.
/// </summary>
internal sealed class SmtpConnectionTimer(SmtpServerOptions options, CancellationToken cancellationToken) : IDisposable
{
    private readonly CancellationTokenSource _source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    private readonly long _sessionStart = Stopwatch.GetTimestamp();
    private long _transferStart;
    private long _transferBytes;

    public CancellationToken Token => _source.Token;

    /// <summary>The limit the token was last armed with, so the one that fired it.</summary>
    public SmtpTimeLimit Limit { get; private set; }

    /// <summary>
    /// Arms the token for a read. When the session holds nothing partly received, the read starts a new transfer and
    /// only the idle timeout and the deadline apply; otherwise the transfer must keep up the minimum rate.
    /// </summary>
    public void ArmForRead(bool awaitingInput)
    {
        var now = Stopwatch.GetTimestamp();
        if (awaitingInput)
        {
            _transferStart = now;
            _transferBytes = 0;
        }
        var (wait, limit) = (options.IdleTimeout, SmtpTimeLimit.Idle);
        var sessionLeft = options.MaxSessionDuration - Stopwatch.GetElapsedTime(_sessionStart, now);
        if (sessionLeft < wait)
        {
            (wait, limit) = (sessionLeft, SmtpTimeLimit.SessionDuration);
        }
        if (options.MinDataRate > 0)
        {
            // Postfix's rule (smtpd_min_data_rate): a transfer gets the idle allowance, and each octet received earns
            // 1/rate second more; a dribbler that resets the idle timer with every byte runs out.
            var rateLeft = options.IdleTimeout + TimeSpan.FromSeconds((double)_transferBytes / options.MinDataRate)
                - Stopwatch.GetElapsedTime(_transferStart, now);
            if (rateLeft < wait)
            {
                (wait, limit) = (rateLeft, SmtpTimeLimit.DataRate);
            }
        }
        Arm(wait, limit);
    }

    /// <summary>Counts what a read returned towards the current transfer.</summary>
    public void Received(int octets) => _transferBytes += octets;

    /// <summary>
    /// Arms the token for a write or the TLS handshake: only the idle timeout applies, so a reply is never cut off by
    /// the deadline (a 250 for a stored message must reach the client); the deadline is checked at the next read.
    /// </summary>
    public void ArmForWrite() => Arm(options.IdleTimeout, SmtpTimeLimit.Idle);

    public void Disarm() => _source.CancelAfter(Timeout.InfiniteTimeSpan);

    public void Dispose() => _source.Dispose();

    private void Arm(TimeSpan wait, SmtpTimeLimit limit)
    {
        if (_source.IsCancellationRequested)
        {
            // Already fired: keep the limit that did it.
            return;
        }
        Limit = limit;
        _source.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
    }
}
