using System.Net.Sockets;
using System.Text;
using Mailroom.Core.Automation;

namespace Mailroom.Server.Mail.Spam;

/// <summary>The <c>Mailroom:Spam</c> section: where spamd listens (host:port) and how long one check may take.</summary>
public sealed class SpamOptions
{
    /// <summary><c>host:port</c> of SpamAssassin's spamd; unset, the spam check is skipped and messages say so.</summary>
    public string? Spamd { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Larger messages are not sent to spamd (spamc's own default limit), and are marked skipped.</summary>
    public int MaxMessageBytes { get; set; } = 512 * 1024;
}

/// <summary>Asks spamd over TCP with the spamc protocol (<see cref="SpamcProtocol"/>); one connection per message, as spamc does.</summary>
public sealed class SpamdClient(SpamOptions options) : ISpamChecker
{
    private const int MaxAnswerBytes = 64 * 1024;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Spamd);

    public async Task<SpamVerdict> CheckAsync(byte[] raw, CancellationToken ct)
    {
        if (raw.Length > options.MaxMessageBytes) return new SpamVerdict(SpamVerdict.Skipped, null, null);
        var (host, port) = Endpoint(options.Spamd!);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.Timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(host, port, deadline.Token);
        await socket.SendAsync(SpamcProtocol.CheckRequest(raw), SocketFlags.None, deadline.Token);
        socket.Shutdown(SocketShutdown.Send);
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
        {
            answer.Write(buffer, 0, read);
            if (answer.Length > MaxAnswerBytes) throw new SpamdProtocolException("spamd's answer is too long");
        }
        return SpamcProtocol.ParseCheckAnswer(Encoding.ASCII.GetString(answer.GetBuffer(), 0, (int)answer.Length));
    }

    public static (string Host, int Port) Endpoint(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], out var port) && port is > 0 and < 65536
            ? (value[..colon].Trim('[', ']'), port)
            : throw new InvalidOperationException($"Mailroom:Spam:Spamd '{value}' is not host:port");
    }
}
