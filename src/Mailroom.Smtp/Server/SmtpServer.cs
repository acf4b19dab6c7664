using System.Net;

namespace Mailroom.Smtp.Server;

/// <summary>
/// The SMTP service behind a listener: one instance per listening endpoint, shared by all its connections.
/// It counts connections and turns away those over <see cref="SmtpServerOptions.MaxConnectionsPerAddress"/> from one
/// address with <c>421 4.7.0</c> and those over <see cref="SmtpServerOptions.MaxConnections"/> with <c>421 4.3.2</c>.
/// </summary>
public sealed class SmtpServer(SmtpServerOptions options, ISmtpRecipientPolicy recipientPolicy, ISmtpMessageStore store,
    ISmtpAuthenticator? authenticator = null, TimeProvider? time = null)
{
    private readonly SmtpServerConnection _connection = new(options, recipientPolicy, store, authenticator, time);
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private int _active;

    public SmtpServerOptions Options => options;

    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>Serves one accepted connection to its end. The caller disposes the stream (and its socket) afterwards.</summary>
    public async Task HandleConnectionAsync(Stream stream, SmtpConnectionContext context, CancellationToken cancellationToken)
    {
        var address = ClientAddress(context);
        var fromAddress = address is null ? 0 : Enter(address);
        var total = Interlocked.Increment(ref _active);
        try
        {
            if (fromAddress > options.MaxConnectionsPerAddress)
            {
                await RefuseAsync(stream, SmtpReplies.TooManyConnectionsFromAddress, cancellationToken);
                return;
            }
            if (total > options.MaxConnections)
            {
                await RefuseAsync(stream, SmtpReplies.TooManyConnections, cancellationToken);
                return;
            }
            await _connection.RunAsync(stream, context, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            if (address is not null)
            {
                Leave(address);
            }
        }
    }

    /// <summary>The client's IP address; an IPv4 client seen through a dual-stack socket counts as its IPv4 address.</summary>
    private static IPAddress? ClientAddress(SmtpConnectionContext context) => context.RemoteEndPoint is IPEndPoint { Address: var address }
        ? address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address
        : null;

    private int Enter(IPAddress address)
    {
        lock (_perAddress)
        {
            _perAddress.TryGetValue(address, out var count);
            return _perAddress[address] = count + 1;
        }
    }

    private void Leave(IPAddress address)
    {
        lock (_perAddress)
        {
            var count = _perAddress[address] - 1;
            if (count == 0)
            {
                _perAddress.Remove(address);
            }
            else
            {
                _perAddress[address] = count;
            }
        }
    }

    private static async Task RefuseAsync(Stream stream, SmtpReply reply, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(reply.ToWireFormat()), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The refused client left first.
        }
    }
}
