using System.Net;
using Mailroom.MailAuth.Dns;
using Mailroom.MailAuth.Spf;

namespace Mailroom.MailAuth.Tests;

[Collection(DnsmasqCollection.Name)]
public sealed class SpfTests(DnsmasqFixture dns)
{
    private SpfEvaluator Evaluator() => new(dns.CreateClient(useCache: true));

    [Theory]
    [InlineData("192.0.2.5", "pass.spf.test", SpfResult.Pass)]
    [InlineData("198.51.100.1", "pass.spf.test", SpfResult.Fail)]
    [InlineData("::ffff:192.0.2.5", "pass.spf.test", SpfResult.Pass)]
    [InlineData("192.0.2.5", "soft.spf.test", SpfResult.SoftFail)]
    [InlineData("192.0.2.5", "neutral.spf.test", SpfResult.Neutral)]
    [InlineData("192.0.2.5", "noall.spf.test", SpfResult.Neutral)]
    [InlineData("2001:db8:1::5", "ip6.spf.test", SpfResult.Pass)]
    [InlineData("2001:db9::5", "ip6.spf.test", SpfResult.Fail)]
    [InlineData("192.0.2.5", "ip6.spf.test", SpfResult.Fail)]
    [InlineData("192.0.2.20", "a.spf.test", SpfResult.Pass)]
    [InlineData("2001:db8::20", "a.spf.test", SpfResult.Pass)]
    [InlineData("192.0.2.21", "a.spf.test", SpfResult.Fail)]
    [InlineData("198.51.100.99", "acidr.spf.test", SpfResult.Pass)]
    [InlineData("198.51.101.7", "acidr.spf.test", SpfResult.Fail)]
    [InlineData("203.0.113.14", "mx.spf.test", SpfResult.Pass)]
    [InlineData("203.0.113.17", "mx.spf.test", SpfResult.Fail)]
    [InlineData("192.0.2.5", "include.spf.test", SpfResult.Pass)]
    [InlineData("198.51.100.1", "include.spf.test", SpfResult.Fail)]
    [InlineData("192.0.2.77", "exists.spf.test", SpfResult.Pass)]
    [InlineData("192.0.2.78", "exists.spf.test", SpfResult.Fail)]
    [InlineData("192.0.2.5", "ptr.spf.test", SpfResult.Fail)]
    [InlineData("192.0.2.5", "redirect.spf.test", SpfResult.Pass)]
    [InlineData("198.51.100.1", "redirect.spf.test", SpfResult.Fail)]
    [InlineData("192.0.2.3", "macro.spf.test", SpfResult.Pass)]
    [InlineData("192.0.2.4", "macro.spf.test", SpfResult.Fail)]
    [InlineData("192.0.2.5", "other.spf.test", SpfResult.None)]
    [InlineData("192.0.2.5", "nothing.spf.test", SpfResult.None)]
    [InlineData("192.0.2.5", "localhost", SpfResult.None)]
    public async Task Mechanisms_and_qualifiers(string client, string domain, SpfResult expected)
    {
        var evaluation = await Evaluator().EvaluateAsync(IPAddress.Parse(client), domain, "user");

        Assert.Equal(expected, evaluation.Result);
        Assert.Equal(domain, evaluation.Domain);
    }

    [Theory]
    [InlineData("limit11.spf.test", "more than 10 DNS lookups")]
    [InlineData("void.spf.test", "more than 2 void DNS lookups")]
    [InlineData("two.spf.test", "two.spf.test publishes 2 SPF records")]
    [InlineData("badip.spf.test", "bad mechanism 'ip4:192.0.2.300'")]
    [InlineData("badterm.spf.test", "unknown term 'foo:bar'")]
    [InlineData("incnone.spf.test", "include: no SPF record at nothing.spf.test")]
    [InlineData("redirnone.spf.test", "redirect=nothing.spf.test has no SPF record")]
    public async Task Permanent_errors(string domain, string reason)
    {
        var evaluation = await Evaluator().EvaluateAsync(IPAddress.Parse("192.0.2.5"), domain, "user");

        Assert.Equal(SpfResult.PermError, evaluation.Result);
        Assert.Equal(reason, evaluation.Reason);
    }

    [Fact]
    public async Task Ten_lookups_are_allowed()
    {
        var evaluation = await Evaluator().EvaluateAsync(IPAddress.Parse("192.0.2.5"), "limit10.spf.test", "user");

        Assert.Equal(SpfResult.Fail, evaluation.Result);
    }

    [Fact]
    public async Task Local_part_macros_use_the_sender()
    {
        var evaluator = Evaluator();
        var client = IPAddress.Parse("192.0.2.9");

        Assert.Equal(SpfResult.Pass, (await evaluator.EvaluateAsync(client, "local.spf.test", "strong-bad")).Result);
        Assert.Equal(SpfResult.Fail, (await evaluator.EvaluateAsync(client, "local.spf.test", "weak-good")).Result);
    }

    [Fact]
    public async Task An_empty_reverse_path_checks_the_helo_identity()
    {
        var evaluator = Evaluator();

        var helo = await evaluator.EvaluateMailFromAsync(IPAddress.Parse("192.0.2.44"), "", "helo.spf.test");
        Assert.Equal(SpfResult.Pass, helo.Result);
        Assert.True(helo.IsHelo);
        Assert.Equal("helo.spf.test", helo.Sender);

        var mailFrom = await evaluator.EvaluateMailFromAsync(IPAddress.Parse("192.0.2.5"), "bounce@pass.spf.test", "helo.spf.test");
        Assert.Equal(SpfResult.Pass, mailFrom.Result);
        Assert.False(mailFrom.IsHelo);
        Assert.Equal("bounce@pass.spf.test", mailFrom.Sender);
        Assert.Equal("matched ip4:192.0.2.0/24 at pass.spf.test", mailFrom.Reason);
    }

    [Fact]
    public async Task Dns_failures_are_temperrors()
    {
        var evaluator = new SpfEvaluator(new ServFailResolver());

        var evaluation = await evaluator.EvaluateAsync(IPAddress.Parse("192.0.2.5"), "pass.spf.test", "user");

        Assert.Equal(SpfResult.TempError, evaluation.Result);
    }

    [Fact]
    public async Task Dns_failures_inside_an_include_are_temperrors()
    {
        var evaluator = new SpfEvaluator(new ServFailResolver { Healthy = dns.CreateClient(), FailingName = "pass.spf.test" });

        var evaluation = await evaluator.EvaluateAsync(IPAddress.Parse("192.0.2.5"), "include.spf.test", "user");

        Assert.Equal(SpfResult.TempError, evaluation.Result);
    }

    private sealed class ServFailResolver : IDnsResolver
    {
        public IDnsResolver? Healthy { get; init; }
        public string? FailingName { get; init; }

        public Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default) =>
            Healthy is not null && name != FailingName
                ? Healthy.QueryAsync(name, type, cancellationToken)
                : Task.FromResult(new DnsResponse(name, type, DnsResponseCode.ServerFailure, [], []));
    }
}
