using Mailroom.Core.ApiKeys;
using Mailroom.Core.Common;
using Mailroom.Core.Domains;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Webhooks;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

/// <summary>Every repository against both databases, including organization scoping and transactions.</summary>
public sealed class RepositoryTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private static Inbox NewInbox(MigratedDatabase f, string orgId, string username, string? clientId = null) => new()
    {
        Id = Ids.New(Ids.Inbox), OrgId = orgId, Username = username, Domain = "mailroom.local", ClientId = clientId,
        DisplayName = "Agent", CreatedAt = f.Now, UpdatedAt = f.Now,
    };

    [Theory, MemberData(nameof(Providers))]
    public async Task Organizations_report_usage(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var organizations = new OrganizationRepository(f.Db);
        await new InboxRepository(f.Db).CreateAsync(NewInbox(f, f.OrgA, "one"));

        var organization = await organizations.GetAsync(f.OrgA);
        var usage = await organizations.GetUsageAsync(f.OrgA);

        Assert.Equal(5, organization!.InboxLimit);
        Assert.Equal(f.Now, organization.CreatedAt);
        Assert.Equal(new Core.Organizations.OrganizationUsage(1, 0), usage);
        Assert.Null(await organizations.GetAsync("org_missing"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Api_keys_are_found_by_hash_listed_touched_and_deleted_per_org(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var keys = new ApiKeyRepository(f.Db);
        var token = ApiKeyToken.Generate();
        var key = new ApiKey { Id = Ids.New(Ids.ApiKey), OrgId = f.OrgA, Name = "k", Prefix = token.Prefix, KeyHash = token.Hash, CreatedAt = f.Now };
        await keys.CreateAsync(key);

        var found = await keys.FindByHashAsync(ApiKeyToken.HashOf(token.Value));
        await keys.TouchAsync(key.Id, f.Now.AddMinutes(1));

        Assert.Equal(key.Id, found!.Id);
        Assert.Null(found.UsedAt);
        Assert.Equal(f.Now.AddMinutes(1), (await keys.FindByHashAsync(token.Hash))!.UsedAt);
        Assert.Equal(1, (await keys.ListAsync(f.OrgA, new PageRequest(0, 20))).Total);
        Assert.Equal(0, (await keys.ListAsync(f.OrgB, new PageRequest(0, 20))).Total);
        Assert.False(await keys.DeleteAsync(f.OrgB, key.Id));
        Assert.True(await keys.DeleteAsync(f.OrgA, key.Id));
        Assert.Null(await keys.FindByHashAsync(token.Hash));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Inboxes_round_trip_every_setting_and_are_scoped(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var inboxes = new InboxRepository(f.Db);
        var inbox = NewInbox(f, f.OrgA, "Agent.One", "client-1");
        inbox.RequiresApproval = true;
        inbox.CanSendCold = false;
        inbox.EscalationDelaySeconds = 600;
        inbox.SignatureText = "— Mia";
        await inboxes.CreateAsync(inbox);

        var loaded = await inboxes.GetAsync(f.OrgA, inbox.Id);
        Assert.NotNull(loaded);
        Assert.Equal("Agent.One@mailroom.local", loaded.EmailAddress);
        Assert.True(loaded.RequiresApproval);
        Assert.False(loaded.CanSendCold);
        Assert.Equal(600, loaded.EscalationDelaySeconds);
        Assert.Equal("— Mia", loaded.SignatureText);
        Assert.Null(await inboxes.GetAsync(f.OrgB, inbox.Id));
        Assert.Equal(inbox.Id, (await inboxes.FindByAddressAsync("agent.one@MAILROOM.local"))!.Id);
        Assert.True(await inboxes.AddressExistsAsync("Agent.One@mailroom.local"));
        Assert.False(await inboxes.AddressExistsAsync("agent.two@mailroom.local"));
        Assert.Equal(inbox.Id, (await inboxes.FindByClientIdAsync(f.OrgA, "client-1"))!.Id);
        Assert.Null(await inboxes.FindByClientIdAsync(f.OrgB, "client-1"));

        loaded.DisplayName = "Renamed";
        loaded.UpdatedAt = f.Now.AddSeconds(5);
        await inboxes.UpdateAsync(loaded);
        Assert.Equal("Renamed", (await inboxes.GetAsync(f.OrgA, inbox.Id))!.DisplayName);

        Assert.Equal(1, await inboxes.CountAsync(f.OrgA));
        Assert.Equal(1, await inboxes.CountOnDomainAsync("mailroom.local"));
        Assert.False(await inboxes.DeleteAsync(f.OrgB, inbox.Id));
        Assert.True(await inboxes.DeleteAsync(f.OrgA, inbox.Id));
        Assert.Equal(0, await inboxes.CountAsync(f.OrgA));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_address_is_held_once_whatever_its_case(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var inboxes = new InboxRepository(f.Db);
        await inboxes.CreateAsync(NewInbox(f, f.OrgA, "same"));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => inboxes.CreateAsync(NewInbox(f, f.OrgB, "SAME")));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Inbox_lists_page_newest_first(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var inboxes = new InboxRepository(f.Db);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var inbox = NewInbox(f, f.OrgA, $"box{i}");
            ids.Add(inbox.Id);
            await inboxes.CreateAsync(inbox);
            await Task.Delay(2);
        }

        var page = await inboxes.ListAsync(f.OrgA, new PageRequest(2, 2));

        Assert.Equal(5, page.Total);
        Assert.Equal(new[] { ids[2], ids[1] }, page.Items.Select(i => i.Id));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Domains_keep_records_and_sealed_key(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var domains = new DomainRepository(f.Db);
        var domain = new Domain
        {
            Id = "example.com", OrgId = f.OrgA, Name = "example.com", DkimSelector = "mailroom", DkimPublicKey = "PUB",
            DkimPrivateKeySealed = "v1.sealed", Records = DomainRecords.For("example.com", "mailroom", "PUB", new PlatformDns("mx.p", "_spf.p")),
            CreatedAt = f.Now, UpdatedAt = f.Now,
        };
        await domains.CreateAsync(domain);

        domain.Status = DomainStatus.Verified;
        domain.Records = domain.Records.Select(r => r.WithStatus(DomainRecordStatus.Valid)).ToList();
        domain.VerifiedAt = f.Now;
        await domains.UpdateAsync(domain);
        var loaded = await domains.GetByNameAsync(f.OrgA, "example.com");

        Assert.Equal(DomainStatus.Verified, loaded!.Status);
        Assert.Equal(4, loaded.Records.Count);
        Assert.All(loaded.Records, r => Assert.Equal(DomainRecordStatus.Valid, r.Status));
        Assert.Equal("v1.sealed", loaded.DkimPrivateKeySealed);
        Assert.Null(await domains.GetByNameAsync(f.OrgB, "example.com"));
        Assert.NotNull(await domains.FindByNameAsync("example.com"));
        Assert.Equal(1, (await domains.ListAsync(f.OrgA, new PageRequest(0, 20))).Total);
        Assert.Equal(1, await domains.CountAsync(f.OrgA));
        Assert.False(await domains.DeleteAsync(f.OrgB, "example.com"));
        Assert.True(await domains.DeleteAsync(f.OrgA, "example.com"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Webhooks_round_trip_and_list_only_enabled(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var webhooks = new WebhookRepository(f.Db);
        var on = new Webhook
        {
            Id = Ids.New(Ids.Webhook), OrgId = f.OrgA, Url = "https://example.com/hook", EventTypes = ["message.received"],
            InboxIds = ["inb_1"], SecretSealed = "v1.x", CreatedAt = f.Now, UpdatedAt = f.Now,
        };
        var off = new Webhook { Id = Ids.New(Ids.Webhook), OrgId = f.OrgA, Url = "https://example.com/off", Enabled = false, SecretSealed = "v1.y", CreatedAt = f.Now, UpdatedAt = f.Now };
        await webhooks.CreateAsync(on);
        await webhooks.CreateAsync(off);

        var enabled = await webhooks.ListEnabledAsync(f.OrgA);
        on.Url = "https://example.com/new";
        on.Enabled = false;
        await webhooks.UpdateAsync(on);

        Assert.Equal(on.Id, Assert.Single(enabled).Id);
        Assert.Equal(["inb_1"], enabled[0].InboxIds);
        Assert.Equal("https://example.com/new", (await webhooks.GetAsync(f.OrgA, on.Id))!.Url);
        Assert.Empty(await webhooks.ListEnabledAsync(f.OrgA));
        Assert.Null(await webhooks.GetAsync(f.OrgB, on.Id));
        Assert.False(await webhooks.DeleteAsync(f.OrgB, on.Id));
        Assert.True(await webhooks.DeleteAsync(f.OrgA, on.Id));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_failed_transaction_stores_nothing(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var inboxes = new InboxRepository(f.Db);

        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Db.InTransactionAsync<int>(async () =>
        {
            await inboxes.CreateAsync(NewInbox(f, f.OrgA, "ghost"));
            Assert.Equal(1, await inboxes.CountAsync(f.OrgA));
            throw new InvalidOperationException("abort");
        }));

        Assert.Equal(0, await inboxes.CountAsync(f.OrgA));
    }
}
