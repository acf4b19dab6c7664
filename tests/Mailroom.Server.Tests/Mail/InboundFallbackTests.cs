using Mailroom.Core.Common;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Mail;

/// <summary>
/// Mail that cannot be stored as it is accepted is spooled before the 250 and stored later by the worker: the client
/// hears 250 and the message arrives, even when the database refuses the first transactions.
/// </summary>
public sealed class InboundFallbackTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    /// <summary>Fails the next <see cref="FailNext"/> transactions before they start, then behaves.</summary>
    private sealed class FlakyTransactions(MailroomDatabase database) : ITransactionRunner
    {
        public int FailNext;

        public Task<T> InTransactionAsync<T>(Func<Task<T>> work, CancellationToken ct = default) =>
            Interlocked.Decrement(ref FailNext) >= 0
                ? Task.FromException<T>(new InvalidOperationException("injected database fault"))
                : database.InTransactionAsync(work, ct);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_message_whose_storing_fails_is_spooled_before_250_and_arrives_later(string provider)
    {
        FlakyTransactions? flaky = null;
        await using var server = await MailroomTestServer.StartAsync(provider, services =>
            services.AddSingleton<ITransactionRunner>(sp => flaky = new FlakyTransactions(sp.GetRequiredService<MailroomDatabase>())));
        var api = await server.NewOrganizationAsync();
        var inbox = await api.CreateInboxAsync("flaky-" + Guid.NewGuid().ToString("N")[..8]);

        // The batch and the retry alone fail; the spool write after them succeeds.
        Volatile.Write(ref flaky!.FailNext, 2);
        var run = await ExternalTools.RunAsync(ExternalTools.Swaks,
        [
            "--server", server.SmtpEndPoint.Address.ToString(), "--port", server.SmtpEndPoint.Port.ToString(),
            "--from", "fay@flaky.example", "--to", (string)inbox["email_address"]!, "--header", "Subject: through the spool",
        ]);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("250 2.0.0", run.Output);
        Assert.True(Volatile.Read(ref flaky.FailNext) < 0, "both injected faults were hit");

        var list = await InboundSmtpTests.WaitForMessageAsync(api, (string)inbox["inbox_id"]!);
        Assert.Equal(1, (int)list["total"]!);
        Assert.Equal("through the spool", (string)list["data"]![0]!["subject"]!);
    }
}
