using Mailroom.Core.Links;
using Mailroom.Core.Approvals;
using Mailroom.Core.Drafts;
using Mailroom.Core.Identities;
using Mailroom.Core.ApiKeys;
using Mailroom.Core.Common;
using Mailroom.Core.Delivery;
using Mailroom.Core.Domains;
using Mailroom.Core.Events;
using Mailroom.Core.Messages;
using Mailroom.Core.Messaging;
using Mailroom.Core.Threads;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Organizations;
using Mailroom.Core.Platform;
using Mailroom.Core.Security;
using Mailroom.Core.Webhooks;
using Mailroom.Core.Blobs;
using Mailroom.Data;
using Mailroom.Data.Blobs;
using Mailroom.Server.Dialects.Shared;
using Mailroom.Data.Repositories;

namespace Mailroom.Server.Hosting;

/// <summary>Registers the database, the repositories and the core use cases they feed.</summary>
public static class StorageServices
{
    public static IServiceCollection AddMailroomCore(this IServiceCollection services, MailroomOptions options)
    {
        Directory.CreateDirectory(options.DataDir);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(OpenDatabase(options));
        services.AddSingleton(sp => new FileBlobStore(Path.Combine(options.DataDir, "blobs"), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IBlobStore, HybridBlobStore>();
        services.AddSingleton(sp => new AttachmentLinks(sp.GetRequiredService<SecretBox>(), options.AttachmentLinkLifetime, sp.GetRequiredService<TimeProvider>(),
            options.PublicUrl));
        services.AddSingleton<ITransactionRunner>(sp => sp.GetRequiredService<MailroomDatabase>());
        services.AddSingleton<Migrator>();
        services.AddSingleton<LeaseRecovery>();
        services.AddSingleton<LeaseRenewal>();
        services.AddSingleton<WorkInHand>();
        services.AddSingleton(options.Leases);
        services.AddSingleton(LeaseOwner.ForProcess(options.ResolveNodeId()));
        services.AddSingleton(new SecretBox(MasterKeyFile.LoadOrCreate(options.MasterKeyPath)));
        services.AddSingleton(new PlatformSettings
        {
            DefaultDomain = options.DefaultDomain.ToLowerInvariant(), MailHost = options.MailHost,
            DefaultInboxLimit = options.Limits.InboxesPerOrganization, DefaultDomainLimit = options.Limits.DomainsPerOrganization,
            DefaultIdentityLimit = options.Limits.IdentitiesPerOrganization,
        });

        services.AddSingleton<IOrganizationRepository, OrganizationRepository>();
        services.AddSingleton<IApiKeyRepository, ApiKeyRepository>();
        services.AddSingleton<IDomainRepository, DomainRepository>();
        services.AddSingleton<IDkimKeyRepository, DkimKeyRepository>();
        services.AddSingleton<IInboxRepository, InboxRepository>();
        services.AddSingleton<IWebhookRepository, WebhookRepository>();
        services.AddSingleton<IWebhookDeliveryRepository, WebhookDeliveryRepository>();
        services.AddSingleton<IEventRepository, EventRepository>();
        services.AddSingleton<IMessageRepository, MessageRepository>();
        services.AddSingleton<IOrganizationMailRepository>(sp => (MessageRepository)sp.GetRequiredService<IMessageRepository>());
        services.AddSingleton<IMessageSearchIndexer>(sp => (MessageRepository)sp.GetRequiredService<IMessageRepository>());
        services.AddSingleton<IThreadRepository, ThreadRepository>();
        services.AddSingleton<IMailDeletionRepository, MailDeletionRepository>();
        services.AddSingleton<IInboundSpoolRepository, InboundSpoolRepository>();
        services.AddSingleton<IOutboundDeliveryRepository, OutboundDeliveryRepository>();
        services.AddSingleton<IIdempotencyRepository, IdempotencyRepository>();
        services.AddSingleton<Core.Agents.IAgentRepository, AgentRepository>();
        services.AddSingleton<Core.Sms.IPhoneNumberRepository, PhoneNumberRepository>();
        services.AddSingleton<Core.Sms.ISmsMessageRepository, SmsMessageRepository>();
        services.AddSingleton<IOneTimeLinkRepository, OneTimeLinkRepository>();
        services.AddSingleton<IDraftRepository, DraftRepository>();
        services.AddSingleton<IChannelRepository, ChannelRepository>();
        services.AddSingleton<IIdentityTaskRepository, IdentityTaskRepository>();
        services.AddSingleton<IThreadOverviewRepository>(sp => (ThreadRepository)sp.GetRequiredService<IThreadRepository>());

        services.AddSingleton<OrganizationService>();
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<InboxService>();
        services.AddSingleton<MailDeletion>();
        services.AddSingleton<OneTimeLinks>();
        services.AddSingleton<DomainService>();
        services.AddSingleton(sp => sp.GetRequiredService<PlatformSettings>().Dns);
        services.AddSingleton<DomainVerifier>();
        services.AddSingleton<WebhookService>();
        services.AddSingleton<WebhookFanOut>();
        // The outbox is the first subscriber: the event row exists before anything else reacts.
        services.AddSingleton<IDomainEventSubscriber, EventOutbox>();
        services.AddSingleton<EventPublisher>();
        services.AddSingleton<Threading>();
        services.AddSingleton<MessageSender>();
        services.AddSingleton<Correspondence>();
        services.AddSingleton<BounceHandling>();
        services.AddSingleton<MailReception>();
        services.AddSingleton<Core.Agents.AgentService>();
        services.AddSingleton<Core.Agents.MailboxService>();
        services.AddSingleton<Core.Sms.PhoneNumberService>();
        services.AddSingleton<Core.Sms.SmsService>();
        services.AddSingleton<NoticeMail>();
        services.AddSingleton<ApprovalChannelStore>();
        services.AddSingleton<IdentityService>();
        services.AddSingleton<IdentityThreads>();
        services.AddSingleton<TestEmails>();
        services.AddSingleton<DraftService>();
        services.AddSingleton<IDraftReviews>(sp => sp.GetRequiredService<DraftService>());
        // After the outbox: inbound mail makes the drafts of its thread stale in the transaction that files it.
        services.AddSingleton<IDomainEventSubscriber>(sp => new DraftStaleness(sp.GetRequiredService<IDraftRepository>(),
            sp.GetRequiredService<EventPublisher>, sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    private static MailroomDatabase OpenDatabase(MailroomOptions options) => options.Database.Provider.ToLowerInvariant() switch
    {
        "sqlite" => options.Database.ConnectionString is { } cs
            ? new MailroomDatabase(DatabaseProvider.Sqlite, cs)
            : MailroomDatabase.ForSqliteFile(Path.Combine(options.DataDir, "mailroom.db")),
        "postgres" or "postgresql" => new MailroomDatabase(DatabaseProvider.Postgres,
            options.Database.ConnectionString ?? throw new InvalidOperationException("Mailroom:Database:ConnectionString is required for postgres")),
        var other => throw new InvalidOperationException($"Mailroom:Database:Provider '{other}' is not sqlite or postgres"),
    };
}
