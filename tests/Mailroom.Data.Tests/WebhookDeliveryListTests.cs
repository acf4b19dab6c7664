using Mailroom.Core.Common;
using Mailroom.Core.Events;
using Mailroom.Core.Webhooks;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

/// <summary>
/// A webhook's delivery list (migration 0019): its total is the count kept on the webhook row, against a full COUNT(*),
/// and its pages, read through the list index, are the rows of a plain newest-first scan.
/// </summary>
public sealed class WebhookDeliveryListTests
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
