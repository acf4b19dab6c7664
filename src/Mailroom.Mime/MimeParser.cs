using System.Buffers;
using System.Text;
using Mailroom.Mime.Internal;

namespace Mailroom.Mime;

/// <summary>
/// Reads a message with an explicit state machine over a buffered line reader. Each open entity is a
/// frame on a stack; every line either changes a frame's state (header line, blank line, boundary) or
/// just extends the current body, whose bytes are never copied: bodies are offsets into the raw message.
/// </summary>
public sealed class MimeParser
{
    private enum State
    {
        Headers,
        LeafBody,
        Preamble,
        Children,
        Epilogue,
        EmbeddedMessage,
    }

    private sealed class Frame
    {
        public State State;
        public MimeEntity? Entity;
        public byte[]? Delimiter; // "--" + boundary, for multiparts
        public long HeaderStart;
        public ContentType DefaultType = ContentType.TextPlain;
    }

    private readonly MimeParserOptions _options;
    private readonly int _encodedDepth;

    private readonly List<Frame> _stack = [];
    private readonly List<MimeEntity> _entities = [];
    private readonly List<Header> _headers = [];
    private byte[] _field = new byte[256];
    private int _fieldLength;
    private int _fieldNameLength = -1;
    private int _lineLength;
    private int _previousBreak;
    private MimeEntity? _root;

    public MimeParser(MimeParserOptions? options = null) : this(options ?? MimeParserOptions.Default, 0) { }

    private MimeParser(MimeParserOptions options, int encodedDepth)
    {
        _options = options;
        _encodedDepth = encodedDepth;
    }

    /// <summary>Parses a message from a stream, keeping its raw bytes in chunks (read once, never regrown).</summary>
    public static MimeMessage Parse(Stream stream, MimeParserOptions? options = null) => new MimeParser(options).ParseMessage(stream);

    public MimeMessage ParseMessage(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long expectedLength = 0;
        try
        {
            if (stream.CanSeek) expectedLength = Math.Max(0, stream.Length - stream.Position);
        }
        catch (NotSupportedException)
        {
            // A stream that claims to seek but cannot tell its length is read like any other.
        }
        if (expectedLength > _options.MaxMessageSize)
            throw new MimeFormatException($"Message is larger than MaxMessageSize ({_options.MaxMessageSize} bytes).");
        var raw = new RawBuffer(expectedLength);
        try
        {
            using var reader = new LineReader(stream, raw, _options.MaxMessageSize);
            Run(reader);
        }
        catch (IOException e)
        {
            throw new MimeFormatException("Could not read the message: " + e.Message, e);
        }
        return Finish(raw.ToSequence());
    }

    /// <summary>Parses a message held in memory without copying it.</summary>
    public MimeMessage ParseMessage(ReadOnlyMemory<byte> data)
    {
        if (data.Length > _options.MaxMessageSize)
            throw new MimeFormatException($"Message is larger than MaxMessageSize ({_options.MaxMessageSize} bytes).");
        Run(new LineReader(data));
        return Finish(new ReadOnlySequence<byte>(data));
    }

    private MimeMessage Finish(ReadOnlySequence<byte> source)
    {
        foreach (var entity in _entities) entity.Source = source;
        foreach (var entity in _entities)
        {
            if (entity is MessagePart { Message: null } encoded) encoded.Message = ParseEncoded(encoded);
            else if (entity is MessagePart part) part.Message = new MimeMessage(part.Message.Body, source);
        }
        return new MimeMessage(_root!, source);
    }

    private void Run(LineReader reader)
    {
        _stack.Add(new Frame { State = State.Headers, HeaderStart = 0 });
        while (reader.Read(out var fragment, out var offset, out var atLineStart))
        {
            if (atLineStart && fragment.Length >= 2 && fragment[0] == '-' && fragment[1] == '-'
                && MatchBoundary(fragment, out var index, out var closing))
                OnBoundary(index, closing, offset, fragment);
            else if (_stack[^1].State == State.Headers)
                OnHeaderFragment(fragment, offset, atLineStart);

            _previousBreak = fragment.EndsWith("\r\n"u8) ? 2 : fragment.EndsWith("\n"u8) ? 1 : 0;
        }
        var end = reader.Position;
        // A delimiter that is the last line opens no part: there is nothing after it, not even a header block.
        if (_stack.Count > 1 && _stack[^1] is { State: State.Headers } last && last.HeaderStart >= end && _headers.Count == 0 && _fieldNameLength < 0)
            _stack.RemoveAt(_stack.Count - 1);
        while (_stack.Count > 0) CloseTop(end, end);
    }

