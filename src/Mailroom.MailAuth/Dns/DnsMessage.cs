using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Mailroom.MailAuth.Dns;

/// <summary>The question section entry (RFC 1035 §4.1.2).</summary>
public sealed record DnsQuestion(string Name, DnsRecordType Type, ushort Class);

/// <summary>A DNS message (RFC 1035 §4.1): queries are written, responses are read by a total parser.</summary>
public sealed class DnsMessage
{
    public const ushort ClassIn = 1;
    private const int HeaderLength = 12;
    private const int MaxPointerHops = 127;

    public ushort Id { get; private init; }
    public bool IsResponse { get; private init; }
    public bool IsTruncated { get; private init; }
    public DnsResponseCode ResponseCode { get; private init; }
    public IReadOnlyList<DnsQuestion> Questions { get; private init; } = [];
    public IReadOnlyList<DnsRecord> Answers { get; private init; } = [];
    public IReadOnlyList<DnsRecord> Authorities { get; private init; } = [];

    /// <summary>A recursive query for one question, with an EDNS0 OPT record (RFC 6891) when <paramref name="ednsPayloadSize"/> is given.</summary>
    public static byte[] WriteQuery(ushort id, string name, DnsRecordType type, ushort? ednsPayloadSize)
    {
        var output = new List<byte>(64);
        WriteUInt16(output, id);
        WriteUInt16(output, 0x0100); // RD: ask the server to recurse.
        WriteUInt16(output, 1);
        WriteUInt16(output, 0);
        WriteUInt16(output, 0);
        WriteUInt16(output, (ushort)(ednsPayloadSize is null ? 0 : 1));
        DnsName.Write(name, output);
        WriteUInt16(output, (ushort)type);
        WriteUInt16(output, ClassIn);
        if (ednsPayloadSize is { } size)
        {
            output.Add(0); // root owner name
            WriteUInt16(output, (ushort)DnsRecordType.OPT);
            WriteUInt16(output, size); // CLASS carries the requestor's UDP payload size.
            WriteUInt16(output, 0);
            WriteUInt16(output, 0);
            WriteUInt16(output, 0);
        }
        return [.. output];
    }

    private static void WriteUInt16(List<byte> output, ushort value)
    {
        output.Add((byte)(value >> 8));
        output.Add((byte)value);
    }

    /// <summary>
    /// Reads a response. Any byte sequence gives a message or a <see cref="DnsFormatException"/>; a truncated
    /// (TC) response is read only up to its question, since the rest may be cut anywhere.
    /// </summary>
    public static DnsMessage Parse(ReadOnlySpan<byte> packet)
    {
        var reader = new Reader(packet);
        var id = reader.ReadUInt16();
        var flags = reader.ReadUInt16();
        var questionCount = reader.ReadUInt16();
        var answerCount = reader.ReadUInt16();
        var authorityCount = reader.ReadUInt16();
        var additionalCount = reader.ReadUInt16();
        var truncated = (flags & 0x0200) != 0;

        var questions = new List<DnsQuestion>(Math.Min((int)questionCount, 4));
        for (var i = 0; i < questionCount; i++)
            questions.Add(new DnsQuestion(reader.ReadName(), (DnsRecordType)reader.ReadUInt16(), reader.ReadUInt16()));

        var answers = new List<DnsRecord>();
        var authorities = new List<DnsRecord>();
        if (!truncated)
        {
            for (var i = 0; i < answerCount; i++)
                reader.ReadRecord(answers);
            for (var i = 0; i < authorityCount; i++)
                reader.ReadRecord(authorities);
            for (var i = 0; i < additionalCount; i++)
                reader.ReadRecord(null);
        }

        return new DnsMessage
        {
            Id = id,
            IsResponse = (flags & 0x8000) != 0,
            IsTruncated = truncated,
            ResponseCode = (DnsResponseCode)(flags & 0x000F),
            Questions = questions,
            Answers = answers,
            Authorities = authorities,
        };
    }

