namespace Mailroom.Server.Hosting;

/// <summary>What <c>GET /healthz</c> waits for: a migrated database and, when configured, a listening SMTP socket.</summary>
public sealed class Readiness
{
    private volatile bool _databaseMigrated;
    private volatile bool _smtpListening;

    public bool SmtpRequired { get; set; }

    public void DatabaseMigrated() => _databaseMigrated = true;
    public void SmtpListening() => _smtpListening = true;

    public bool IsReady => _databaseMigrated && (_smtpListening || !SmtpRequired);

    public object Describe() => new { database = _databaseMigrated ? "migrated" : "starting", smtp = _smtpListening ? "listening" : SmtpRequired ? "starting" : "off" };
}