    private bool MatchBoundary(ReadOnlySpan<byte> line, out int index, out bool closing)
    {
        for (index = _stack.Count - 1; index >= 0; index--)
        {
            var frame = _stack[index];
            if (frame.Delimiter is null || frame.State == State.Epilogue || !line.StartsWith(frame.Delimiter)) continue;
            var rest = line[frame.Delimiter.Length..];
            closing = rest.StartsWith("--"u8);
            if (closing) rest = rest[2..];
            return true; // RFC 2046 5.1.1: the boundary need only begin the line
        }
        closing = false;
        return false;
    }

    private void OnBoundary(int index, bool closing, long offset, ReadOnlySpan<byte> line)
    {
        var contentEnd = offset - _previousBreak;
        while (_stack.Count - 1 > index) CloseTop(contentEnd, offset);
        var frame = _stack[index];
        var multipart = (Multipart)frame.Entity!;
        var after = offset + line.Length;
        if (frame.State == State.Preamble) multipart.PreambleEnd = Math.Max(multipart.BodyStart, contentEnd);
        if (closing)
        {
            frame.State = State.Epilogue;
            multipart.EpilogueStart = after;
            return;
        }
        frame.State = State.Children;
        var defaultType = multipart.ContentType.Is("multipart", "digest") ? ContentType.MessageRfc822 : ContentType.TextPlain;
        Push(after, defaultType);
    }

    private void Push(long headerStart, ContentType defaultType)
    {
        if (_stack.Count > _options.MaxNestingDepth)
            throw new MimeFormatException($"MIME nesting is deeper than MaxNestingDepth ({_options.MaxNestingDepth}).");
        _stack.Add(new Frame { State = State.Headers, HeaderStart = headerStart, DefaultType = defaultType });
        _headers.Clear();
        _fieldNameLength = -1;
        _fieldLength = 0;
        _lineLength = 0;
    }

    private void OnHeaderFragment(ReadOnlySpan<byte> fragment, long offset, bool atLineStart)
    {
        var frame = _stack[^1];
        if (atLineStart)
        {
            _lineLength = 0;
            var blank = fragment.SequenceEqual("\n"u8) || fragment.SequenceEqual("\r\n"u8);
            if (blank)
            {
                EndHeaders(offset + fragment.Length);
                return;
            }
            if (fragment[0] is (byte)' ' or (byte)'\t')
            {
                // A folded line continues the current field; one with no field before it is dropped.
                if (_fieldNameLength >= 0) AppendField(fragment);
                return;
            }
            FinishField();
            if (_headers.Count == 0 && frame.HeaderStart == 0 && _stack.Count == 1 && fragment.StartsWith("From "u8))
                return; // mbox separator line
            var nameLength = FieldNameLength(fragment);
            if (nameLength < 0)
            {
                // Not a header line: skipped, the header block goes on to the blank line.
                return;
            }
            _fieldNameLength = nameLength;
            AppendField(fragment);
            return;
        }
        if (_fieldNameLength >= 0) AppendField(fragment);
    }

