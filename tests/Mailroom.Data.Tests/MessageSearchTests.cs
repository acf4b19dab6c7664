using System.Text.RegularExpressions;
using Dapper;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Threads;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mailroom.Data.Tests;

/// <summary>
/// <see cref="IMessageRepository.SearchAsync"/> on both databases: each criterion and their conjunction against a
/// brute-force filter over the same messages, keyset paging (also while mail arrives), the organization's bounds, and
/// the index rows following label changes, deletes and migration 0016's backfill. Each one with the mail still queued
/// for the search indexer (migration 0020), partly or wholly indexed: a message is found the same before and after.
/// </summary>
public sealed class MessageSearchTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    /// <summary>Each provider with the mail left queued, half of it indexed, or all of it.</summary>
    public static TheoryData<string, string> ProvidersAndIndexing()
    {
        var data = new TheoryData<string, string>();
        foreach (var provider in Providers().Cast<object[]>().Select(row => (string)row[0]))
            foreach (var indexing in new[] { Queued, Half, Indexed })
                data.Add(provider, indexing);
        return data;
    }

    private const string Queued = "queued";
    private const string Half = "half-indexed";
    private const string Indexed = "indexed";

    /// <summary>Runs the search indexer over what <paramref name="indexing"/> says; how many messages it indexed.</summary>
    private static async Task<int> IndexAsync(MailroomDatabase db, string indexing)
    {
        var indexer = new MessageRepository(db);
        if (indexing == Queued) return 0;
        if (indexing == Half)
        {
            await using var connection = await db.OpenAsync();
            var queued = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM message_index_queue");
            return await indexer.IndexQueuedAsync((int)Math.Max(1, queued / 2));
        }
        var total = 0;
        for (int n; (n = await indexer.IndexQueuedAsync(7)) > 0;) total += n;
        return total;
    }

    [Theory, MemberData(nameof(ProvidersAndIndexing))]
    public async Task Every_criterion_narrows_the_organizations_messages_newest_first(string provider, string indexing)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var repository = new MessageRepository(f.Db);
        var (one, two, foreign) = (await InboxAsync(f, f.OrgA, "one"), await InboxAsync(f, f.OrgA, "two"), await InboxAsync(f, f.OrgB, "three"));

        var invoice = await StoreAsync(f, one, "Alice <Alice@Vendor.example>", ["one@mailroom.local"], "Invoice 100% due", "Pay by Friday", ["billing", "urgent"], f.Now);
        var lunch = await StoreAsync(f, two, "bob@friends.example", ["two@mailroom.local"], "Lunch", "Noon at the usual_place?", ["social"], f.Now.AddMinutes(1),
            cc: ["Carol <carol@friends.example>"]);
        var late = await StoreAsync(f, one, "alice@vendor.example", ["one@mailroom.local"], "Reminder", "The invoice is late", ["billing"], f.Now.AddMinutes(2));
        await StoreAsync(f, foreign, "alice@vendor.example", ["three@mailroom.local"], "Invoice", "Pay", ["billing"], f.Now);
        await IndexAsync(f.Db, indexing);

        async Task<List<string>> Find(MessageSearch search) => (await repository.SearchAsync(f.OrgA, search, null, 50)).Items.Select(m => m.Id).ToList();
        Assert.Equal([late.Id, lunch.Id, invoice.Id], await Find(new MessageSearch()));
        Assert.Equal([late.Id, invoice.Id], await Find(new MessageSearch(InboxId: one.Id)));
        Assert.Equal([late.Id, invoice.Id], await Find(new MessageSearch(From: "ALICE@vendor.EXAMPLE")));
        Assert.Equal([late.Id, invoice.Id], await Find(new MessageSearch(From: "A. <alice@vendor.example>")));
        Assert.Empty(await Find(new MessageSearch(From: "alice@")));
        Assert.Equal([lunch.Id], await Find(new MessageSearch(Recipient: "two@mailroom.local")));
        Assert.Equal([lunch.Id], await Find(new MessageSearch(Recipient: "carol@friends.example")));
        Assert.Equal([invoice.Id], await Find(new MessageSearch(Subject: "100%")));
        Assert.Equal([invoice.Id], await Find(new MessageSearch(Subject: "INVOI")));
        Assert.Empty(await Find(new MessageSearch(Subject: "1000%")));
        Assert.Empty(await Find(new MessageSearch(Subject: "friday")));
        Assert.Equal([invoice.Id], await Find(new MessageSearch(Text: "friday invoice")));
        Assert.Equal([lunch.Id], await Find(new MessageSearch(Text: "usual_place")));
        Assert.Empty(await Find(new MessageSearch(Text: "usualXplace")));
        Assert.Empty(await Find(new MessageSearch(Text: "voice")));
        Assert.Equal([late.Id, invoice.Id], await Find(new MessageSearch(Text: "invoice")));
        Assert.Equal([invoice.Id], await Find(new MessageSearch(Labels: ["urgent", "billing"])));
        Assert.Empty(await Find(new MessageSearch(Labels: ["bill"])));
        Assert.Empty(await Find(new MessageSearch(Labels: ["Billing"])));
        Assert.Equal([lunch.Id, invoice.Id], await Find(new MessageSearch(Before: f.Now.AddMinutes(2))));
        Assert.Equal([late.Id, lunch.Id], await Find(new MessageSearch(After: f.Now.AddMinutes(1))));
        Assert.Equal([late.Id], await Find(new MessageSearch(InboxId: one.Id, From: "alice@vendor.example", Labels: ["billing"], After: f.Now.AddSeconds(1))));
        // Another organization's inbox is no inbox of this one.
        Assert.Empty(await Find(new MessageSearch(InboxId: foreign.Id)));
        Assert.Empty(await Find(new MessageSearch(InboxId: foreign.Id, From: "alice@vendor.example")));
        Assert.Empty(await Find(new MessageSearch(InboxId: foreign.Id, Text: "pay")));

        var first = await repository.SearchAsync(f.OrgA, new MessageSearch(), null, 1);
        Assert.Equal([late.Id], first.Items.Select(m => m.Id));
        Assert.Equal(new MessagePosition(late.Timestamp, late.Id), first.Next);
        var second = await repository.SearchAsync(f.OrgA, new MessageSearch(), first.Next, 2);
        Assert.Equal([lunch.Id, invoice.Id], second.Items.Select(m => m.Id));
        Assert.Null(second.Next);
    }

    /// <summary>The same random mail searched every way, compared with a filter over the messages kept in memory.</summary>
    [Theory, MemberData(nameof(ProvidersAndIndexing))]
    public async Task Results_and_every_page_equal_a_brute_force_filter(string provider, string indexing)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var stored = new List<Message>();
        var repository = new MessageRepository(f.Db);
        var inboxes = new[] { await InboxAsync(f, f.OrgA, "north"), await InboxAsync(f, f.OrgA, "south"), await InboxAsync(f, f.OrgB, "elsewhere") };
        var random = new Random(16);
        for (var i = 0; i < 160; i++)
        {
            // Whole seconds over a short span: many messages share a timestamp, so the id must break the tie.
            var at = f.Now.AddSeconds(random.Next(40));
            var to = Enumerable.Range(0, random.Next(1, 3)).Select(_ => Pick(random, Recipients)).ToList();
            var cc = random.Next(3) == 0 ? new List<string> { Pick(random, Recipients) } : [];
            stored.Add(await StoreAsync(f, inboxes[random.Next(inboxes.Length)], Pick(random, Senders), to, Sentence(random, 3), Sentence(random, 8),
                Enumerable.Range(0, random.Next(3)).Select(_ => Pick(random, LabelPool)).Distinct().ToArray(), at, cc));
        }
        Assert.Equal(indexing == Queued ? 0 : indexing == Half ? 80 : 160, await IndexAsync(f.Db, indexing));

        var searches = new List<MessageSearch> { new() };
        foreach (var inbox in new string?[] { null, inboxes[0].Id })
        {
            searches.Add(new MessageSearch(inbox, From: "MIA@north.example"));
            searches.Add(new MessageSearch(inbox, From: "ops@south.example"));
            searches.Add(new MessageSearch(inbox, Recipient: "desk@mailroom.local"));
            searches.Add(new MessageSearch(inbox, Recipient: "Team <team@mailroom.local>"));
            searches.Add(new MessageSearch(inbox, Labels: ["billing"]));
            searches.Add(new MessageSearch(inbox, Labels: ["billing", "urgent"]));
            searches.Add(new MessageSearch(inbox, Subject: "har"));
            searches.Add(new MessageSearch(inbox, Subject: "harbor ROPE"));
            searches.Add(new MessageSearch(inbox, Text: "lantern"));
            searches.Add(new MessageSearch(inbox, Text: "lan, mo!"));
            searches.Add(new MessageSearch(inbox, Subject: "tide", Text: "anchor"));
            searches.Add(new MessageSearch(inbox, From: "mia@north.example", Labels: ["urgent"]));
            searches.Add(new MessageSearch(inbox, From: "mia@north.example", Recipient: "desk@mailroom.local", Text: "moss"));
            searches.Add(new MessageSearch(inbox, Recipient: "team@mailroom.local", Labels: ["social"], Subject: "s"));
            searches.Add(new MessageSearch(inbox, After: f.Now.AddSeconds(10), Before: f.Now.AddSeconds(30)));
            searches.Add(new MessageSearch(inbox, From: "ops@south.example", After: f.Now.AddSeconds(20)));
            searches.Add(new MessageSearch(inbox, Text: "tide", Before: f.Now.AddSeconds(25)));
            searches.Add(new MessageSearch(inbox, Labels: ["urgent"], Text: "rope", After: f.Now.AddSeconds(5), Before: f.Now.AddSeconds(35)));
        }

        // On SQLite words drive when they match few messages and filter a walk of another index otherwise: both ways here.
        foreach (var (searcher, search) in new[] { repository, new MessageRepository(f.Db, fewTextMatches: 0) }.SelectMany(r => searches.Select(s => (r, s))))
        {
            var expected = stored.Where(m => Matches(m, f.OrgA, search)).OrderByDescending(m => m.Timestamp).ThenByDescending(m => m.Id, StringComparer.Ordinal)
                .Select(m => m.Id).ToList();
            Assert.True(expected.Count > 0 || search.InboxId is not null, $"{search} finds nothing: the test data should hold some");
            Assert.Equal(expected, (await searcher.SearchAsync(f.OrgA, search, null, 500)).Items.Select(m => m.Id).ToList());
            var walked = new List<string>();
            MessagePosition? position = null;
            do
            {
                var page = await searcher.SearchAsync(f.OrgA, search, position, 7);
                Assert.InRange(page.Items.Count, page.Next is null ? 0 : 7, 7);
                walked.AddRange(page.Items.Select(m => m.Id));
                position = page.Next;
            } while (position is not null);
            Assert.Equal(expected, walked);
        }
    }

    /// <summary>The mail arriving between pages stays queued: pages mix indexed and queued messages.</summary>
    [Theory, MemberData(nameof(ProvidersAndIndexing))]
    public async Task Paging_returns_each_match_once_while_mail_arrives_between_pages(string provider, string indexing)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var repository = new MessageRepository(f.Db);
        var inbox = await InboxAsync(f, f.OrgA, "busy");
        var before = new List<Message>();
        for (var i = 0; i < 25; i++)
            before.Add(await StoreAsync(f, inbox, "mia@north.example", ["desk@mailroom.local"], "Harbor " + i, "tide", [], f.Now.AddSeconds(i / 3)));
        await IndexAsync(f.Db, indexing);

        var searches = new[]
        {
            new MessageSearch(inbox.Id), new MessageSearch(From: "mia@north.example"), new MessageSearch(inbox.Id, Text: "harbor tide"),
            new MessageSearch(inbox.Id, Recipient: "desk@mailroom.local", Text: "tide"),
        };
        foreach (var (searcher, search) in new[] { repository, new MessageRepository(f.Db, fewTextMatches: 0) }.SelectMany(r => searches.Select(s => (r, s))))
        {
            var seen = new List<string>();
            MessagePosition? position = null;
            var pages = 0;
            do
            {
                var page = await searcher.SearchAsync(f.OrgA, search, position, 4);
                seen.AddRange(page.Items.Select(m => m.Id));
                position = page.Next;
                // Newer mail, and mail at the very time of the page's end (its id is greater, so it too sorts before the position).
                await StoreAsync(f, inbox, "mia@north.example", ["desk@mailroom.local"], "Harbor late", "tide", [], f.Now.AddMinutes(5 + pages++));
                if (position is { } end) await StoreAsync(f, inbox, "mia@north.example", ["desk@mailroom.local"], "Harbor tie", "tide", [], end.Timestamp);
            } while (position is not null);
            Assert.Equal(seen.Count, seen.Distinct().Count());
            Assert.Equal(before.OrderByDescending(m => m.Timestamp).ThenByDescending(m => m.Id, StringComparer.Ordinal).Select(m => m.Id),
                seen.Where(id => before.Any(m => m.Id == id)));
        }
    }

    /// <summary>Labels changed and mail deleted while queued, half-indexed or indexed; the index rows once everything is indexed.</summary>
    [Theory, MemberData(nameof(ProvidersAndIndexing))]
    public async Task Index_rows_follow_label_changes_and_deletes(string provider, string indexing)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var repository = new MessageRepository(f.Db);
        var deletion = new MailDeletion(new MailDeletionRepository(f.Db), new InboxRepository(f.Db), f.Db, new NoBlobs(), NullLogger<MailDeletion>.Instance);
        var (kept, purged, retired) = (await InboxAsync(f, f.OrgA, "kept"), await InboxAsync(f, f.OrgA, "purged"), await InboxAsync(f, f.OrgA, "retired"));
        var relabeled = await StoreAsync(f, kept, "mia@north.example", ["desk@mailroom.local"], "Harbor", "lantern", ["billing"], f.Now);
        var threadGone = await StoreAsync(f, kept, "mia@north.example", ["desk@mailroom.local"], "Harbor", "lantern", ["billing"], f.Now.AddSeconds(1));
        var inboxGone = await StoreAsync(f, purged, "mia@north.example", ["desk@mailroom.local"], "Harbor", "lantern", ["billing"], f.Now.AddSeconds(2));
        var orphaned = await StoreAsync(f, retired, "mia@north.example", ["desk@mailroom.local"], "Harbor", "lantern", ["billing"], f.Now.AddSeconds(3));
        async Task<List<string>> Find(MessageSearch search) => (await repository.SearchAsync(f.OrgA, search, null, 50)).Items.Select(m => m.Id).ToList();
        await IndexAsync(f.Db, indexing);

        relabeled.Labels.Clear();
        relabeled.Labels.AddRange(["urgent", "social"]);
        await repository.UpdateLabelsAsync(relabeled);
        Assert.DoesNotContain(relabeled.Id, await Find(new MessageSearch(Labels: ["billing"])));
        Assert.Equal([relabeled.Id], await Find(new MessageSearch(Labels: ["social", "urgent"])));
        Assert.Equal([relabeled.Id], await Find(new MessageSearch(kept.Id, Labels: ["urgent"], Text: "lantern")));

        await deletion.DeleteThreadAsync(f.OrgA, kept.Id, threadGone.ThreadId);
        await deletion.DeleteInboxAsync(f.OrgA, purged.Id);
        await deletion.DeleteInboxKeepingMailAsync(f.OrgA, retired.Id);

        foreach (var search in new[]
                 {
                     new MessageSearch(), new MessageSearch(From: "mia@north.example"), new MessageSearch(Recipient: "desk@mailroom.local"),
                     new MessageSearch(Text: "lantern"), new MessageSearch(Subject: "harbor"),
                 })
            Assert.Equal([orphaned.Id, relabeled.Id], await Find(search));
        Assert.Equal([orphaned.Id], await Find(new MessageSearch(Labels: ["billing"])));
        Assert.Empty(await Find(new MessageSearch(retired.Id)));
        Assert.Empty(await Find(new MessageSearch(retired.Id, From: "mia@north.example")));

        // Whatever was still queued is indexed with what the messages hold now, and searches find the same.
        await IndexAsync(f.Db, Indexed);
        Assert.Equal([orphaned.Id], await Find(new MessageSearch(Labels: ["billing"])));
        Assert.Equal([relabeled.Id], await Find(new MessageSearch(Labels: ["social", "urgent"])));
        Assert.Equal([orphaned.Id, relabeled.Id], await Find(new MessageSearch(Text: "lantern")));
        Assert.Empty(await Find(new MessageSearch(retired.Id, From: "mia@north.example")));

        await using var connection = await f.Db.OpenAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM message_terms WHERE message_id IN (@threadGone, @inboxGone)", new { threadGone = threadGone.Id, inboxGone = inboxGone.Id }));
        // A message whose inbox went with its mail kept stays searchable across the organization, in no inbox.
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM message_terms WHERE inbox_id IS NOT NULL AND message_id = @Id", orphaned));
        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT message_id) FROM message_terms"));
        Assert.Equal(7L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM message_terms"));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM message_index_queue"));
        if (provider == "sqlite")
        {
            Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM message_text WHERE message_text MATCH 'lantern'"));
            // The full-text index agrees with its content (an external-content table told a wrong delete would not).
            await connection.ExecuteAsync("INSERT INTO message_text(message_text, rank) VALUES ('integrity-check', 1)");
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Migration_0016_indexes_the_mail_stored_before_it(string provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await using var db = test.Open();
        var migrator = new Migrator(db, TimeProvider.System);
        await migrator.MigrateAsync(15);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var orgId = Ids.New(Ids.Organization);
        await new OrganizationRepository(db).CreateAsync(new Core.Organizations.Organization
            { Id = orgId, Name = "o", InboxLimit = 5, DomainLimit = 2, CreatedAt = now, UpdatedAt = now });
        var inbox = new Inbox { Id = Ids.New(Ids.Inbox), OrgId = orgId, Username = "old", Domain = "mailroom.local", CreatedAt = now, UpdatedAt = now };
        await new InboxRepository(db).CreateAsync(inbox);
        var threadId = Ids.New(Ids.Thread);
        await new ThreadRepository(db).CreateAsync(new MailThread
        {
            Id = threadId, OrgId = orgId, InboxId = inbox.Id, InboxAddress = inbox.EmailAddress, LastActivityAt = now, CreatedAt = now, UpdatedAt = now,
        });
        var rows = new[]
        {
            (Id: Ids.New(Ids.Message), From: "Mia <MIA@North.example>", To: "[\"Desk <desk@mailroom.local>\",\"team@mailroom.local\"]", Cc: (string?)"[\"boss@x.example\"]",
                Subject: "Harbor rope", Text: "Lantern, tide.", Labels: "[\"billing\",\"urgent\"]", At: now),
            (Id: Ids.New(Ids.Message), From: "ops@south.example", To: "[\"desk@mailroom.local\"]", Cc: null, Subject: "Moss", Text: "anchor", Labels: "[]",
                At: now.AddSeconds(1)),
        };
        await using (var connection = await db.OpenAsync())
            foreach (var row in rows)
                await connection.ExecuteAsync(
                    "INSERT INTO messages (id, org_id, inbox_id, thread_id, direction, status, from_address, to_json, cc_json, subject, text_body, " +
                    "headers_json, labels_json, size, timestamp, created_at, updated_at) VALUES (@Id, @orgId, @inboxId, @threadId, 'inbound', 'received', " +
                    "@From, @To, @Cc, @Subject, @Text, '[]', @Labels, 1, @ms, @ms, @ms)",
                    new { row.Id, orgId, inboxId = inbox.Id, threadId, row.From, row.To, row.Cc, row.Subject, row.Text, row.Labels, ms = row.At.ToUnixTimeMilliseconds() });

        // 0016 backfills; the later migrations come with it, since today's repository reads their columns.
        Assert.Equal(16, (await migrator.MigrateAsync()).First());

        var repository = new MessageRepository(db);
        async Task<List<string>> Find(MessageSearch search) => (await repository.SearchAsync(orgId, search, null, 10)).Items.Select(m => m.Id).ToList();
        var (harbor, moss) = (rows[0].Id, rows[1].Id);
        Assert.Equal([moss, harbor], await Find(new MessageSearch(inbox.Id, Recipient: "desk@mailroom.local")));
        Assert.Equal([harbor], await Find(new MessageSearch(From: "mia@north.example")));
        Assert.Equal([harbor], await Find(new MessageSearch(inbox.Id, Recipient: "TEAM@mailroom.local")));
        Assert.Equal([harbor], await Find(new MessageSearch(Recipient: "boss@x.example")));
        Assert.Equal([harbor], await Find(new MessageSearch(inbox.Id, Labels: ["urgent", "billing"])));
        Assert.Equal([harbor], await Find(new MessageSearch(Text: "lant tide")));
        Assert.Equal([moss], await Find(new MessageSearch(inbox.Id, Subject: "moss", Text: "anchor")));
        // And mail stored after it is found as it arrives (queued), and once indexed.
        var later = await StoreAsync(db, inbox, "mia@north.example", ["desk@mailroom.local"], "Harbor", "lantern", [], now.AddSeconds(2));
        Assert.Equal([later.Id, harbor], await Find(new MessageSearch(From: "mia@north.example", Text: "lantern")));
        Assert.Equal(1, await IndexAsync(db, Indexed));
        Assert.Equal([later.Id, harbor], await Find(new MessageSearch(From: "mia@north.example", Text: "lantern")));
    }

    /// <summary>
    /// The indexer, stopped after a batch and started again in another process, indexes each message once: the rows it
    /// writes are those of the messages as they are when it indexes them, and a second run finds nothing to do.
    /// </summary>
    [Theory, MemberData(nameof(Providers))]
    public async Task The_indexer_resumes_after_a_restart_and_indexes_each_message_once(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var inbox = await InboxAsync(f, f.OrgA, "restart");
        var stored = new List<Message>();
        for (var i = 0; i < 30; i++)
            stored.Add(await StoreAsync(f, inbox, "mia@north.example", ["desk@mailroom.local", "team@mailroom.local"], "Harbor " + i, "lantern", ["billing"],
                f.Now.AddSeconds(i)));
        Assert.Equal(10, await new MessageRepository(f.Db).IndexQueuedAsync(10));

        await using var restarted = f.OpenAnother();
        var indexer = new MessageRepository(restarted);
        Assert.True(await indexer.AnyQueuedAsync());
        Assert.Equal(20, await IndexAsync(restarted, Indexed));
        Assert.False(await indexer.AnyQueuedAsync());
        Assert.Equal(0, await indexer.IndexQueuedAsync(100));

        await using var connection = await f.Db.OpenAsync();
        // Four rows each (a sender, two recipients, a label), each once (the primary key would refuse a second).
        Assert.Equal(120L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM message_terms"));
        if (provider == "sqlite")
            Assert.Equal(30L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM message_text WHERE message_text MATCH 'lantern'"));
        Assert.Equal(stored.OrderByDescending(m => m.Timestamp).Select(m => m.Id),
            (await indexer.SearchAsync(f.OrgA, new MessageSearch(From: "mia@north.example", Text: "lantern"), null, 50)).Items.Select(m => m.Id));
    }

    /// <summary>
    /// Two servers' indexers on one PostgreSQL database, while labels change: each message is indexed by one of them,
    /// once, with the labels it holds in the end.
    /// </summary>
    [Fact]
    public async Task Two_indexers_on_PostgreSQL_index_each_message_once()
    {
        if (!TestDatabase.PostgresAvailable) return;
        await using var f = await MigratedDatabase.CreateAsync("postgres");
        var inbox = await InboxAsync(f, f.OrgA, "shared");
        var stored = new List<Message>();
        for (var i = 0; i < 200; i++)
            stored.Add(await StoreAsync(f, inbox, "mia@north.example", ["desk@mailroom.local"], "Harbor " + i, "lantern", ["billing"], f.Now.AddMilliseconds(i)));

        await using var other = f.OpenAnother();
        var repository = new MessageRepository(f.Db);
        async Task<int> Drain(MessageRepository indexer)
        {
            var total = 0;
            for (int n; (n = await indexer.IndexQueuedAsync(9)) > 0;) total += n;
            return total;
        }
        async Task<int> Relabel()
        {
            foreach (var m in stored.Where((_, i) => i % 3 == 0))
            {
                m.Labels.Clear();
                m.Labels.Add("urgent");
                await repository.UpdateLabelsAsync(m);
            }
            return 0;
        }
        var counts = await Task.WhenAll(Drain(repository), Drain(new MessageRepository(other)), Relabel());
        // A batch may have skipped rows held by the relabeling: what is left is indexed now.
        var rest = await Drain(repository);
        Assert.Equal(200, counts.Sum() + rest);

        await using var connection = await f.Db.OpenAsync();
        Assert.Equal(400L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM message_terms WHERE field <> 'label'"));
        Assert.Equal(67L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM message_terms WHERE field = 'label' AND term = 'urgent'"));
        Assert.Equal(133L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM message_terms WHERE field = 'label' AND term = 'billing'"));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM message_index_queue"));
    }

    private static readonly string[] Senders = ["Mia <mia@north.example>", "mia@North.example", "ops@south.example", "\"Ops\" <OPS@south.example>", "zed@else.example"];
    private static readonly string[] Recipients = ["desk@mailroom.local", "Team <team@mailroom.local>", "TEAM@mailroom.local", "other@mailroom.local"];
    private static readonly string[] LabelPool = ["billing", "urgent", "social", "Urgent"];
    private static readonly string[] WordPool = ["harbor", "harvest", "rope", "tide", "anchor", "lantern", "moss", "sail", "storm", "LANTERNS", "Tide-pool", "x-ray"];

    private static string Pick(Random random, string[] pool) => pool[random.Next(pool.Length)];
    private static string Sentence(Random random, int words) => string.Join(Pick(random, [" ", ", ", " - ", "; "]), Enumerable.Range(0, words).Select(_ => Pick(random, WordPool)));

    /// <summary>The search's meaning, written out independently: whole bare addresses and exact labels; words as prefixes of words.</summary>
    private static bool Matches(Message m, string orgId, MessageSearch s)
    {
        static string Bare(string address) => (Regex.Match(address, "<([^>]*)>") is { Success: true } match ? match.Groups[1].Value : address).Trim().ToLowerInvariant();
        static List<string> WordsOf(string? text) => Regex.Matches((text ?? "").ToLowerInvariant(), @"[\p{L}\p{N}]+").Select(w => w.Value).ToList();
        static bool AllBegin(string? query, IEnumerable<string?> fields) =>
            query is null || WordsOf(query).All(q => fields.SelectMany(WordsOf).Any(w => w.StartsWith(q, StringComparison.Ordinal)));
        return m.OrgId == orgId
               && (s.InboxId is null || m.InboxId == s.InboxId)
               && (s.From is null || Bare(m.From!) == Bare(s.From))
               && (s.Recipient is null || m.To.Concat(m.Cc).Any(r => Bare(r) == Bare(s.Recipient)))
               && (s.Labels ?? []).All(m.Labels.Contains)
               && AllBegin(s.Subject, [m.Subject])
               && AllBegin(s.Text, [m.Subject, m.Text])
               && (s.After is null || m.Timestamp >= s.After)
               && (s.Before is null || m.Timestamp < s.Before);
    }

    private static async Task<Inbox> InboxAsync(MigratedDatabase f, string orgId, string username)
    {
        var inbox = new Inbox { Id = Ids.New(Ids.Inbox), OrgId = orgId, Username = username, Domain = "mailroom.local", CreatedAt = f.Now, UpdatedAt = f.Now };
        await new InboxRepository(f.Db).CreateAsync(inbox);
        return inbox;
    }

    private static Task<Message> StoreAsync(MigratedDatabase f, Inbox inbox, string from, List<string> to, string subject, string text, string[] labels,
        DateTimeOffset at, List<string>? cc = null) => StoreAsync(f.Db, inbox, from, to, subject, text, labels, at, cc);

    /// <summary>A message in a thread of its own, stored as reception stores one.</summary>
    private static async Task<Message> StoreAsync(MailroomDatabase db, Inbox inbox, string from, List<string> to, string subject, string text, string[] labels,
        DateTimeOffset at, List<string>? cc = null)
    {
        var threading = new Threading(new ThreadRepository(db), new MessageRepository(db), TimeProvider.System);
        var message = new Message
        {
            Id = Ids.New(Ids.Message), OrgId = inbox.OrgId, InboxId = inbox.Id, ThreadId = "", Direction = MessageDirection.Inbound,
            RfcMessageId = Guid.NewGuid().ToString("N") + "@x", From = from, To = to, Cc = cc ?? [], Subject = subject, Text = text, Labels = [.. labels],
            Size = 10, Timestamp = at, CreatedAt = at, UpdatedAt = at,
        };
        await db.InTransactionAsync(async () =>
        {
            await threading.AddAsync(await threading.ThreadForAsync(inbox, null, [], subject + " " + message.Id), message, []);
            return true;
        });
        return message;
    }

    private sealed class NoBlobs : IBlobStore
    {
        public Task<string> PutAsync(string keyPrefix, Stream content, bool sync, CancellationToken ct = default) => throw new NotSupportedException();
        public Task SyncAsync(CancellationToken ct = default) => Task.CompletedTask;
        public Task<Stream> OpenAsync(string key, CancellationToken ct = default) => throw new NotSupportedException();
        public Task DeleteAsync(string key, CancellationToken ct = default) => Task.CompletedTask;
    }
}
