using System.Diagnostics;
using System.Net;
using Mailroom.MailAuth.Dns;

namespace Mailroom.MailAuth.Tests;

[Collection(DnsmasqCollection.Name)]
public sealed class DnsClientTests(DnsmasqFixture dns)
{
    [Fact]
    public async Task Mx_records_come_sorted_by_preference()
    {
        var mx = await dns.CreateClient().GetMxAsync("mail.test");

        Assert.Equal(["mx-a.mail.test", "mx-b.mail.test", "mx-c.mail.test"], mx.Select(r => r.Exchange));
        Assert.Equal([10, 20, 30], mx.Select(r => (int)r.Preference));
    }

    [Fact]
    public async Task Txt_character_strings_are_joined_per_record()
    {
        var client = dns.CreateClient();

        var response = await client.QueryAsync("long.mail.test", DnsRecordType.TXT);
        var record = Assert.Single(response.AnswersOf<DnsTxtRecord>(DnsRecordType.TXT));
        Assert.Equal([255, 100], record.Strings.Select(s => s.Length));
        Assert.Equal(new string('a', 255) + new string('b', 100), Assert.Single(await client.GetTxtAsync("long.mail.test")));
        Assert.Equal("hello world", Assert.Single(await client.GetTxtAsync("plain.mail.test")));
    }

    [Fact]
    public async Task Addresses_include_a_and_aaaa()
    {
        var addresses = await dns.CreateClient().GetAddressesAsync("host.mail.test");

        Assert.Equal([IPAddress.Parse("192.0.2.10"), IPAddress.Parse("2001:db8::10")], addresses);
    }

    [Fact]
    public async Task Cname_chains_are_followed()
    {
        var client = dns.CreateClient();

        Assert.Equal([IPAddress.Parse("192.0.2.10"), IPAddress.Parse("2001:db8::10")], await client.GetAddressesAsync("alias2.mail.test"));
        Assert.Equal("host.mail.test", await client.GetCanonicalNameAsync("alias2.mail.test"));
        var response = await client.QueryAsync("alias.mail.test", DnsRecordType.A);
        Assert.Contains(response.Answers, r => r is DnsNameRecord { Type: DnsRecordType.CNAME, Target: "host.mail.test" });
    }

    [Fact]
    public async Task Nxdomain_and_nodata_are_answers_not_errors()
    {
        var client = dns.CreateClient();

        var missing = await client.QueryAsync("missing.mail.test", DnsRecordType.A);
        Assert.Equal(DnsResponseCode.NameError, missing.ResponseCode);
        Assert.True(missing.IsEmpty);
        Assert.Empty(await client.GetMxAsync("missing.mail.test"));

        var noData = await client.QueryAsync("host.mail.test", DnsRecordType.TXT);
        Assert.Equal(DnsResponseCode.NoError, noData.ResponseCode);
        Assert.True(noData.IsEmpty);
    }

    [Fact]
    public async Task Refused_is_reported_by_the_typed_helpers()
    {
        // dnsmasq has no upstream for names outside .test and refuses them.
        var client = dns.CreateClient();

        var response = await client.QueryAsync("example.org", DnsRecordType.A);
        Assert.Equal(DnsResponseCode.Refused, response.ResponseCode);
        await Assert.ThrowsAsync<DnsException>(() => client.GetAddressesAsync("example.org"));
    }

    [Fact]
    public async Task Large_answers_fall_back_to_tcp()
    {
        // Twelve 200-octet strings do not fit in 512 octets (no EDNS) nor in 1232 (EDNS).
        foreach (var edns in (bool[])[false, true])
        {
            var texts = await dns.CreateClient(useEdns: edns).GetTxtAsync("big.mail.test");
            Assert.Equal(12, texts.Count);
            Assert.All(texts, t => Assert.Equal(200, t.Length));
        }
    }