    private ref struct Reader(ReadOnlySpan<byte> packet)
    {
        private readonly ReadOnlySpan<byte> _packet = packet;
        private int _position;

        public ushort ReadUInt16()
        {
            Need(_position, 2);
            var value = BinaryPrimitives.ReadUInt16BigEndian(_packet[_position..]);
            _position += 2;
            return value;
        }

        private uint ReadUInt32()
        {
            Need(_position, 4);
            var value = BinaryPrimitives.ReadUInt32BigEndian(_packet[_position..]);
            _position += 4;
            return value;
        }

        private readonly void Need(int at, int count)
        {
            if (at < 0 || count > _packet.Length - at)
                throw new DnsFormatException("The message ends inside a field.");
        }

        /// <summary>
        /// Reads a possibly compressed name. Pointers must point strictly backwards from the label
        /// sequence that holds them, so every chain ends; the hop count is bounded as well.
        /// </summary>
        public string ReadName()
        {
            var builder = new StringBuilder();
            var at = _position;
            var sequenceStart = at;
            int? resumeAt = null;
            var wireLength = 1;
            for (var hops = 0; ; )
            {
                Need(at, 1);
                var length = _packet[at];
                switch (length & 0xC0)
                {
                    case 0x00 when length == 0:
                        _position = resumeAt ?? at + 1;
                        return builder.ToString();
                    case 0x00:
                        Need(at + 1, length);
                        wireLength += length + 1;
                        if (wireLength > DnsName.MaxWireLength)
                            throw new DnsFormatException("A name is longer than 255 octets.");
                        if (builder.Length > 0)
                            builder.Append('.');
                        builder.Append(Encoding.Latin1.GetString(_packet.Slice(at + 1, length)));
                        at += length + 1;
                        break;
                    case 0xC0:
                        Need(at, 2);
                        var target = ((length & 0x3F) << 8) | _packet[at + 1];
                        if (target >= sequenceStart || ++hops > MaxPointerHops)
                            throw new DnsFormatException("A compression pointer does not point backwards.");
                        resumeAt ??= at + 2;
                        at = sequenceStart = target;
                        break;
                    default:
                        throw new DnsFormatException("A label uses a reserved length type.");
                }
            }
        }

        /// <summary>Reads one resource record and adds it to <paramref name="section"/> unless that is null.</summary>
        public void ReadRecord(List<DnsRecord>? section)
        {
            var name = ReadName();
            var type = (DnsRecordType)ReadUInt16();
            ReadUInt16(); // CLASS: only IN is asked for.
            var ttl = ReadUInt32();
            if (ttl > int.MaxValue)
                ttl = 0; // RFC 2181 §8: a TTL with the top bit set is treated as zero.
            var dataLength = ReadUInt16();
            Need(_position, dataLength);
            var dataEnd = _position + dataLength;
            DnsRecord record = type switch
            {
                DnsRecordType.A or DnsRecordType.AAAA => ReadAddress(name, type, ttl, dataLength),
                DnsRecordType.CNAME or DnsRecordType.PTR or DnsRecordType.NS => new DnsNameRecord(name, type, ttl, ReadName()),
                DnsRecordType.MX => new DnsMxRecord(name, ttl, ReadUInt16(), ReadName()),
                DnsRecordType.TXT => ReadTxt(name, ttl, dataEnd),
                DnsRecordType.SOA => ReadSoa(name, ttl),
                _ => new DnsUnknownRecord(name, type, ttl, _packet.Slice(_position, dataLength).ToArray()),
            };
            if (type is not (DnsRecordType.A or DnsRecordType.AAAA or DnsRecordType.TXT) && record is not DnsUnknownRecord
                && _position != dataEnd)
                throw new DnsFormatException($"The {type} record data does not match its length.");
            _position = dataEnd;
            section?.Add(record);
        }

        private DnsAddressRecord ReadAddress(string name, DnsRecordType type, uint ttl, int dataLength)
        {
            var expected = type == DnsRecordType.A ? 4 : 16;
            if (dataLength != expected)
                throw new DnsFormatException($"An {type} record has {dataLength} octets of data.");
            return new DnsAddressRecord(name, type, ttl, new IPAddress(_packet.Slice(_position, expected)));
        }

        private DnsTxtRecord ReadTxt(string name, uint ttl, int dataEnd)
        {
            var strings = new List<string>();
            while (_position < dataEnd)
            {
                var length = _packet[_position];
                if (length > dataEnd - _position - 1)
                    throw new DnsFormatException("A TXT character-string runs past its record.");
                strings.Add(Encoding.UTF8.GetString(_packet.Slice(_position + 1, length)));
                _position += length + 1;
            }
            return new DnsTxtRecord(name, ttl, strings);
        }

        private DnsSoaRecord ReadSoa(string name, uint ttl)
        {
            var primary = ReadName();
            ReadName(); // RNAME
            for (var i = 0; i < 4; i++)
                ReadUInt32(); // SERIAL, REFRESH, RETRY, EXPIRE
            return new DnsSoaRecord(name, ttl, primary, ReadUInt32());
        }
    }
}
