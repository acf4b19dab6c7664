using System.Buffers;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;

namespace Mailroom.Smtp.Server;

/// <summary>
/// Runs one SMTP connection over a stream the caller accepted: sends the greeting, feeds what it reads to an
/// <see cref="SmtpServerSession"/>, writes the replies of each read in one batch, applies the idle timeout and
/// performs STARTTLS. The caller owns and disposes <c>stream</c>.
/// </summary>
public sealed class SmtpServerConnection(SmtpServerOptions options, ISmtpRecipientPolicy recipientPolicy, ISmtpMessageStore store,
    ISmtpAuthenticator? authenticator = null, TimeProvider? time = null)
{
    private const int ReadBufferSize = 16 * 1024;

    /// <summary>Returns when the client quits, disconnects, times out or breaks the protocol, or when <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(Stream stream, SmtpConnectionContext context, CancellationToken cancellationToken)
    {
        using var session = new SmtpServerSession(options, context, recipientPolicy, store, authenticator, time);
        // Armed around each read, write and handshake: a client that neither sends nor receives is cut off.
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        var current = stream;
        SslStream? tls = null;
        try
        {
            await WriteAsync(current, [session.Greet()], idle);
            while (session.State != SmtpState.Closed)
            {
                idle.CancelAfter(options.IdleTimeout);
                var read = await current.ReadAsync(buffer.AsMemory(0, ReadBufferSize), idle.Token);
                idle.CancelAfter(Timeout.InfiniteTimeSpan);
                if (read == 0)
                {
                    // The client went away; an unfinished transaction is dropped unacknowledged.
                    return;
                }
                var output = await session.ReceiveAsync(buffer.AsMemory(0, read), cancellationToken);
                await WriteAsync(current, output.Replies, idle);
                if (output.Action == SmtpSessionAction.StartTls)
                {
                    tls = new SslStream(current, leaveInnerStreamOpen: true);
                    idle.CancelAfter(options.IdleTimeout);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = options.Certificate }, idle.Token);
                    idle.CancelAfter(Timeout.InfiniteTimeSpan);
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
            await TryWriteAsync(current, session.TimedOut());
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

    private async Task WriteAsync(Stream stream, IReadOnlyList<SmtpReply> replies, CancellationTokenSource idle)
    {
        if (replies.Count == 0)
        {
            return;
        }
        idle.CancelAfter(options.IdleTimeout);
        await stream.WriteAsync(Encode(replies), idle.Token);
        await stream.FlushAsync(idle.Token);
        idle.CancelAfter(Timeout.InfiniteTimeSpan);
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
