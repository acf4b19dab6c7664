using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Threads;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

/// <summary><see cref="IMessageRepository.SearchAsync"/> on both databases: each criterion, their conjunction, paging and the organization's bounds.</summary>
public sealed class MessageSearchTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private static async Task<Message> StoreAsync(MigratedDatabase f, Inbox inbox, string from, string to, string subject, string text, string[] labels,
        DateTimeOffset at)
    {
        var threading = new Threading(new ThreadRepository(f.Db), new MessageRepository(f.Db), TimeProvider.System);
        var message = new Message
        {
            Id = Ids.New(Ids.Message), OrgId = inbox.OrgId, InboxId = inbox.Id, ThreadId = "", Direction = MessageDirection.Inbound,
            RfcMessageId = Guid.NewGuid().ToString("N") + "@x", From = from, To = [to], Subject = subject, Text = text, Labels = [.. labels],
            Size = 10, Timestamp = at, CreatedAt = at, UpdatedAt = at,
        };
        await threading.AddAsync(await threading.ThreadForAsync(inbox, null, [], subject), message, []);
        return message;
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Every_criterion_narrows_the_organizations_messages_newest_first(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var repository = new MessageRepository(f.Db);
        var inboxes = new InboxRepository(f.Db);
        Inbox NewInbox(string orgId, string name) =>
            new() { Id = Ids.New(Ids.Inbox), OrgId = orgId, Username = name, Domain = "mailroom.local", CreatedAt = f.Now, UpdatedAt = f.Now };
        var (one, two, foreign) = (NewInbox(f.OrgA, "one"), NewInbox(f.OrgA, "two"), NewInbox(f.OrgB, "three"));
        foreach (var inbox in new[] { one, two, foreign }) await inboxes.CreateAsync(inbox);

        var invoice = await StoreAsync(f, one, "Alice <alice@vendor.example>", "one@mailroom.local", "Invoice 100% due", "Pay by Friday", ["billing", "urgent"], f.Now);
        var lunch = await StoreAsync(f, two, "bob@friends.example", "two@mailroom.local", "Lunch", "Noon at the usual_place?", ["social"], f.Now.AddMinutes(1));
        var late = await StoreAsync(f, one, "alice@vendor.example", "one@mailroom.local", "Reminder", "The invoice is late", ["billing"], f.Now.AddMinutes(2));
        await StoreAsync(f, foreign, "alice@vendor.example", "three@mailroom.local", "Invoice", "Pay", ["billing"], f.Now);

        async Task<List<string>> Find(MessageSearch search) => (await repository.SearchAsync(f.OrgA, search, new PageRequest(0, 50))).Items.Select(m => m.Id).ToList();
        Assert.Equal([late.Id, lunch.Id, invoice.Id], await Find(new MessageSearch()));
        Assert.Equal([late.Id, invoice.Id], await Find(new MessageSearch(InboxId: one.Id)));
        Assert.Equal([late.Id, invoice.Id], await Find(new MessageSearch(From: "ALICE@")));
        Assert.Equal([lunch.Id], await Find(new MessageSearch(Recipient: "two@")));
        Assert.Equal([invoice.Id], await Find(new MessageSearch(Subject: "100%")));
        Assert.Empty(await Find(new MessageSearch(Subject: "1000%")));
        Assert.Equal([lunch.Id], await Find(new MessageSearch(Text: "usual_place")));
        Assert.Empty(await Find(new MessageSearch(Text: "usualXplace")));
        Assert.Equal([late.Id, invoice.Id], await Find(new MessageSearch(Text: "invoice")));
        Assert.Equal([invoice.Id], await Find(new MessageSearch(Labels: ["urgent", "billing"])));
        Assert.Empty(await Find(new MessageSearch(Labels: ["bill"])));
        Assert.Equal([lunch.Id, invoice.Id], await Find(new MessageSearch(Before: f.Now.AddMinutes(2))));
        Assert.Equal([late.Id, lunch.Id], await Find(new MessageSearch(After: f.Now.AddMinutes(1))));
        Assert.Equal([late.Id], await Find(new MessageSearch(InboxId: one.Id, From: "vendor", Labels: ["billing"], After: f.Now.AddSeconds(1))));
        // Another organization's inbox is no inbox of this one.
        Assert.Empty(await Find(new MessageSearch(InboxId: foreign.Id)));

        var page = await repository.SearchAsync(f.OrgA, new MessageSearch(), new PageRequest(1, 1));
        Assert.Equal(3, page.Total);
        Assert.Equal([lunch.Id], page.Items.Select(m => m.Id));
    }
}