    private static int FieldNameLength(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0) return -1;
        var name = line[..colon].TrimEnd(" \t"u8);
        if (name.IsEmpty) return -1;
        foreach (var b in name)
            if (b <= 32 || b >= 127) return -1;
        return colon;
    }

    private void AppendField(ReadOnlySpan<byte> fragment)
    {
        _lineLength += fragment.Length;
        if (_lineLength > _options.MaxLineLength)
            throw new MimeFormatException($"Header line is longer than MaxLineLength ({_options.MaxLineLength} bytes).");
        if (_fieldLength + fragment.Length > _options.MaxHeaderLength)
            throw new MimeFormatException($"Header field is longer than MaxHeaderLength ({_options.MaxHeaderLength} bytes).");
        if (_fieldLength + fragment.Length > _field.Length)
            Array.Resize(ref _field, Math.Max(_field.Length * 2, _fieldLength + fragment.Length));
        fragment.CopyTo(_field.AsSpan(_fieldLength));
        _fieldLength += fragment.Length;
    }

    private void FinishField()
    {
        if (_fieldNameLength < 0) return;
        var field = _field.AsSpan(0, _fieldLength);
        if (field.EndsWith("\n"u8)) field = field[..^1];
        if (field.EndsWith("\r"u8)) field = field[..^1];
        var name = Encoding.ASCII.GetString(field[.._fieldNameLength].TrimEnd(" \t"u8));
        _headers.Add(new Header(name, field[(_fieldNameLength + 1)..].ToArray()));
        if (_headers.Count > _options.MaxHeaderCount)
            throw new MimeFormatException($"Header block has more than MaxHeaderCount ({_options.MaxHeaderCount}) fields.");
        _fieldNameLength = -1;
        _fieldLength = 0;
    }

    /// <summary>The header block is complete: decide what kind of entity it heads and enter its body state.</summary>
    private void EndHeaders(long bodyStart)
    {
        FinishField();
        var frame = _stack[^1];
        var headers = new HeaderList([.. _headers]);
        _headers.Clear();
        var parent = _stack.Count > 1 ? _stack[^2] : null;

        var type = MimeEntity.ContentTypeOf(headers, frame.DefaultType);
        var encoding = headers["Content-Transfer-Encoding"]?.Trim().ToLowerInvariant();
        MimeEntity entity;
        if (type.Is("multipart") && type.Boundary is { Length: > 0 } boundary)
        {
            entity = new Multipart(headers, frame.HeaderStart, frame.DefaultType, boundary);
            frame.Delimiter = Encoding.UTF8.GetBytes("--" + boundary);
            frame.State = State.Preamble;
        }
        else if (type.Is("message", "rfc822") || type.Is("message", "global"))
        {
            entity = new MessagePart(headers, frame.HeaderStart, frame.DefaultType);
            if (encoding is "base64" or "quoted-printable")
                frame.State = State.LeafBody; // decoded and parsed once complete
            else
            {
                frame.State = State.EmbeddedMessage;
                frame.Entity = entity;
                Register(entity, parent, bodyStart);
                Push(bodyStart, ContentType.TextPlain);
                return;
            }
        }
        else
        {
            entity = new MimePart(headers, frame.HeaderStart, frame.DefaultType);
            frame.State = State.LeafBody;
        }
        frame.Entity = entity;
        Register(entity, parent, bodyStart);
    }

    private void Register(MimeEntity entity, Frame? parent, long bodyStart)
    {
        entity.BodyStart = bodyStart;
        entity.BodyEnd = bodyStart;
        _entities.Add(entity);
        if (_entities.Count > _options.MaxParts)
            throw new MimeFormatException($"Message has more than MaxParts ({_options.MaxParts}) MIME entities.");
        switch (parent?.Entity)
        {
            case null: _root = entity; break;
            case Multipart multipart: multipart.Add(entity); break;
            case MessagePart message: message.Message = new MimeMessage(entity, default); break;
        }
    }

    /// <summary>Ends the innermost open entity at <paramref name="contentEnd"/>.</summary>
    private void CloseTop(long contentEnd, long boundaryStart)
    {
        var frame = _stack[^1];
        if (frame.State == State.Headers) EndHeaders(boundaryStart);
        frame = _stack[^1];
        if (frame.State == State.Headers) return; // an embedded message's header frame was just pushed; close it next round
        var entity = frame.Entity!;
        entity.BodyEnd = Math.Max(entity.BodyStart, contentEnd);
        _stack.RemoveAt(_stack.Count - 1);
    }

    private MimeMessage ParseEncoded(MessagePart part)
    {
        if (_encodedDepth >= _options.MaxEncodedMessageDepth)
            throw new MimeFormatException($"Encoded message/rfc822 parts nest deeper than MaxEncodedMessageDepth ({_options.MaxEncodedMessageDepth}).");
        var decoder = ContentDecoders.For(part.ContentTransferEncoding);
        var raw = part.RawBody;
        var output = new byte[2 * raw.Length + ContentDecoders.Slack];
        var n = 0;
        foreach (var segment in raw) n += decoder.Decode(segment.Span, output.AsSpan(n));
        return new MimeParser(_options, _encodedDepth + 1).ParseMessage(output.AsMemory(0, n));
    }
}
