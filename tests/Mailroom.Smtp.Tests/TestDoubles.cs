using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Mailroom.Smtp.Server;

namespace Mailroom.Smtp.Tests;

/// <summary>Hosts example.com with a few mailboxes; an authenticated client may relay anywhere.</summary>
internal sealed class TestRecipientPolicy : ISmtpRecipientPolicy
{
    public HashSet<string> Mailboxes { get; } = new(StringComparer.OrdinalIgnoreCase) { "alice@example.com", "bob@example.com", "postmaster", "用户@example.com" };

    public bool FailTemporarily { get; set; }

    public ValueTask<SmtpRecipientDecision> CheckRecipientAsync(SmtpSessionInfo info, string address, CancellationToken cancellationToken)
    {
        if (FailTemporarily)
        {
            return ValueTask.FromResult(SmtpRecipientDecision.TemporaryFailure);
        }
        if (Mailboxes.Contains(address))
        {
            return ValueTask.FromResult(SmtpRecipientDecision.Accept);
        }
        if (address.EndsWith("@example.com", StringComparison.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult(SmtpRecipientDecision.UnknownMailbox);
        }
        return ValueTask.FromResult(info.AuthenticatedUser is null ? SmtpRecipientDecision.RelayDenied : SmtpRecipientDecision.Accept);
    }
}

internal sealed record StoredMessage(SmtpEnvelope Envelope, byte[] Bytes, bool WasFileBacked)
{
    public string Text => Encoding.UTF8.GetString(Bytes);
}

internal sealed class TestMessageStore : ISmtpMessageStore
{
    private int _next;

    public ConcurrentQueue<StoredMessage> Messages { get; } = new();

    public SmtpReply? Failure { get; set; }

    public bool Throw { get; set; }

    public async ValueTask<SmtpReply> StoreAsync(SmtpEnvelope envelope, SmtpMessageBody body, CancellationToken cancellationToken)
    {
        if (Throw)
        {
            throw new InvalidOperationException("disk full");
        }
        if (Failure is not null)
        {
            return Failure;
        }
        await using var stream = body.OpenRead();
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        Assert.Equal(body.Length, copy.Length);
        Messages.Enqueue(new StoredMessage(envelope, copy.ToArray(), body.IsFileBacked));
        return SmtpReplies.Queued($"msg_{Interlocked.Increment(ref _next)}");
    }
}

internal sealed class TestAuthenticator : ISmtpAuthenticator
{
    public ValueTask<bool> AuthenticateAsync(SmtpSessionInfo info, string userName, string password, CancellationToken cancellationToken) =>
        ValueTask.FromResult(userName == "agent" && password == "s3cret pass");
}

internal static class TestCertificate
{
    private static readonly Lazy<X509Certificate2> Shared = new(() => SmtpCertificates.CreateSelfSigned("mx.example.com"));

    public static X509Certificate2 Instance => Shared.Value;
}

/// <summary>A server session driven with strings: what goes in is what a client would send, what comes out is the wire text.</summary>
internal sealed class SessionHarness : IDisposable
{
    public SessionHarness(SmtpServerOptions? options = null, bool withAuthenticator = true)
    {
        Options = options ?? new SmtpServerOptions { ServerName = "mx.example.com", AllowAuthWithoutTls = true };
        Session = new SmtpServerSession(Options, new SmtpConnectionContext(null, null), Policy, Store, withAuthenticator ? new TestAuthenticator() : null);
    }

    public SmtpServerOptions Options { get; }

    public TestRecipientPolicy Policy { get; } = new();

    public TestMessageStore Store { get; } = new();

    public SmtpServerSession Session { get; }

    public SmtpSessionAction LastAction { get; private set; }

    public Task<string> SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task<string> SendAsync(byte[] bytes)
    {
        var output = await Session.ReceiveAsync(bytes, CancellationToken.None);
        LastAction = output.Action;
        return string.Concat(output.Replies.Select(r => r.ToWireFormat()));
    }

    /// <summary>Sends the text in pieces of <paramref name="size"/> bytes, as a slow network would deliver it.</summary>
    public async Task<string> SendInPiecesAsync(string text, int size)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var replies = new StringBuilder();
        for (var i = 0; i < bytes.Length; i += size)
        {
            replies.Append(await SendAsync(bytes[i..Math.Min(bytes.Length, i + size)]));
        }
        return replies.ToString();
    }

    public async Task StartTransactionAsync()
    {
        Assert.StartsWith("250", await SendAsync("EHLO client.test\r\n"));
        Assert.Equal("250 2.1.0 Sender OK\r\n", await SendAsync("MAIL FROM:<sender@remote.test>\r\n"));
        Assert.Equal("250 2.1.5 Recipient OK\r\n", await SendAsync("RCPT TO:<alice@example.com>\r\n"));
    }

    public void Dispose() => Session.Dispose();
}
