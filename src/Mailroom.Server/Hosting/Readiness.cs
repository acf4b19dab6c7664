namespace Mailroom.Server.Hosting;

/// <summary>What <c>GET /healthz</c> waits for: a migrated database and, when configured, a listening SMTP socket.</summary>
public sealed class Readiness
{
    private volatile DatabaseEngine? _database;
    private volatile bool _smtpListening;

    public bool SmtpRequired { get; set; }

    public void DatabaseMigrated(DatabaseEngine engine) => _database = engine;
    public void SmtpListening() => _smtpListening = true;

    public bool IsReady => _database is not null && (_smtpListening || !SmtpRequired);

    /// <summary>The states, and once migrated the engine's version under its provider's name (<c>"sqlite": "3.53.4"</c>).</summary>
    public IReadOnlyDictionary<string, string> Describe()
    {
        var database = _database;
        var description = new Dictionary<string, string>
        {
            ["database"] = database is null ? "starting" : "migrated",
            ["smtp"] = _smtpListening ? "listening" : SmtpRequired ? "starting" : "off",
        };
        if (database is not null) description[database.Provider] = database.Version;
        return description;
    }
}

/// <param name="Provider">The configuration's spelling: <c>sqlite</c> or <c>postgres</c>.</param>
public sealed record DatabaseEngine(string Provider, string Version);