    [Fact]
    public async Task Truncated_udp_answers_are_asked_again_over_tcp()
    {
        using var server = new FakeDnsServer
        {
            Handler = (query, tcp) => [FakeDnsServer.Respond(query, tcp ? [IPAddress.Parse("192.0.2.99")] : [], truncated: !tcp)],
        };
        var client = new DnsClient(new DnsClientOptions { Servers = [server.EndPoint], UseCache = false });

        var addresses = await client.GetAddressesAsync("truncated.example");

        Assert.Contains(IPAddress.Parse("192.0.2.99"), addresses);
        Assert.Equal(2, server.TcpQueries);
    }

    [Fact]
    public async Task Servers_that_reject_edns_are_asked_without_it()
    {
        using var server = new FakeDnsServer
        {
            // ARCOUNT (octets 10-11) is 1 only when the query carries an OPT record.
            Handler = (query, _) => [query[11] == 1
                ? FakeDnsServer.Respond(query, [], rcode: 1)
                : FakeDnsServer.Respond(query, [IPAddress.Parse("192.0.2.8")])],
        };
        var client = new DnsClient(new DnsClientOptions { Servers = [server.EndPoint], UseCache = false });

        var response = await client.QueryAsync("old.example", DnsRecordType.A);

        Assert.Equal(IPAddress.Parse("192.0.2.8"), Assert.Single(response.AnswersOf<DnsAddressRecord>(DnsRecordType.A)).Address);
        Assert.Equal(2, server.UdpQueries);
    }

    [Fact]
    public async Task Silent_servers_time_out_after_every_attempt()
    {
        using var silent = new FakeDnsServer();
        var client = new DnsClient(new DnsClientOptions
            { Servers = [silent.EndPoint], Timeout = TimeSpan.FromMilliseconds(200), Attempts = 2 });

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<DnsException>(() => client.QueryAsync("slow.example", DnsRecordType.A));

        Assert.Contains("did not answer", error.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(5));
        Assert.Equal(2, silent.UdpQueries);
    }

    [Fact]
    public async Task The_next_server_is_asked_when_one_is_silent()
    {
        using var silent = new FakeDnsServer();
        var client = new DnsClient(new DnsClientOptions
            { Servers = [silent.EndPoint, dns.EndPoint], Timeout = TimeSpan.FromMilliseconds(200), Attempts = 1 });

        Assert.Equal("hello world", Assert.Single(await client.GetTxtAsync("plain.mail.test")));
        Assert.Equal(1, silent.UdpQueries);
    }

    [Fact]
    public async Task Responses_with_another_id_or_question_are_ignored()
    {
        using var server = new FakeDnsServer
        {
            Handler = (query, _) =>
            {
                var forged = FakeDnsServer.Respond(query, [IPAddress.Parse("203.0.113.66")]);
                forged[0] ^= 0xFF;
                return [forged, FakeDnsServer.Respond(query, [IPAddress.Parse("192.0.2.1")])];
            },
        };
        var client = new DnsClient(new DnsClientOptions { Servers = [server.EndPoint], UseCache = false });

        var response = await client.QueryAsync("forged.example", DnsRecordType.A);

        Assert.Equal(IPAddress.Parse("192.0.2.1"), Assert.Single(response.AnswersOf<DnsAddressRecord>(DnsRecordType.A)).Address);
    }

    [Fact]
    public async Task Garbage_with_our_id_is_an_error_not_a_hang()
    {
        using var server = new FakeDnsServer
        {
            Handler = (query, _) => [[query[0], query[1], 0x81, 0x80, 0, 1, 0, 5, 0xC0]],
        };
        var client = new DnsClient(new DnsClientOptions
            { Servers = [server.EndPoint], Timeout = TimeSpan.FromSeconds(5), Attempts = 1 });

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<DnsException>(() => client.QueryAsync("garbage.example", DnsRecordType.A));

        Assert.IsType<DnsFormatException>(error.InnerException);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Answers_are_cached_for_their_ttl()
    {
        using var server = new FakeDnsServer
        {
            Handler = (query, _) => [FakeDnsServer.Respond(query, [IPAddress.Parse("192.0.2.7")], ttl: 60)],
        };
        var time = new ManualTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));
        var client = new DnsClient(new DnsClientOptions { Servers = [server.EndPoint] }, time);

