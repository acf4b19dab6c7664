using System.Collections.Concurrent;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Approvals;

/// <summary>
/// Stands in for the draft use cases (which the identities dialect provides) so that the channels can be driven alone:
/// records every decision and edit, and refuses drafts a test names, as the use cases refuse a draft no longer pending.
/// </summary>
public sealed class RecordingDraftReviews : IDraftReviews
{
    public sealed record Decision(string Kind, string OrgId, string DraftId, string By, string? Text);

    public ConcurrentQueue<Decision> Decisions { get; } = new();
    public ConcurrentDictionary<string, string> Refusals { get; } = new();

    public IReadOnlyList<Decision> Of(string draftId) => [.. Decisions.Where(d => d.DraftId == draftId)];

    public Task<ApprovalOutcome> ApproveAsync(string orgId, string draftId, string decidedBy, CancellationToken ct) =>
        Decide("approve", orgId, draftId, decidedBy, "sent", null);

    public Task<ApprovalOutcome> RejectAsync(string orgId, string draftId, string decidedBy, string? reason, CancellationToken ct) =>
        Decide("reject", orgId, draftId, decidedBy, "rejected", reason);

    public Task EditTextAsync(string orgId, string draftId, string editedBy, string text, CancellationToken ct)
    {
        if (Refusals.TryGetValue(draftId, out var reason)) throw new ConflictException("status", reason);
        Decisions.Enqueue(new Decision("edit", orgId, draftId, editedBy, text));
        return Task.CompletedTask;
    }

    private Task<ApprovalOutcome> Decide(string kind, string orgId, string draftId, string by, string state, string? reason)
    {
        if (Refusals.TryGetValue(draftId, out var refusal)) throw new ConflictException("status", refusal);
        Decisions.Enqueue(new Decision(kind, orgId, draftId, by, reason));
        return Task.FromResult(new ApprovalOutcome(state, by, DateTimeOffset.UtcNow, reason));
    }

    public async Task<IReadOnlyList<Decision>> WaitForAsync(string draftId, int count = 1)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (Of(draftId).Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        return Of(draftId);
    }
}

/// <summary>A fake Telegram Bot API, a fake Slack and one server per database that calls them, with recorded draft decisions.</summary>
public class ChatApprovalFixture : IAsyncLifetime
{
    private readonly Dictionary<string, Task<MailroomTestServer>> _servers = [];
    private readonly Lock _gate = new();

    public FakeTelegramBotApi Telegram { get; private set; } = null!;
    public FakeSlack Slack { get; private set; } = null!;
    public RecordingDraftReviews Reviews { get; } = new();

    public async Task InitializeAsync()
    {
        Telegram = await FakeTelegramBotApi.StartAsync();
        Slack = await FakeSlack.StartAsync();
    }

    /// <summary>Settings every server here starts with: the fakes' addresses, which are private and so must be allowed.</summary>
    public string[] Settings(string telegramMode) =>
    [
        "--Mailroom:Webhooks:AllowPrivateTargets=true", $"--Mailroom:Telegram:ApiBaseUrl={Telegram.BaseUrl}", $"--Mailroom:Telegram:Mode={telegramMode}",
        "--Mailroom:Telegram:PollTimeout=00:00:01", $"--Mailroom:Slack:ApiBaseUrl={Slack.ApiBaseUrl}",
    ];

    public Task<MailroomTestServer> For(string provider)
    {
        lock (_gate)
        {
            if (!_servers.TryGetValue(provider, out var server))
                _servers[provider] = server = StartAsync(provider, Settings("webhook"));
            return server;
        }
    }

    public Task<MailroomTestServer> StartAsync(string provider, params string[] settings) => MailroomTestServer.StartAsync(provider, Replacements, settings);

    /// <summary>Decisions go to <see cref="Reviews"/>; a fixture for the whole loop keeps the product's draft use cases.</summary>
    protected virtual Action<IServiceCollection>? Replacements => services => services.AddSingleton<IDraftReviews>(Reviews);

    public static IApprovalChannel Channel(MailroomTestServer server, string type) =>
        server.Services.GetServices<IApprovalChannel>().Single(c => c.Type == type);

    public static ApprovalCard Card(string orgId, string? draftId = null, int version = 1) => new()
    {
        OrgId = orgId, DraftId = draftId ?? "dr_" + Guid.NewGuid().ToString("N")[..20], Version = version,
        From = "Mia (AI Assistant) <assistant@example.test>", To = ["customer@example.org"], Cc = ["boss@example.org"],
        Subject = "Re: Your order <1234> & delivery", Text = "Hello,\n\nyour order ships tomorrow.\n\nMia", Rationale = "The customer asked when the order ships.",
        ApproveUrl = "https://mailroom.example/approvals/approve?token=a", RejectUrl = "https://mailroom.example/approvals/reject?token=r",
    };

    public async Task DisposeAsync()
    {
        foreach (var server in _servers.Values) await (await server).DisposeAsync();
        await Telegram.DisposeAsync();
        await Slack.DisposeAsync();
    }
}
