using Mailroom.Core.Events;
using Mailroom.Data;
using Mailroom.Server.Dialects.AgentMailV0;
using Mailroom.Server.Dialects.Automation;
using Mailroom.Server.Dialects.MailerSendV1;
using Mailroom.Server.Dialects.InkboxV1;
using Mailroom.Server.Dialects.IdentitiesV1;
using Mailroom.Server.Approvals;
using Mailroom.Server.Dialects.Shared;
using Mailroom.Server.Mail;
using Mailroom.Server.Mcp;
using Mailroom.Server.Net;
using Mailroom.Server.Sms;
using Mailroom.Server.Webhooks;
using Mailroom.Server.Workers;

namespace Mailroom.Server.Hosting;

/// <summary>Builds the one host every command shares, so that serving and admin commands read the same configuration.</summary>
public static class MailroomApp
{
    public const string OpenApiPath = "/openapi/v0.json";

    /// <summary>The API dialects this server speaks; a path outside all of them answers errors in the first one's shape.</summary>
    private static IApiDialect[] Dialects() => [new AgentMailV0Dialect(), new MailerSendV1Dialect(), new InkboxV1Dialect(), new AutomationDialect(), new IdentitiesV1Dialect()];

    /// <param name="replaceServices">Runs after every registration: tests put fault-injecting decorators in here.</param>
    /// <param name="moreDialects">Served after the product's own (tests mount a dialect of their own to check routing).</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? replaceServices = null, IReadOnlyList<IApiDialect>? moreDialects = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        builder.AddMailroomLogging();
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls("http://127.0.0.1:8080");
        var options = builder.Configuration.GetSection(MailroomOptions.Section).Get<MailroomOptions>() ?? new MailroomOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddMailroomCore(options);
        builder.Services.AddSenderIdentities(options);
        builder.Services.AddSingleton<IDomainEventSubscriber, MailActivityLog>();
        var dialects = new ApiDialects([.. Dialects(), .. moreDialects ?? []]);
        builder.Services.AddSingleton(dialects);
        builder.Services.AddSingleton<Pages.PublicLinks>();
        foreach (var dialect in dialects.All) dialect.AddServices(builder.Services, builder.Configuration);
        builder.Services.AddExceptionHandler<DialectExceptionHandler>();
        builder.Services.AddProblemDetails();
        builder.Services.AddApiRateLimiting(options.RateLimit);
        builder.Services.AddSingleton(services => RequestBodyLimits.From(options.Api, services.GetRequiredService<Core.Messaging.OutboundSettings>().MaxAttachmentBytes));
        // Every route of every dialect has the default cap without asking for it; routes that carry mail raise theirs.
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Limits.MaxRequestBodySize = kestrel.ApplicationServices.GetRequiredService<RequestBodyLimits>().Default);
        var webhooks = builder.Configuration.GetSection("Mailroom:Webhooks").Get<WebhookOptions>() ?? new WebhookOptions();
        builder.Services.AddSingleton(webhooks);
        builder.Services.AddGuardedHttp(webhooks.AllowPrivateTargets, builder.Configuration.GetSection("Mailroom:Fetch").Get<FetchOptions>() ?? new FetchOptions());
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddHostedService<WebhookWorker>();
        builder.Services.AddMailroomDns(builder.Configuration);
        builder.Services.AddHostedService<DomainRecheckWorker>();
        builder.Services.AddHostedService<LeaseHeartbeatWorker>();
        builder.Services.AddHostedService<SearchIndexWorker>();
        builder.Services.AddMailTransport(builder.Configuration);
        builder.Services.AddSms(builder.Configuration, options);
        builder.Services.AddAutomations(builder.Configuration);
        builder.Services.AddApprovals(builder.Configuration);
        builder.Services.AddChatApprovals(builder.Configuration);
        builder.Services.AddMailroomMcp();
        replaceServices?.Invoke(builder.Services);

        var app = builder.Build();
        // A wrong Mailroom:PublicUrl stops the start instead of failing the first link handed out.
        app.Services.GetRequiredService<AttachmentLinks>();
        app.UseRequestLog();
        app.UseExceptionHandler();
        app.UseStatusCodePages(DialectExceptionHandler.ForBareStatusAsync);
        app.UseRateLimiter();
        app.MapGet("/healthz", (Readiness readiness) => readiness.IsReady
            ? Results.Json(readiness.Describe())
            : Results.Json(readiness.Describe(), statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapOpenApi("/openapi/{documentName}.json");
        foreach (var dialect in dialects.All) dialect.MapEndpoints(app);
        AttachmentLinks.MapDownloads(app);
        Pages.SenderIdentityConfirmationPage.Map(app);
        app.MapSmsHooks();
        ApprovalPages.Map(app);
        app.MapChatApprovalHooks();
        app.MapMailroomMcp();
        return app;
    }

    /// <summary>
    /// Creates or upgrades the schema; called before anything reads the database, by serving and admin commands alike.
    /// It never touches leases: an admin command given a serving node's configuration must leave that node's work alone.
    /// </summary>
    public static async Task MigrateAsync(this WebApplication app, CancellationToken ct = default)
    {
        await app.Services.GetRequiredService<Migrator>().MigrateAsync(ct);
        var database = app.Services.GetRequiredService<MailroomDatabase>();
        var engine = new DatabaseEngine(database.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres", await database.EngineVersionAsync(ct));
        app.Services.GetRequiredService<Readiness>().DatabaseMigrated(engine);
        // Only a serving process starts; admin commands keep their standard output to their JSON.
        app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation("Database: {Provider} {Version}", engine.Provider, engine.Version));
    }

    /// <summary>
    /// Migrates, then frees what this node's earlier processes held, before any worker starts. Only a process about to
    /// serve calls this: an admin command run beside a serving node never touches its leases.
    /// </summary>
    public static async Task PrepareToServeAsync(this WebApplication app, CancellationToken ct = default)
    {
        await app.MigrateAsync(ct);
        var owner = app.Services.GetRequiredService<Data.Repositories.LeaseOwner>();
        await app.Services.GetRequiredService<Data.Repositories.LeaseRecovery>().ReleaseEarlierProcessesAsync(owner, ct);
    }
}
