using Mailroom.Core.Common;
using Mailroom.Core.Events;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

/// <summary>
/// The event stream's resume position: a reader that advances to the last event it was given must never pass an event
/// whose transaction is still committing (sequence numbers are taken at insert, so they commit out of order).
/// </summary>
public sealed class EventOrderTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private static MailEvent Event(string orgId, string name) => new()
    {
        Id = Ids.New(Ids.Event), OrgId = orgId, Type = EventTypes.MessageReceived, PayloadJson = $"{{\"name\":\"{name}\"}}", CreatedAt = DateTimeOffset.UtcNow,
    };

    [Theory, MemberData(nameof(Providers))]
    public async Task An_event_still_committing_is_not_passed_by_a_later_one_that_committed_first(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var events = new EventRepository(f.Db);
        var reader = new List<MailEvent>();
        var cursor = await events.CurrentPositionAsync();
        async Task ReadAsync()
        {
            foreach (var e in await events.ListAfterAsync(f.OrgA, cursor, 100)) { reader.Add(e); cursor = e.Position; }
        }

        var slowInserted = new TaskCompletionSource();
        var slowMayCommit = new TaskCompletionSource();
        var slow = Task.Run(() => f.Db.InTransactionAsync(async () =>
        {
            await events.AppendAsync(Event(f.OrgA, "slow"));
            slowInserted.SetResult();
            await slowMayCommit.Task;
            return true;
        }));
        if (provider == "sqlite")
        {
            // One writer at a time: the quick transaction waits for the slow one, so insert order is commit order.
            await slowInserted.Task;
            slowMayCommit.SetResult();
            await slow;
            await f.Db.InTransactionAsync(async () => { await events.AppendAsync(Event(f.OrgA, "quick")); return true; });
        }
        else
        {
            await slowInserted.Task;
            await f.Db.InTransactionAsync(async () => { await events.AppendAsync(Event(f.OrgA, "quick")); return true; });
            await ReadAsync();
            Assert.Empty(reader); // the quick one committed, but the slow one (older transaction) may still join before it
            slowMayCommit.SetResult();
            await slow;
        }
        // Transactions of other databases on the same server (other tests) hold the snapshot's xmin too: read until both arrive.
        for (var deadline = DateTime.UtcNow.AddSeconds(30); reader.Count < 2 && DateTime.UtcNow < deadline; await Task.Delay(20)) await ReadAsync();
        Assert.Equal(["slow", "quick"], reader.Select(e => e.PayloadJson[9..^2]));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_reader_polling_while_many_writers_commit_at_random_sees_every_event_once(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var events = new EventRepository(f.Db);
        const int writers = 8, perWriter = 40;
        var seen = new List<string>();
        var cursor = await events.CurrentPositionAsync();
        var written = new System.Collections.Concurrent.ConcurrentBag<string>();

        var writing = Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < perWriter; i++)
                await f.Db.InTransactionAsync(async () =>
                {
                    var e = Event(f.OrgA, $"{w}-{i}");
                    await events.AppendAsync(e);
                    // Hold the transaction open a little after the insert, so that sequence order and commit order differ.
                    await Task.Delay(random.Next(0, 8));
                    written.Add(e.Id);
                    return true;
                });
        })));
        while (!writing.IsCompleted)
        {
            foreach (var e in await events.ListAfterAsync(f.OrgA, cursor, 50)) { seen.Add(e.Id); cursor = e.Position; }
            await Task.Delay(1);
        }
        await writing;
        for (var deadline = DateTime.UtcNow.AddSeconds(30); seen.Count < writers * perWriter && DateTime.UtcNow < deadline; await Task.Delay(20))
            foreach (var e in await events.ListAfterAsync(f.OrgA, cursor, 1000)) { seen.Add(e.Id); cursor = e.Position; }

        Assert.Equal(writers * perWriter, seen.Count);
        Assert.Equal(written.Order(), seen.Order());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Reading_in_small_pages_resumes_inside_a_transactions_events_and_after_them(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var events = new EventRepository(f.Db);
        var start = await events.CurrentPositionAsync();
        var written = new List<string>();
        foreach (var size in new[] { 3, 1, 4 })
            await f.Db.InTransactionAsync(async () =>
            {
                for (var i = 0; i < size; i++)
                {
                    var e = Event(f.OrgA, $"{written.Count}");
                    await events.AppendAsync(e);
                    written.Add(e.Id);
                }
                return true;
            });

        var seen = new List<string>();
        var cursor = start;
        for (var deadline = DateTime.UtcNow.AddSeconds(30); seen.Count < written.Count && DateTime.UtcNow < deadline;)
        {
            var page = await events.ListAfterAsync(f.OrgA, cursor, 2);
            if (page.Count == 0) { await Task.Delay(20); continue; } // PostgreSQL: until every older transaction has ended
            foreach (var e in page) { seen.Add(e.Id); cursor = e.Position; }
        }
        Assert.Equal(written, seen);
    }
}
