using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Mailroom.Core.Common;

/// <summary>
/// Prefixed, time-sortable identifiers (<c>inb_01J…</c>): 48 bits of milliseconds then 80 random bits,
/// written in Crockford base32 so that string order is creation order.
/// </summary>
public static class Ids
{
    public const string Organization = "org";
    public const string ApiKey = "key";
    public const string Domain = "dom";
    public const string Inbox = "inb";
    public const string Agent = "agt";
    public const string Thread = "thr";
    public const string Message = "msg";
    public const string Attachment = "att";
    public const string Draft = "drf";
    public const string Webhook = "wh";
    public const string Event = "evt";
    public const string WebhookDelivery = "whd";
    public const string OutboundDelivery = "dlv";
    public const string InboundSpool = "spl";
    public const string PhoneNumber = "phn";
    public const string SmsMessage = "sms";
    public const string Channel = "chn";
    public const string Task = "tsk";

    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    private static readonly Lock Gate = new();
    private static long _lastMs;
    private static readonly byte[] LastRandom = new byte[10];

    /// <summary>
    /// A new id; ids made in the same millisecond by this process increase (the random part counts up), so
    /// ordering by id is creation order here too.
    /// </summary>
    public static string New(string prefix, TimeProvider? time = null) => prefix + "_" + Sortable(time);

    /// <summary>The time-ordered part of an id alone: for keys that need order (B-tree inserts at the end) but no prefix.</summary>
    public static string Sortable(TimeProvider? time = null)
    {
        var ms = (time ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();
        Span<byte> bytes = stackalloc byte[16];
        lock (Gate)
        {
            if (ms <= _lastMs)
            {
                ms = _lastMs;
                for (var i = LastRandom.Length - 1; i >= 0 && ++LastRandom[i] == 0; i--) { }
            }
            else
            {
                _lastMs = ms;
                RandomNumberGenerator.Fill(LastRandom);
                LastRandom[0] &= 0x7F; // headroom so that counting up within a millisecond cannot wrap
            }
            LastRandom.CopyTo(bytes[6..]);
        }
        for (var i = 5; i >= 0; i--) { bytes[i] = (byte)(ms & 0xFF); ms >>= 8; }
        return Base32(bytes);
    }

    /// <summary>
    /// The same 128 bits as a UUID (<c>inb_01j…</c> and <c>0190…-…</c> name one thing): for dialects whose ids are
    /// UUIDs. Null when <paramref name="id"/> is not a prefixed id of this class.
    /// </summary>
    public static Guid? ToUuid(string id)
    {
        var separator = id.IndexOf('_');
        var text = id.AsSpan(separator + 1);
        if (separator <= 0 || text.Length != 26 || text[0] > '7') return null;
        UInt128 value = 0;
        foreach (var c in text)
        {
            var digit = Alphabet.IndexOf(c);
            if (digit < 0) return null;
            value = (value << 5) | (uint)digit;
        }
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The prefixed id a UUID from <see cref="ToUuid"/> stands for.</summary>
    public static string FromUuid(string prefix, Guid uuid)
    {
        Span<byte> bytes = stackalloc byte[16];
        uuid.TryWriteBytes(bytes, bigEndian: true, out _);
        return prefix + "_" + Base32(bytes);
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        // 128 bits -> 26 characters, most significant first.
        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return string.Create(26, value, static (chars, v) =>
        {
            for (var i = 25; i >= 0; i--)
            {
                chars[i] = Alphabet[(int)(v & 31)];
                v >>= 5;
            }
        });
    }
}
