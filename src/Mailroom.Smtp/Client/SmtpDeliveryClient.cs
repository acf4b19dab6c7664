using System.Buffers;
using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Text;
using Mailroom.Smtp.Server;

namespace Mailroom.Smtp.Client;

/// <summary>
/// Delivers one message over a connected stream by driving an <see cref="SmtpClientSession"/>. The caller opens the
/// connection (to an MX or a relay; already under TLS for <see cref="SmtpTlsMode.ImplicitTls"/>) and disposes it after.
/// Network faults, timeouts and protocol errors become <see cref="SmtpDeliveryStatus.TransientFailure"/>, never exceptions.
/// </summary>
public static class SmtpDeliveryClient
{
    private const int ChunkSize = 32 * 1024;

    /// <param name="outcome">
    /// Awaited with the outcome as soon as the transaction's final reply has arrived, before QUIT: the receiver holds the
    /// message from its reply on, so a caller that must not send it twice records it here, without waiting for QUIT.
    /// </param>
    public static async Task<SmtpDeliveryResult> DeliverAsync(Stream network, SmtpClientOptions options, string mailFrom,
        IReadOnlyList<string> recipients, ReadOnlyMemory<byte> message, CancellationToken cancellationToken,
        Func<SmtpDeliveryResult, Task>? outcome = null)
    {
        using var stream = MemoryMarshal.TryGetArray(message, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(message.ToArray(), writable: false);
        return await DeliverAsync(network, options, mailFrom, recipients, stream, cancellationToken, outcome);
    }

    /// <param name="message">The message from its current position; read twice (once to size it), so a stream that cannot seek is first copied to a buffer.</param>
    /// <param name="outcome">As above: awaited with the outcome when the final reply has arrived, before QUIT.</param>
    public static async Task<SmtpDeliveryResult> DeliverAsync(Stream network, SmtpClientOptions options, string mailFrom,
        IReadOnlyList<string> recipients, Stream message, CancellationToken cancellationToken, Func<SmtpDeliveryResult, Task>? outcome = null)
    {
        if (!message.CanSeek)
        {
            using var copy = new SmtpMessageBody(256 * 1024, null);
            var buffer = new byte[ChunkSize];
            int read;
            while ((read = await message.ReadAsync(buffer, cancellationToken)) > 0)
            {
                copy.Write(buffer.AsSpan(0, read));
            }
            await using var seekable = copy.OpenRead();
            return await DeliverAsync(network, options, mailFrom, recipients, seekable, cancellationToken, outcome);
        }
        var facts = SmtpMessageFacts.Scan(message);
        var session = new SmtpClientSession(options, mailFrom, recipients, facts.Size, facts.EightBitData, facts.NonAsciiHeaders);
        using var io = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var current = network;
        SslStream? tls = null;
        var reader = new SmtpLineReader(current);
        // The caller's faults while it records the outcome are its own, never a failed delivery.
        var recording = false;
        try
        {
            var step = session.Start();
            while (step.Kind != SmtpClientStepKind.Done)
            {
                switch (step.Kind)
                {
                    case SmtpClientStepKind.Send:
                        await TimedAsync(io, options, t => current.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(step.Commands.Select(c => c + "\r\n"))), t));
                        await TimedAsync(io, options, t => new ValueTask(current.FlushAsync(t)));
                        break;
                    case SmtpClientStepKind.SendMessage:
                        await WriteMessageAsync(message, current, io, options);
                        break;
                    case SmtpClientStepKind.StartTls:
                        tls = new SslStream(current, leaveInnerStreamOpen: true, (_, _, _, errors) =>
                            errors == SslPolicyErrors.None || options.AcceptAnyCertificate || options.TlsMode != SmtpTlsMode.StartTlsRequired);
                        await TimedAsync(io, options, t => new ValueTask(tls.AuthenticateAsClientAsync(
                            new SslClientAuthenticationOptions { TargetHost = options.TargetHost ?? "" }, t)));
                        current = tls;
                        // Anything the server sent before the handshake is discarded with the old reader.
                        reader = new SmtpLineReader(current);
                        step = session.OnTlsEstablished();
                        continue;
                }
                var reply = await TimedAsync(io, options, reader.ReadReplyAsync);
                step = session.OnReply(reply);
            }
            if (outcome is not null)
            {
                recording = true;
                await outcome(session.Result!);
                recording = false;
            }
            if (session.Result!.Reply?.Code != 421)
            {
                await QuitAsync(current, reader, io, options);
            }
            return session.Result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (!recording)
        {
            return session.Fault($"Timed out after {options.Timeout}");
        }
        catch (Exception e) when (!recording && e is IOException or SmtpProtocolException or AuthenticationException or ObjectDisposedException)
        {
            return session.Fault(e.Message);
        }
        finally
        {
            if (tls is not null)
            {
                await tls.DisposeAsync();
            }
        }
    }

    private static async Task WriteMessageAsync(Stream message, Stream network, CancellationTokenSource io, SmtpClientOptions options)
    {
        var encoder = new SmtpDataEncoder();
        var input = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var output = ArrayPool<byte>.Shared.Rent(SmtpDataEncoder.MaxOutputLength(ChunkSize) + SmtpDataEncoder.FinishLength);
        try
        {
            int read;
            while ((read = await message.ReadAsync(input.AsMemory(0, ChunkSize), io.Token)) > 0)
            {
                var length = encoder.Encode(input.AsSpan(0, read), output);
                await TimedAsync(io, options, t => network.WriteAsync(output.AsMemory(0, length), t));
            }
            var end = encoder.Finish(output);
            await TimedAsync(io, options, t => network.WriteAsync(output.AsMemory(0, end), t));
            await TimedAsync(io, options, t => new ValueTask(network.FlushAsync(t)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    private static async Task QuitAsync(Stream network, SmtpLineReader reader, CancellationTokenSource io, SmtpClientOptions options)
    {
        try
        {
            await TimedAsync(io, options, t => network.WriteAsync("QUIT\r\n"u8.ToArray(), t));
            await TimedAsync(io, options, reader.ReadReplyAsync);
        }
        catch (Exception e) when (e is IOException or SmtpProtocolException or ObjectDisposedException or OperationCanceledException)
        {
            // The outcome is already known; a server that drops the connection at QUIT changes nothing.
        }
    }

    private static async ValueTask TimedAsync(CancellationTokenSource io, SmtpClientOptions options, Func<CancellationToken, ValueTask> operation)
    {
        io.CancelAfter(options.Timeout);
        await operation(io.Token);
        io.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    private static async ValueTask<T> TimedAsync<T>(CancellationTokenSource io, SmtpClientOptions options, Func<CancellationToken, ValueTask<T>> operation)
    {
        io.CancelAfter(options.Timeout);
        var result = await operation(io.Token);
        io.CancelAfter(Timeout.InfiniteTimeSpan);
        return result;
    }
}
