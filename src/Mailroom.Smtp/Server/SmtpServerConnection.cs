using System.Buffers;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;

namespace Mailroom.Smtp.Server;

/// <summary>
/// Runs one SMTP connection over a stream the caller accepted: sends the greeting, feeds what it reads to an
/// <see cref="SmtpServerSession"/>, writes the replies of each read in one batch, applies the time limits
/// (<see cref="SmtpConnectionTimer"/>) and performs STARTTLS. The caller owns and disposes <c>stream</c>.
/// </summary>
public sealed class SmtpServerConnection(SmtpServerOptions options, ISmtpRecipientPolicy recipientPolicy, ISmtpMessageStore store,
    ISmtpAuthenticator? authenticator = null, TimeProvider? time = null)
{
    private const int ReadBufferSize = 16 * 1024;

    /// <summary>Returns when the client quits, disconnects, times out or breaks the protocol, or when <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(Stream stream, SmtpConnectionContext context, CancellationToken cancellationToken)
    {
        using var session = new SmtpServerSession(options, context, recipientPolicy, store, authenticator, time);
        // Armed around each read, write and handshake: a client that is silent, too slow or too long is cut off.
        using var timer = new SmtpConnectionTimer(options, cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        var current = stream;
        SslStream? tls = null;
        try
        {
            await WriteAsync(current, [session.Greet()], timer);
            while (session.State != SmtpState.Closed)
            {
                timer.ArmForRead(session.IsAwaitingInput);
                var read = await current.ReadAsync(buffer.AsMemory(0, ReadBufferSize), timer.Token);
                timer.Disarm();
                if (read == 0)
                {
                    // The client went away; an unfinished transaction is dropped unacknowledged.
                    return;
                }
                timer.Received(read);
                var output = await session.ReceiveAsync(buffer.AsMemory(0, read), cancellationToken);
                await WriteAsync(current, output.Replies, timer);
                if (output.Action == SmtpSessionAction.StartTls)
                {
                    tls = new SslStream(current, leaveInnerStreamOpen: true);
                    timer.ArmForWrite();
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = options.Certificate }, timer.Token);
                    timer.Disarm();
                    current = tls;
                    session.TlsEstablished();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await TryWriteAsync(current, SmtpReplies.ShuttingDown);
        }
        catch (OperationCanceledException)
        {
            await TryWriteAsync(current, session.TimedOut(timer.Limit));
        }
        catch (Exception e) when (e is IOException or AuthenticationException or ObjectDisposedException)
        {
            // The peer reset the connection or failed the TLS handshake: nothing left to answer.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (tls is not null)
            {
                await tls.DisposeAsync();
            }
        }
    }

    private static async Task WriteAsync(Stream stream, IReadOnlyList<SmtpReply> replies, SmtpConnectionTimer timer)
    {
        if (replies.Count == 0)
        {
            return;
        }
        timer.ArmForWrite();
        await stream.WriteAsync(Encode(replies), timer.Token);
        await stream.FlushAsync(timer.Token);
        timer.Disarm();
    }

    private static byte[] Encode(IReadOnlyList<SmtpReply> replies)
    {
        var text = new StringBuilder();
        foreach (var reply in replies)
        {
            text.Append(reply.ToWireFormat());
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static async Task TryWriteAsync(Stream stream, SmtpReply reply)
    {
        try
        {
            using var brief = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await stream.WriteAsync(Encode([reply]), brief.Token);
            await stream.FlushAsync(brief.Token);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or AuthenticationException)
        {
            // The client may already be gone.
        }
    }
}
