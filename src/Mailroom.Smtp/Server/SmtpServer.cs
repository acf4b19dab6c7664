namespace Mailroom.Smtp.Server;

/// <summary>
/// The SMTP service behind a listener: one instance per listening endpoint, shared by all its connections.
/// It counts connections and turns away those over <see cref="SmtpServerOptions.MaxConnections"/> with <c>421 4.3.2</c>.
/// </summary>
public sealed class SmtpServer(SmtpServerOptions options, ISmtpRecipientPolicy recipientPolicy, ISmtpMessageStore store,
    ISmtpAuthenticator? authenticator = null, TimeProvider? time = null)
{
    private readonly SmtpServerConnection _connection = new(options, recipientPolicy, store, authenticator, time);
    private int _active;

    public SmtpServerOptions Options => options;

    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>Serves one accepted connection to its end. The caller disposes the stream (and its socket) afterwards.</summary>
    public async Task HandleConnectionAsync(Stream stream, SmtpConnectionContext context, CancellationToken cancellationToken)
    {
        try
        {
            if (Interlocked.Increment(ref _active) > options.MaxConnections)
            {
                await RefuseAsync(stream, cancellationToken);
                return;
            }
            await _connection.RunAsync(stream, context, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private static async Task RefuseAsync(Stream stream, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(SmtpReplies.TooManyConnections.ToWireFormat()), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The refused client left first.
        }
    }
}
