using Mailroom.Core.Automation;
using Mailroom.Core.Common;
using Mailroom.Core.Events;
using Mailroom.Core.Webhooks;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

/// <summary>
/// Lists whose totals are kept on a row (migration 0019), against a full COUNT(*): a webhook's deliveries and an
/// organization's action runs; and their pages, read through the list index, are the rows of a plain ordered scan.
/// </summary>
public sealed class KeptTotalsTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task The_total_follows_deliveries_queued_alone_and_in_transactions_and_the_pages_are_newest_first(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var webhooks = new WebhookRepository(f.Db);
        var deliveries = new WebhookDeliveryRepository(f.Db, webhooks);
        var events = new EventRepository(f.Db);
        var orders = await WebhookAsync(webhooks, f.OrgA);
        var audit = await WebhookAsync(webhooks, f.OrgA);
        var other = await WebhookAsync(webhooks, f.OrgB);

        async Task QueueAsync(string orgId, params Webhook[] to)
        {
            var e = new MailEvent { Id = Ids.New(Ids.Event), OrgId = orgId, Type = EventTypes.MessageReceived, PayloadJson = "{}", CreatedAt = f.Now };
            await events.AppendAsync(e);
            foreach (var webhook in to)
                await deliveries.EnqueueAsync(new WebhookDelivery
                {
                    Id = Ids.New(Ids.WebhookDelivery), OrgId = orgId, WebhookId = webhook.Id, EventId = e.Id, NextAttemptAt = f.Now, CreatedAt = f.Now, UpdatedAt = f.Now,
                });
        }
        for (var i = 0; i < 7; i++) await QueueAsync(f.OrgA, orders, audit);
        await f.Db.InTransactionAsync(async () =>
        {
            for (var i = 0; i < 5; i++) await QueueAsync(f.OrgA, orders);
            return true;
        });
        await QueueAsync(f.OrgB, other);

        var counted = await f.Db.ScalarAsync<long>("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = @id", new { id = orders.Id });
        var expected = (await f.Db.QueryAsync<string>("SELECT id FROM webhook_deliveries WHERE webhook_id = @id ORDER BY id DESC", new { id = orders.Id })).ToList();
        Assert.Equal(12, counted);
        var pages = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var listed = await deliveries.ListAsync(f.OrgA, orders.Id, new PageRequest((page - 1) * 5, 5));
            Assert.Equal(12, listed.Total);
            pages.AddRange(listed.Items.Select(d => d.Id));
        }
        Assert.Equal(expected, pages);
        Assert.Equal(7, (await deliveries.ListAsync(f.OrgA, audit.Id, new PageRequest(0, 20))).Total);
        // Another organization's webhook id lists nothing and counts nothing.
        var foreign = await deliveries.ListAsync(f.OrgA, other.Id, new PageRequest(0, 20));
        Assert.Equal(0, foreign.Total);
        Assert.Empty(foreign.Items);

        // A failed transaction adds nothing to the total.
        await Assert.ThrowsAnyAsync<Exception>(() => f.Db.InTransactionAsync<bool>(async () =>
        {
            await QueueAsync(f.OrgA, orders);
            throw new InvalidOperationException("rolled back");
        }));
        Assert.Equal(12, (await deliveries.ListAsync(f.OrgA, orders.Id, new PageRequest(0, 1))).Total);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_organizations_run_total_follows_runs_recorded_alone_in_groups_and_in_transactions(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var runs = new ActionRunRepository(f.Db);
        ActionRun Run(string orgId, string thread) =>
            new() { OrgId = orgId, ActionId = 1, ActionType = ActionTypes.Close, ThreadId = thread, StartedAt = f.Now, Outcome = RunOutcomes.Succeeded };

        await runs.RecordAsync(Run(f.OrgA, "thr_1"), returnId: true);
        await runs.RecordAsync(Run(f.OrgA, "thr_2"), returnId: false);
        await runs.RecordAllAsync([.. Enumerable.Range(0, 120).Select(i => Run(f.OrgA, $"thr_{i % 3}")), Run(f.OrgB, "thr_b")]);
        await f.Db.InTransactionAsync(async () =>
        {
            await runs.RecordAllAsync([Run(f.OrgA, "thr_1"), Run(f.OrgA, "thr_1")]);
            await runs.RecordAsync(Run(f.OrgB, "thr_b"), returnId: true);
            return true;
        });
        await Assert.ThrowsAnyAsync<Exception>(() => f.Db.InTransactionAsync<bool>(async () =>
        {
            await runs.RecordAllAsync([Run(f.OrgA, "thr_1")]);
            throw new InvalidOperationException("rolled back");
        }));

        foreach (var (org, thread) in new[] { (f.OrgA, (string?)null), (f.OrgB, null), (f.OrgA, "thr_1") })
        {
            var filter = thread is null ? "" : " AND thread_id = @thread";
            var ids = (await f.Db.QueryAsync<long>($"SELECT id FROM action_runs WHERE org_id = @org{filter} ORDER BY id", new { org, thread })).ToList();
            var listed = new List<long>();
            for (var offset = 0L; ; offset += 50)
            {
                var page = await runs.ListAsync(org, thread, new PageRequest(offset, 50));
                Assert.Equal(ids.Count, page.Total);
                if (page.Items.Count == 0) break;
                listed.AddRange(page.Items.Select(r => r.Id));
            }
            Assert.Equal(ids, listed);
        }
        Assert.Equal(124, (await runs.ListAsync(f.OrgA, null, new PageRequest(0, 1))).Total);
    }

    private static async Task<Webhook> WebhookAsync(WebhookRepository webhooks, string orgId)
    {
        var webhook = new Webhook
        {
            Id = Ids.New(Ids.Webhook), OrgId = orgId, Url = "https://hooks.example/in", EventTypes = [EventTypes.MessageReceived], SecretSealed = "sealed",
            CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        };
        await webhooks.CreateAsync(webhook);
        return webhook;
    }
}
