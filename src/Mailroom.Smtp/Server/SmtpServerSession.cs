using System.Buffers;
using System.Text;
using Mailroom.Smtp.Server.Commands;

namespace Mailroom.Smtp.Server;

/// <summary>
/// One server-side SMTP conversation with no I/O: bytes in, replies out. The connection driver feeds it what it
/// reads and writes back what it returns; tests feed it strings. Several commands in one chunk (PIPELINING) are
/// answered in order in one output.
/// </summary>
public sealed class SmtpServerSession : IDisposable
{
    private enum InputMode { Command, AuthResponse, Data, Chunk }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>ASCII controls (C0 and DEL): no command syntax allows them (RFC 5321 section 4.1.2), and an argument
    /// holding one would be echoed into replies and stored in the envelope (the EHLO name goes into Received).</summary>
    private static readonly SearchValues<byte> ControlCharacters = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), 0x7F]);

    private static readonly Dictionary<SmtpVerb, SmtpCommandHandler> Handlers = new SmtpCommandHandler[]
    {
        new EhloCommand(), new HeloCommand(), new StartTlsCommand(), new AuthCommand(), new MailCommand(),
        new RcptCommand(), new DataCommand(), new BdatCommand(), new RsetCommand(), new NoopCommand(),
        new VrfyCommand(), new HelpCommand(), new QuitCommand(),
    }.ToDictionary(handler => handler.Verb);

    private readonly byte[] _line;
    private int _lineLength;
    private bool _discardingLongLine;
    private InputMode _mode = InputMode.Command;
    private int _commands;
    private int _badCommands;
    private SmtpDataReader? _data;
    private long _chunkRemaining;
    private long _chunkSize;
    private bool _chunkLast;
    private SmtpReply? _chunkRejection;
    private bool _startTlsRequested;
    private bool _closeAfterReply;

    public SmtpServerSession(SmtpServerOptions options, SmtpConnectionContext connection, ISmtpRecipientPolicy recipientPolicy,
        ISmtpMessageStore store, ISmtpAuthenticator? authenticator = null, TimeProvider? time = null)
    {
        Options = options;
        RecipientPolicy = recipientPolicy;
        Store = store;
        Authenticator = authenticator;
        Time = time ?? TimeProvider.System;
        Info = new SmtpSessionInfo(Guid.CreateVersion7().ToString("N"), connection.RemoteEndPoint, connection.LocalEndPoint, Time.GetUtcNow());
        _line = new byte[Math.Max(options.MaxCommandLineLength, options.MaxAuthLineLength)];
    }

    public SmtpSessionInfo Info { get; }

    public SmtpState State { get; private set; } = SmtpState.Connected;

    internal SmtpServerOptions Options { get; }

    internal ISmtpRecipientPolicy RecipientPolicy { get; }

    internal ISmtpMessageStore Store { get; }

    internal ISmtpAuthenticator? Authenticator { get; }

    internal TimeProvider Time { get; }

    internal SmtpTransaction? Transaction { get; set; }

    internal AuthCommand.Exchange? PendingAuth { get; private set; }

    /// <summary>STARTTLS is offered only with a certificate and only once.</summary>
    internal bool CanStartTls => Options.Certificate is not null && !Info.IsTls;

    /// <summary>AUTH is offered only with an authenticator and, unless configured otherwise, only under TLS.</summary>
    internal bool CanAuthenticate => Authenticator is not null && (Info.IsTls || Options.AllowAuthWithoutTls);

    /// <summary>The 220 greeting the driver sends first.</summary>
    public SmtpReply Greet() => SmtpReplies.Greeting(Options.ServerName);

    /// <summary>Called by the driver when a time limit ran out: closes the session and returns the 421 to send.</summary>
    public SmtpReply TimedOut(SmtpTimeLimit limit)
    {
        State = SmtpState.Closed;
        return limit switch
        {
            SmtpTimeLimit.SessionDuration => SmtpReplies.SessionTimeLimit,
            SmtpTimeLimit.DataRate => SmtpReplies.DataRateTooLow,
            _ => SmtpReplies.Timeout,
        };
    }

    /// <summary>Nothing is partly received (no command line, AUTH response, message or chunk): the client's next
    /// octet starts something new, so the driver restarts its data-rate clock.</summary>
    internal bool IsAwaitingInput => (_mode is InputMode.Command or InputMode.AuthResponse) && _lineLength == 0 && !_discardingLongLine;

    /// <summary>Called by the driver after the TLS handshake: everything learned before is forgotten (RFC 3207 section 4.2).</summary>
    public void TlsEstablished()
    {
        ResetTransaction();
        Info.IsTls = true;
        Info.HeloName = null;
        Info.IsExtended = false;
        Info.AuthenticatedUser = null;
        State = SmtpState.Connected;
    }

    /// <summary>Consumes bytes from the client and returns the replies they caused, in order.</summary>
    public async ValueTask<SmtpSessionOutput> ReceiveAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken)
    {
        var replies = new List<SmtpReply>();
        while (State != SmtpState.Closed && !_startTlsRequested)
        {
            if (_mode == InputMode.Chunk && _chunkRemaining == 0)
            {
                // Also completes "BDAT 0 LAST", which has no octets to wait for.
                await FinishChunkAsync(replies, cancellationToken);
                continue;
            }
            if (input.IsEmpty)
            {
                break;
            }
            switch (_mode)
            {
                case InputMode.Data:
                    input = input[_data!.Read(input.Span)..];
                    if (_data.Complete)
                    {
                        await FinishDataAsync(replies, cancellationToken);
                    }
                    break;
                case InputMode.Chunk:
                    var take = (int)Math.Min(_chunkRemaining, input.Length);
                    ReceiveChunk(input.Span[..take]);
                    input = input[take..];
                    break;
                default:
                    var (consumed, line) = TakeLine(input.Span, replies);
                    input = input[consumed..];
                    if (line is not null)
                    {
                        await ProcessLineAsync(line, replies, cancellationToken);
                    }
                    break;
            }
        }
        var action = State == SmtpState.Closed ? SmtpSessionAction.Close
            : _startTlsRequested ? SmtpSessionAction.StartTls
            : SmtpSessionAction.Continue;
        // Bytes after STARTTLS were sent in clear before the handshake: they are dropped, never executed (CVE-2011-0411).
        _startTlsRequested = false;
        return new SmtpSessionOutput(replies, action);
    }

    internal void ResetTransaction()
    {
        Transaction?.Dispose();
        Transaction = null;
    }

    internal void BeginData()
    {
        Transaction!.Body = NewBody();
        _data = new SmtpDataReader(Transaction.Body, Options.MaxMessageSize, Options.MaxTextLineLength);
        _mode = InputMode.Data;
    }

    /// <summary>Reads the next <paramref name="size"/> octets as a chunk; with a rejection they are read and thrown away.</summary>
    internal void BeginChunk(long size, bool last, SmtpReply? rejection)
    {
        _chunkRemaining = size;
        _chunkSize = size;
        _chunkLast = last;
        _chunkRejection = rejection;
        if (rejection is null)
        {
            Transaction!.Body ??= NewBody();
        }
        _mode = InputMode.Chunk;
    }

    internal void RequestStartTls() => _startTlsRequested = true;

    internal void BeginAuth(AuthCommand.Exchange exchange)
    {
        PendingAuth = exchange;
        _mode = InputMode.AuthResponse;
    }

    /// <summary>Closes the connection after the current reply, used when the byte stream can no longer be followed.</summary>
    internal void CloseAfterReply() => _closeAfterReply = true;

    /// <summary>Hands the finished message to the store and returns its reply; the transaction ends either way.</summary>
    internal async ValueTask<SmtpReply> DeliverAsync(bool chunked, CancellationToken cancellationToken)
    {
        var transaction = Transaction!;
        var envelope = new SmtpEnvelope
        {
            SessionId = Info.SessionId,
            RemoteEndPoint = Info.RemoteEndPoint,
            HeloName = Info.HeloName ?? "",
            ReversePath = transaction.ReversePath,
            Recipients = [.. transaction.Recipients],
            IsTls = Info.IsTls,
            AuthenticatedUser = Info.AuthenticatedUser,
            SmtpUtf8 = transaction.SmtpUtf8,
            BodyType = transaction.BodyType,
            DeclaredSize = transaction.DeclaredSize,
            Chunked = chunked,
            ReceivedAt = Time.GetUtcNow(),
        };
        try
        {
            return await Store.StoreAsync(envelope, transaction.Body!, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return SmtpReplies.TemporaryFailure;
        }
        finally
        {
            ResetTransaction();
        }
    }

    public void Dispose() => ResetTransaction();

    private SmtpMessageBody NewBody() => new(Options.MemoryBufferThreshold, Options.TempDirectory);

    /// <summary>Collects one line up to LF; returns the bytes consumed and the line once complete and acceptable.</summary>
    private (int Consumed, string? Line) TakeLine(ReadOnlySpan<byte> input, List<SmtpReply> replies)
    {
        var limit = _mode == InputMode.AuthResponse ? Options.MaxAuthLineLength : Options.MaxCommandLineLength;
        var lf = input.IndexOf((byte)'\n');
        var part = lf < 0 ? input : input[..lf];
        if (!_discardingLongLine && _lineLength + part.Length + (lf < 0 ? 0 : 1) > limit)
        {
            _discardingLongLine = true;
        }
        if (!_discardingLongLine)
        {
            part.CopyTo(_line.AsSpan(_lineLength));
            _lineLength += part.Length;
        }
        if (lf < 0)
        {
            return (input.Length, null);
        }
        var line = _line.AsSpan(0, _lineLength);
        _lineLength = 0;
        if (_discardingLongLine)
        {
            // The rest of an over-long line is never read as a command.
            _discardingLongLine = false;
            Reject(SmtpReplies.LineTooLong, replies);
            return (lf + 1, null);
        }
        if (line.IsEmpty || line[^1] != '\r' || line[..^1].Contains((byte)'\r'))
        {
            Reject(SmtpReplies.BareLineFeedInCommand, replies);
            return (lf + 1, null);
        }
        if (line[..^1].ContainsAny(ControlCharacters))
        {
            Reject(SmtpReplies.ControlCharacterInCommand, replies);
            return (lf + 1, null);
        }
        try
        {
            return (lf + 1, StrictUtf8.GetString(line[..^1]));
        }
        catch (DecoderFallbackException)
        {
            Reject(SmtpReplies.InvalidUtf8, replies);
            return (lf + 1, null);
        }
    }

    private async ValueTask ProcessLineAsync(string line, List<SmtpReply> replies, CancellationToken cancellationToken)
    {
        if (_mode == InputMode.AuthResponse)
        {
            var authReply = await PendingAuth!.RespondAsync(this, line, cancellationToken);
            if (authReply.Code != 334)
            {
                PendingAuth = null;
                _mode = InputMode.Command;
            }
            Answer(authReply, replies);
            return;
        }
        if (++_commands > Options.MaxCommands)
        {
            replies.Add(SmtpReplies.TooManyCommands);
            State = SmtpState.Closed;
            return;
        }
        var command = SmtpCommand.Parse(line);
        if (command.Verb is not { } verb)
        {
            Reject(SmtpReplies.UnknownCommand, replies);
            return;
        }
        if (SmtpStateTable.Next(State, verb) is not { } next)
        {
            // An out-of-sequence BDAT still announces its chunk: read it so its bytes are not taken as commands.
            if (verb == SmtpVerb.Bdat && BdatCommand.TryParse(command.Arguments, out var size, out var last))
            {
                BeginChunk(size, last, SmtpReplies.BadSequence);
                return;
            }
            Reject(SmtpReplies.BadSequence, replies);
            return;
        }
        var reply = await Handlers[verb].ExecuteAsync(this, command.Arguments, cancellationToken);
        if (reply is null || reply.Code < 400)
        {
            State = next;
        }
        if (reply is not null)
        {
            Answer(reply, replies);
        }
    }

    private void Answer(SmtpReply reply, List<SmtpReply> replies)
    {
        if (IsBadCommand(reply))
        {
            Reject(reply, replies);
        }
        else
        {
            replies.Add(reply);
        }
        if (_closeAfterReply)
        {
            State = SmtpState.Closed;
        }
    }

    private static bool IsBadCommand(SmtpReply reply) => reply.Code is 500 or 501 or 502 or 503 or 504 or 535 or 555;

    private void Reject(SmtpReply reply, List<SmtpReply> replies)
    {
        replies.Add(reply);
        if (++_badCommands >= Options.MaxBadCommands)
        {
            replies.Add(SmtpReplies.TooManyErrors);
            State = SmtpState.Closed;
        }
    }

    private void ReceiveChunk(ReadOnlySpan<byte> bytes)
    {
        _chunkRemaining -= bytes.Length;
        if (_chunkRejection is not null)
        {
            return;
        }
        var transaction = Transaction!;
        transaction.ChunkedSize += bytes.Length;
        if (transaction.ChunkedSize > Options.MaxMessageSize)
        {
            transaction.SizeExceeded = true;
        }
        if (!transaction.SizeExceeded)
        {
            transaction.Body!.Write(bytes);
        }
    }

    private async ValueTask FinishChunkAsync(List<SmtpReply> replies, CancellationToken cancellationToken)
    {
        _mode = InputMode.Command;
        if (_chunkRejection is { } rejection)
        {
            _chunkRejection = null;
            Reject(rejection, replies);
        }
        else if (Transaction!.SizeExceeded)
        {
            // RFC 3030: after a failed chunk the transaction is over; later chunks are out of sequence.
            ResetTransaction();
            State = SmtpState.Greeted;
            replies.Add(SmtpReplies.MessageTooBig);
        }
        else if (!_chunkLast)
        {
            replies.Add(SmtpReplies.ChunkReceived(_chunkSize));
        }
        else
        {
            State = SmtpState.Greeted;
            replies.Add(await DeliverAsync(chunked: true, cancellationToken));
        }
    }

    private async ValueTask FinishDataAsync(List<SmtpReply> replies, CancellationToken cancellationToken)
    {
        var data = _data!;
        _data = null;
        _mode = InputMode.Command;
        if (data.BareLineBreak || data.SizeExceeded || data.LineTooLong)
        {
            ResetTransaction();
            replies.Add(data.BareLineBreak ? SmtpReplies.BareLineBreakInData
                : data.SizeExceeded ? SmtpReplies.MessageTooBig
                : SmtpReplies.LineTooLongInData);
            return;
        }
        replies.Add(await DeliverAsync(chunked: false, cancellationToken));
    }
}
