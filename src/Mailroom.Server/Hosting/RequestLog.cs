using Microsoft.Extensions.Configuration.Memory;

namespace Mailroom.Server.Hosting;

/// <summary>
/// What the log shows: by default Mailroom's own lines (listening, mail received, queued, delivered, bounced, failures)
/// on one line each, not the framework's lines for every HTTP request. With <c>Mailroom:LogRequests</c> each request is
/// one line of Mailroom's own, its query string redacted; the framework's request lines stay off whatever the
/// configuration says, because they carry whole URLs, signed download links included.
/// </summary>
public static class RequestLog
{
    /// <summary>The framework category whose request lines hold the full URL.</summary>
    private const string FrameworkRequestCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>Query parameters whose names contain one of these hold a credential: their values never reach a log.</summary>
    private static readonly string[] SecretParameterParts = ["sig", "token", "key", "secret", "password"];

    /// <summary>Defaults under every configuration source, so that appsettings, environment and arguments still override them.</summary>
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
        ["Logging:Console:FormatterName"] = "simple",
        ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = "yyyy-MM-dd HH:mm:ss ",
    };

    public static void AddMailroomLogging(this WebApplicationBuilder builder)
    {
        ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        builder.Logging.AddFilter(FrameworkRequestCategory, LogLevel.Warning);
    }

    /// <summary>Outermost, so that the status written is the one the client got, errors included.</summary>
    public static void UseRequestLog(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<MailroomOptions>().LogRequests) return;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mailroom.Requests");
        var time = app.Services.GetRequiredService<TimeProvider>();
        app.Use(async (http, next) =>
        {
            var started = time.GetTimestamp();
            try
            {
                await next(http);
            }
            finally
            {
                logger.LogInformation("{Method} {Path}{Query} answered {Status} in {Milliseconds:0} ms", http.Request.Method, RedactedPath(http.Request.Path),
                    Redacted(http.Request.QueryString), http.Response.StatusCode, time.GetElapsedTime(started).TotalMilliseconds);
            }
        });
    }

    /// <summary>The query string with the value of every credential-like parameter replaced by <c>***</c>.</summary>
    /// <summary>Approval pages carry their one-time token in the path: it is shown as <c>***</c>.</summary>
    public static string RedactedPath(PathString path) =>
        path.StartsWithSegments("/approvals", out var rest) && rest.HasValue ? "/approvals/***" : path.ToString();

    public static string Redacted(QueryString query)
    {
        if (!query.HasValue) return "";
        var parameters = query.Value![1..].Split('&');
        for (var i = 0; i < parameters.Length; i++)
        {
            var equals = parameters[i].IndexOf('=');
            var name = Uri.UnescapeDataString(equals < 0 ? parameters[i] : parameters[i][..equals]);
            if (equals >= 0 && SecretParameterParts.Any(part => name.Contains(part, StringComparison.OrdinalIgnoreCase)))
                parameters[i] = parameters[i][..(equals + 1)] + "***";
        }
        return "?" + string.Join('&', parameters);
    }
}
