using Mailroom.Core.Agents;
using Mailroom.Core.Common;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Sms;
using Mailroom.Data.Repositories;
using Mailroom.Tests.Shared;

namespace Mailroom.Data.Tests;

/// <summary>Agents, phone numbers and SMS rows: the database itself keeps one agent per channel, on both databases.</summary>
public sealed class AgentRepositoryTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private static Agent NewAgent(MigratedDatabase f, string orgId, string handle) =>
        new() { Id = Ids.New(Ids.Agent), OrgId = orgId, Handle = handle, CreatedAt = f.Now, UpdatedAt = f.Now };

    private static PhoneNumber NewNumber(MigratedDatabase f, string orgId, string e164) => new()
    {
        Id = Ids.New(Ids.PhoneNumber), OrgId = orgId, Number = e164, Type = PhoneNumberTypes.Local, Carrier = "twilio", CarrierSid = "PN" + e164[1..],
        CreatedAt = f.Now, UpdatedAt = f.Now,
    };

    [Theory, MemberData(nameof(Providers))]
    public async Task The_database_refuses_a_channel_or_handle_to_a_second_agent(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var agents = new AgentRepository(f.Db);
        var inboxes = new InboxRepository(f.Db);
        var numbers = new PhoneNumberRepository(f.Db);
        var inbox = new Inbox { Id = Ids.New(Ids.Inbox), OrgId = f.OrgA, Username = "desk", Domain = "mailroom.local", CreatedAt = f.Now, UpdatedAt = f.Now };
        await inboxes.CreateAsync(inbox);
        var number = NewNumber(f, f.OrgA, "+14155550101");
        Assert.True(await numbers.CreateAsync(number));
        var (a, b) = (NewAgent(f, f.OrgA, "a"), NewAgent(f, f.OrgA, "b"));
        Assert.Equal(AgentClash.None, await agents.CreateAsync(a));
        Assert.Equal(AgentClash.None, await agents.CreateAsync(b));
        Assert.Equal(AgentClash.Handle, await agents.CreateAsync(NewAgent(f, f.OrgA, "a")));
        Assert.Equal(AgentClash.None, await agents.CreateAsync(NewAgent(f, f.OrgB, "a"))); // handles are per organization

        a.InboxId = inbox.Id;
        a.PhoneNumberId = number.Id;
        Assert.Equal(AgentClash.None, await agents.UpdateAsync(a));
        b.InboxId = inbox.Id;
        Assert.Equal(AgentClash.Inbox, await agents.UpdateAsync(b));
        b.InboxId = null;
        b.PhoneNumberId = number.Id;
        Assert.Equal(AgentClash.PhoneNumber, await agents.UpdateAsync(b));
        b.PhoneNumberId = null;
        b.Handle = "a";
        Assert.Equal(AgentClash.Handle, await agents.UpdateAsync(b));

        Assert.Equal(a.Id, (await agents.FindByInboxAsync(f.OrgA, inbox.Id))!.Id);
        Assert.Null(await agents.FindByInboxAsync(f.OrgB, inbox.Id));
        // Channels outlive their links: deleting the number unlinks it.
        Assert.True(await numbers.DeleteAsync(f.OrgA, number.Id));
        Assert.Null((await agents.GetByHandleAsync(f.OrgA, "a"))!.PhoneNumberId);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Phone_numbers_are_listed_per_organization_and_sms_stored_once_per_carrier_id(string provider)
    {
        await using var f = await MigratedDatabase.CreateAsync(provider);
        var numbers = new PhoneNumberRepository(f.Db);
        var messages = new SmsMessageRepository(f.Db);
        var first = NewNumber(f, f.OrgA, "+14155550102");
        var second = NewNumber(f, f.OrgA, "+14155550103");
        foreach (var n in new[] { first, second, NewNumber(f, f.OrgB, "+14155550104") }) Assert.True(await numbers.CreateAsync(n));
        Assert.False(await numbers.CreateAsync(NewNumber(f, f.OrgB, "+14155550102")));

        var page = await numbers.ListAsync(f.OrgA, new PageRequest(0, 10));
        Assert.Equal(2, page.Total);
        Assert.Equal([second.Id, first.Id], page.Items.Select(n => n.Id));
        Assert.Equal(f.OrgB, (await numbers.FindByNumberAsync("+14155550104"))!.OrgId);
        Assert.Null(await numbers.GetAsync(f.OrgB, first.Id));

        SmsMessage Sms(string remote, string? sid) => new()
        {
            Id = Ids.New(Ids.SmsMessage), OrgId = f.OrgA, PhoneNumberId = first.Id, Direction = SmsDirection.Inbound, LocalNumber = first.Number,
            RemoteNumber = remote, Text = "hi", Status = SmsStatus.Received, CarrierSid = sid, CreatedAt = f.Now, UpdatedAt = f.Now,
        };
        Assert.True(await messages.CreateAsync(Sms("+15550000002", "SM1")));
        Assert.False(await messages.CreateAsync(Sms("+15550000002", "SM1")));
        Assert.True(await messages.CreateAsync(Sms("+15550000001", null)));
        Assert.True(await messages.CreateAsync(Sms("+15550000002", null)));
        var list = await messages.ListAsync(f.OrgA, first.Id, new PageRequest(0, 10));
        Assert.Equal(["+15550000001", "+15550000002", "+15550000002"], list.Items.Select(m => m.RemoteNumber));
        Assert.Equal(0, (await messages.ListAsync(f.OrgB, first.Id, new PageRequest(0, 10))).Total);
    }
}
