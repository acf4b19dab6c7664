using System.Net;
using Mailroom.MailAuth.Dns;

namespace Mailroom.MailAuth.Tests;

[Collection(DnsmasqCollection.Name)]
public sealed class DnsMessageTests(DnsmasqFixture dns)
{
    [Fact]
    public void Queries_round_trip_through_the_parser()
    {
        var query = DnsMessage.WriteQuery(0x1234, "Mail.Example.", DnsRecordType.MX, 1232);
        var message = DnsMessage.Parse(query);

        Assert.Equal(0x1234, message.Id);
        Assert.False(message.IsResponse);
        Assert.Equal(new DnsQuestion("Mail.Example", DnsRecordType.MX, 1), Assert.Single(message.Questions));
    }

    [Fact]
    public void Compression_pointer_loops_are_format_errors()
    {
        byte[] selfLoop = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1];
        byte[] forward = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 14, 1, (byte)'a', 0, 0, 1, 0, 1];

        Assert.Throws<DnsFormatException>(() => DnsMessage.Parse(selfLoop));
        Assert.Throws<DnsFormatException>(() => DnsMessage.Parse(forward));
    }

    [Fact]
    public void Backward_pointers_are_followed()
    {
        // Question "a.b", then an answer named by a pointer to offset 12.
        byte[] packet =
        [
            0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
            1, (byte)'a', 1, (byte)'b', 0, 0, 1, 0, 1,
            0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1,
        ];

        var message = DnsMessage.Parse(packet);

        var answer = Assert.IsType<DnsAddressRecord>(Assert.Single(message.Answers));
        Assert.Equal("a.b", answer.Name);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), answer.Address);
    }

    [Fact]
    public async Task Mutated_real_responses_parse_or_fail_cleanly()
    {
        var samples = new List<byte[]>();
        foreach (var (name, type) in (ValueTuple<string, DnsRecordType>[])
                 [("mail.test", DnsRecordType.MX), ("long.mail.test", DnsRecordType.TXT),
                  ("alias.mail.test", DnsRecordType.A), ("host.mail.test", DnsRecordType.AAAA),
                  ("missing.mail.test", DnsRecordType.A)])
            samples.Add(await RawResponseAsync(name, type));
        foreach (var sample in samples)
            DnsMessage.Parse(sample);

        var random = new Random(20250601);
        for (var i = 0; i < 20_000; i++)
        {
            var packet = Mutate(samples[random.Next(samples.Count)], random);
            try
            {
                DnsMessage.Parse(packet);
            }
            catch (DnsFormatException)
            {
            }
        }
    }

    [Fact]
    public void Random_bytes_parse_or_fail_cleanly()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var packet = new byte[random.Next(0, 300)];
            random.NextBytes(packet);
            try
            {
                DnsMessage.Parse(packet);
            }
            catch (DnsFormatException)
            {
            }
        }
    }

    private static byte[] Mutate(byte[] sample, Random random)
    {
        var packet = sample.ToList();
        for (var edits = random.Next(1, 6); edits > 0 && packet.Count > 0; edits--)
        {
            var at = random.Next(packet.Count);
            switch (random.Next(4))
            {
                case 0: packet[at] = (byte)random.Next(256); break;
                case 1: packet.RemoveRange(at, packet.Count - at); break;
                case 2: packet.Insert(at, (byte)random.Next(256)); break;
                default: packet[at] = (byte)(0xC0 | random.Next(4)); break;
            }
        }
        return [.. packet];
    }

    private async Task<byte[]> RawResponseAsync(string name, DnsRecordType type)
    {
        using var udp = new System.Net.Sockets.UdpClient();
        udp.Connect(dns.EndPoint);
        await udp.SendAsync(DnsMessage.WriteQuery(42, name, type, null));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return (await udp.ReceiveAsync(timeout.Token)).Buffer;
    }
}