        await client.QueryAsync("cached.example", DnsRecordType.A);
        await client.QueryAsync("CACHED.example.", DnsRecordType.A);
        Assert.Equal(1, server.UdpQueries);

        time.Advance(TimeSpan.FromSeconds(61));
        await client.QueryAsync("cached.example", DnsRecordType.A);
        Assert.Equal(2, server.UdpQueries);
    }

    [Fact]
    public async Task Negative_answers_are_cached_briefly_and_failures_not_at_all()
    {
        var rcode = 3;
        using var server = new FakeDnsServer { Handler = (query, _) => [FakeDnsServer.Respond(query, [], rcode: rcode)] };
        var time = new ManualTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));
        var client = new DnsClient(new DnsClientOptions
            { Servers = [server.EndPoint], Attempts = 1, MaxNegativeCacheTime = TimeSpan.FromSeconds(30) }, time);

        Assert.Equal(DnsResponseCode.NameError, (await client.QueryAsync("gone.example", DnsRecordType.A)).ResponseCode);
        await client.QueryAsync("gone.example", DnsRecordType.A);
        Assert.Equal(1, server.UdpQueries);
        time.Advance(TimeSpan.FromSeconds(31));

        rcode = 2;
        Assert.Equal(DnsResponseCode.ServerFailure, (await client.QueryAsync("gone.example", DnsRecordType.A)).ResponseCode);
        await client.QueryAsync("gone.example", DnsRecordType.A);
        Assert.Equal(3, server.UdpQueries);
    }

    [Fact]
    public async Task Real_answers_are_cached()
    {
        var client = dns.CreateClient(useCache: true);

        var first = await client.QueryAsync("host.mail.test", DnsRecordType.A);
        var second = await client.QueryAsync("host.mail.test", DnsRecordType.A);

        Assert.Same(first, second);
        Assert.Equal(300u, first.Answers[0].TimeToLive);
    }

    [Theory]
    [InlineData("127.0.0.1:5353", "127.0.0.1", 5353)]
    [InlineData("127.0.0.1", "127.0.0.1", 53)]
    [InlineData(" 10.0.0.2 ", "10.0.0.2", 53)]
    [InlineData("::1", "::1", 53)]
    [InlineData("[::1]:5353", "::1", 5353)]
    public void Server_strings_parse(string text, string address, int port)
    {
        var endPoint = DnsClientOptions.ParseServer(text);

        Assert.Equal(IPAddress.Parse(address), endPoint.Address);
        Assert.Equal(port, endPoint.Port);
    }

    [Theory]
    [InlineData("dns.example")]
    [InlineData("127.0.0.1:")]
    [InlineData("")]
    public void Bad_server_strings_are_rejected(string text) =>
        Assert.Throws<FormatException>(() => DnsClientOptions.ParseServer(text));

    [Fact]
    public void Without_servers_the_system_resolvers_are_used()
    {
        var options = DnsClientOptions.FromServers([]);
        Assert.NotEmpty(options.Servers);
        Assert.Equal(DnsClientOptions.SystemServers(), options.Servers);

        var configured = DnsClientOptions.FromServers(["127.0.0.1:5353", "192.0.2.53"]);
        Assert.Equal(["127.0.0.1:5353", "192.0.2.53:53"], configured.Servers.Select(s => s.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData("label-longer-than-sixty-three-characters-is-not-allowed-in-dns-names.example")]
    public async Task Invalid_names_are_refused_before_asking(string name) =>
        await Assert.ThrowsAsync<ArgumentException>(() => dns.CreateClient().QueryAsync(name, DnsRecordType.A));
}
