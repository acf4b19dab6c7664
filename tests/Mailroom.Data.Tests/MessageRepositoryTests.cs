using Mailroom.Core.Common;
using Mailroom.Core.Events;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Threads;
using Mailroom.Core.Webhooks;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

/// <summary>Messages, threads, events and webhook deliveries on both databases.</summary>
public sealed class MessageRepositoryTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private static async Task<Inbox> InboxAsync(MigratedDatabase f, string orgId, string username)
    {
        var inbox = new Inbox { Id = Ids.New(Ids.Inbox), OrgId = orgId, Username = username, Domain = "mailroom.local", CreatedAt = f.Now, UpdatedAt = f.Now };
        await new InboxRepository(f.Db).CreateAsync(inbox);
        return inbox;
    }

    private static Message NewMessage(Inbox inbox, string rfcId, DateTimeOffset at, string? inReplyTo = null, string direction = MessageDirection.Inbound) => new()
    {
        Id = Ids.New(Ids.Message), OrgId = inbox.OrgId, InboxId = inbox.Id, ThreadId = "", Direction = direction, RfcMessageId = rfcId,
        InReplyTo = inReplyTo, References = inReplyTo is null ? [] : [inReplyTo], From = "Sender <s@example.com>", To = [inbox.EmailAddress],
        Subject = inReplyTo is null ? "Hello" : "Re: Hello", Preview = "hi", Text = "hi", Size = 100, Timestamp = at, CreatedAt = at, UpdatedAt = at,
        Headers = [new("Subject", "Hello"), new("X-Dup", "1"), new("X-Dup", "2")],
    };

    [Theory, MemberData(nameof(Providers))]
    public async Task Replies_join_their_thread_and_foreign_pointers_start_a_new_one(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var messages = new MessageRepository(f.Db);
        var threads = new ThreadRepository(f.Db);
        var threading = new Threading(threads, messages, TimeProvider.System);
        var inbox = await InboxAsync(f, f.OrgA, "threads");

        var first = NewMessage(inbox, "a@x", f.Now);
        var firstThread = await threading.ThreadForAsync(inbox, first.InReplyTo, first.References, first.Subject);
        await threading.AddAsync(firstThread, first, []);
        var reply = NewMessage(inbox, "b@x", f.Now.AddMinutes(1), inReplyTo: "a@x", direction: MessageDirection.Outbound);
        var replyThread = await threading.ThreadForAsync(inbox, reply.InReplyTo, reply.References, reply.Subject);
        await threading.AddAsync(replyThread, reply, []);
        var stray = NewMessage(inbox, "c@x", f.Now.AddMinutes(2), inReplyTo: "unknown@elsewhere");
        var strayThread = await threading.ThreadForAsync(inbox, stray.InReplyTo, stray.References, stray.Subject);

        Assert.Equal(firstThread.Id, replyThread.Id);
        Assert.NotEqual(firstThread.Id, strayThread.Id);
        var stored = await threads.GetAsync(f.OrgA, inbox.Id, firstThread.Id);
        Assert.Equal(2, stored!.MessageCount);
        Assert.Equal(200, stored.Size);
        Assert.Equal(reply.Id, stored.LastMessageId);
        Assert.Equal(f.Now, stored.ReceivedAt);
        Assert.Equal(f.Now.AddMinutes(1), stored.SentAt);
        Assert.Equal(["Sender <s@example.com>"], stored.Senders);
        Assert.Equal([first.Id, reply.Id], (await messages.ListByThreadAsync(f.OrgA, firstThread.Id)).Select(m => m.Id));
        Assert.Empty(await messages.ListByThreadAsync(f.OrgB, firstThread.Id));
        Assert.Null(await threads.GetAsync(f.OrgB, inbox.Id, firstThread.Id));
        Assert.Equal(1, (await threads.ListAsync(f.OrgA, inbox.Id, spam: false, new PageRequest(0, 20))).Total);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_newest_messages_of_a_thread_and_one_of_its_messages_are_read_without_the_whole_thread(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var messages = new MessageRepository(f.Db);
        var threading = new Threading(new ThreadRepository(f.Db), messages, TimeProvider.System);
        var inbox = await InboxAsync(f, f.OrgA, "newest");
        // Two messages share a timestamp (their ids order them), and the newest is outbound.
        var stored = new List<Message>();
        MailThread? thread = null;
        foreach (var (minute, direction) in new[] { (0, MessageDirection.Inbound), (1, MessageDirection.Outbound), (2, MessageDirection.Inbound),
                     (2, MessageDirection.Inbound), (3, MessageDirection.Outbound) })
        {
            var message = NewMessage(inbox, $"{stored.Count}@x", f.Now.AddMinutes(minute), inReplyTo: stored.LastOrDefault()?.RfcMessageId, direction);
            thread = await threading.ThreadForAsync(inbox, message.InReplyTo, message.References, message.Subject);
            await threading.AddAsync(thread, message, []);
            stored.Add(message);
        }
        var all = (await messages.ListByThreadAsync(f.OrgA, thread!.Id)).Select(m => m.Id).ToList();
        Assert.Equal(5, all.Count);

        Assert.Equal(all[^2..], (await messages.ListNewestInThreadAsync(f.OrgA, thread.Id, 2)).Select(m => m.Id));
        Assert.Equal(all, (await messages.ListNewestInThreadAsync(f.OrgA, thread.Id, 10)).Select(m => m.Id));
        Assert.Empty(await messages.ListNewestInThreadAsync(f.OrgA, thread.Id, 0));
        Assert.Equal(all[3], Assert.Single(await messages.ListNewestInThreadAsync(f.OrgA, thread.Id, 1, MessageDirection.Inbound)).Id);
        Assert.Empty(await messages.ListNewestInThreadAsync(f.OrgB, thread.Id, 10));

        // Later (strictly) inbound mail than a message, as the stale rule asks; a message of the same time is not later.
        Assert.True(await messages.AnyLaterInThreadAsync(f.OrgA, thread.Id, stored[0].Timestamp, stored[0].Id, MessageDirection.Inbound));
        Assert.False(await messages.AnyLaterInThreadAsync(f.OrgA, thread.Id, stored[2].Timestamp, stored[2].Id, MessageDirection.Inbound));
        Assert.False(await messages.AnyLaterInThreadAsync(f.OrgA, thread.Id, stored[3].Timestamp, stored[3].Id, MessageDirection.Inbound));
        Assert.True(await messages.AnyLaterInThreadAsync(f.OrgA, thread.Id, stored[3].Timestamp, stored[3].Id, MessageDirection.Outbound));
        Assert.False(await messages.AnyLaterInThreadAsync(f.OrgB, thread.Id, stored[0].Timestamp, stored[0].Id, MessageDirection.Inbound));

        var answered = await messages.GetInThreadAsync(f.OrgA, thread.Id, stored[2].Id);
        Assert.Equal((stored[2].Id, "2@x"), (answered!.Id, answered.RfcMessageId));
        Assert.Null(await messages.GetInThreadAsync(f.OrgB, thread.Id, stored[2].Id));
        Assert.Null(await messages.GetInThreadAsync(f.OrgA, "thr_other", stored[2].Id));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Messages_round_trip_with_headers_labels_and_attachments(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var messages = new MessageRepository(f.Db);
        var threads = new ThreadRepository(f.Db);
        var inbox = await InboxAsync(f, f.OrgA, "store");
        var threading = new Threading(threads, messages, TimeProvider.System);
        var thread = await threading.ThreadForAsync(inbox, null, [], "Hello");
        var message = NewMessage(inbox, "m@x", f.Now);
        var attachment = new Attachment
        {
            Id = Ids.New(Ids.Attachment), OrgId = f.OrgA, MessageId = message.Id, FileName = "a.pdf", ContentType = "application/pdf",
            Disposition = "attachment", Size = 3, BlobKey = "blob/1", CreatedAt = f.Now,
        };
        await threading.AddAsync(thread, message, [attachment]);

        var loaded = await messages.GetAsync(f.OrgA, inbox.Id, message.Id);
        loaded!.Labels = ["important"];
        loaded.UpdatedAt = f.Now.AddSeconds(1);
        await messages.UpdateLabelsAsync(loaded);

        Assert.Equal(message.Headers, loaded.Headers);
        Assert.Equal(["important"], (await messages.GetAsync(f.OrgA, inbox.Id, message.Id))!.Labels);
        Assert.Null(await messages.GetAsync(f.OrgB, inbox.Id, message.Id));
        Assert.Equal("a.pdf", Assert.Single(await messages.ListAttachmentsAsync(message.Id)).FileName);
        Assert.NotNull(await messages.GetAttachmentAsync(f.OrgA, message.Id, attachment.Id));
        Assert.Null(await messages.GetAttachmentAsync(f.OrgB, message.Id, attachment.Id));
        Assert.Equal(thread.Id, await messages.FindThreadByRfcIdsAsync(inbox.Id, ["zzz", "m@x"]));

        var deletion = new MailDeletionRepository(f.Db);
        Assert.Null(await deletion.DeleteThreadAsync(f.OrgB, inbox.Id, thread.Id));
        var blobs = await deletion.DeleteThreadAsync(f.OrgA, inbox.Id, thread.Id);
        Assert.Equal(["blob/1"], blobs);
        Assert.Null(await messages.GetAsync(f.OrgA, inbox.Id, message.Id));
        Assert.Null(await deletion.DeleteThreadAsync(f.OrgA, inbox.Id, thread.Id));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_event_fans_out_to_matching_webhooks_and_deliveries_are_leased_once(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var webhooks = new WebhookRepository(f.Db);
        var events = new EventRepository(f.Db);
        var deliveries = new WebhookDeliveryRepository(f.Db, webhooks);
        var inbox = await InboxAsync(f, f.OrgA, "events");
        Webhook Hook(string orgId, List<string> types, List<string> inboxes) => new()
        {
            Id = Ids.New(Ids.Webhook), OrgId = orgId, Url = "https://x.example/", EventTypes = types, InboxIds = inboxes,
            SecretSealed = "v1.x", CreatedAt = f.Now, UpdatedAt = f.Now,
        };
        var all = Hook(f.OrgA, [EventTypes.MessageReceived], []);
        var thisInbox = Hook(f.OrgA, [EventTypes.MessageReceived], [inbox.Id]);
        var otherInbox = Hook(f.OrgA, [EventTypes.MessageReceived], ["inb_other"]);
        var otherType = Hook(f.OrgA, [EventTypes.MessageSent], []);
        var otherOrg = Hook(f.OrgB, [EventTypes.MessageReceived], []);
        foreach (var hook in new[] { all, thisInbox, otherInbox, otherType, otherOrg }) await webhooks.CreateAsync(hook);

        var outbox = new EventOutbox(events, new FixedPayload(), new WebhookFanOut(webhooks, deliveries, TimeProvider.System), TimeProvider.System);
        await f.Db.InTransactionAsync(async () =>
        {
            await new EventPublisher([outbox]).PublishAsync(new ReceivedInTest(f.OrgA, inbox.Id));
            return true;
        });
        var published = Assert.Single(await EventsOfAsync(events, f.OrgA, 1));
        Assert.Equal(FixedPayload.Json, published.PayloadJson);

        var first = await deliveries.ClaimDueAsync("node-1", f.Now.AddMinutes(1), f.Now.AddMinutes(3), 10);
        var second = await deliveries.ClaimDueAsync("node-2", f.Now.AddMinutes(1), f.Now.AddMinutes(3), 10);
        Assert.Equal(new[] { all.Id, thisInbox.Id }.Order(), first.Select(d => d.Webhook.Id).Order());
        Assert.Empty(second);
        Assert.All(first, d => Assert.Equal(published.PayloadJson, d.PayloadJson));

        var delivery = first[0].Delivery;
        delivery.Attempts = 1;
        delivery.Status = WebhookDeliveryStatus.Delivered;
        delivery.DeliveredAt = f.Now;
        await deliveries.RecordAttemptAsync(delivery, new WebhookAttempt(Ids.New("wha"), delivery.Id, f.Now, 200, 12, null));
        Assert.Equal(200, Assert.Single(await deliveries.ListAttemptsAsync(delivery.Id)).StatusCode);
        Assert.Equal(WebhookDeliveryStatus.Delivered, (await deliveries.GetAsync(f.OrgA, delivery.WebhookId, delivery.Id))!.Status);
        Assert.Null(await deliveries.GetAsync(f.OrgB, delivery.WebhookId, delivery.Id));

        // A lease that runs out makes the other delivery claimable again.
        var afterLease = await deliveries.ClaimDueAsync("node-2", f.Now.AddMinutes(4), f.Now.AddMinutes(6), 10);
        Assert.Equal(first[1].Delivery.Id, Assert.Single(afterLease).Delivery.Id);

        var stream = await EventsOfAsync(events, f.OrgA, 1);
        Assert.Equal(published.Id, Assert.Single(stream).Id);
        Assert.Empty(await events.ListAfterAsync(f.OrgB, default, 10));
        Assert.Equal(stream[0].Position, await events.PositionOfAsync(f.OrgA, published.Id));
        Assert.Null(await events.PositionOfAsync(f.OrgB, published.Id));
    }

    /// <summary>
    /// The organization's events once <paramref name="count"/> are readable: on PostgreSQL the stream shows an event only
    /// when every older transaction on the server has ended, and other tests' transactions may still be open.
    /// </summary>
    private static async Task<IReadOnlyList<MailEvent>> EventsOfAsync(IEventRepository events, string orgId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var read = await events.ListAfterAsync(orgId, default, 10);
            if (read.Count >= count || DateTime.UtcNow > deadline) return read;
            await Task.Delay(20);
        }
    }

    private sealed record ReceivedInTest(string OrgId, string InboxId) : DomainEvent(OrgId, InboxId)
    {
        public override string Type => EventTypes.MessageReceived;
    }

    private sealed class FixedPayload : IEventPayloadWriter
    {
        public const string Json = """{"message_id":"msg_1"}""";
        public string Write(DomainEvent domainEvent, string eventId, DateTimeOffset createdAt) => Json;
    }
}
