using Mailroom.MailAuth.Dkim;
using Mailroom.MailAuth.Dmarc;
using Mailroom.MailAuth.Dns;
using Mailroom.MailAuth.Spf;

namespace Mailroom.MailAuth.Tests;

[Collection(DnsmasqCollection.Name)]
public sealed class DmarcTests(DnsmasqFixture dns)
{
    private DmarcEvaluator Evaluator() => new(dns.CreateClient());

    private static DkimVerificationResult Dkim(DkimResult result, string domain) => new(result, domain, "sel1");

    [Fact]
    public async Task An_aligned_dkim_pass_passes_and_the_policy_is_reported()
    {
        var evaluation = await Evaluator().EvaluateAsync("dmarc.test", SpfResult.Fail, "elsewhere.test", [Dkim(DkimResult.Pass, "dmarc.test")]);

        Assert.Equal(DmarcResult.Pass, evaluation.Result);
        Assert.True(evaluation.DkimAligned);
        Assert.False(evaluation.SpfAligned);
        var policy = evaluation.Policy!;
        Assert.Equal(("dmarc.test", DmarcDisposition.Reject, DmarcDisposition.Quarantine, 50), (policy.Domain, policy.Policy, policy.SubdomainPolicy, policy.Percent));
        Assert.Equal((DmarcAlignment.Relaxed, DmarcAlignment.Relaxed), (policy.DkimAlignment, policy.SpfAlignment));
        Assert.Equal("mailto:reports@dmarc.test", policy.AggregateReportUris);
    }

    [Fact]
    public async Task Relaxed_alignment_accepts_the_same_organizational_domain()
    {
        var viaSpf = await Evaluator().EvaluateAsync("dmarc.test", SpfResult.Pass, "bounces.dmarc.test", []);
        var viaDkim = await Evaluator().EvaluateAsync("news.dmarc.test", SpfResult.None, null, [Dkim(DkimResult.Pass, "dmarc.test")]);

        Assert.Equal(DmarcResult.Pass, viaSpf.Result);
        Assert.True(viaSpf.SpfAligned);
        Assert.Equal(DmarcResult.Pass, viaDkim.Result);
        Assert.Equal("dmarc.test", viaDkim.Policy!.Domain);
    }

    [Fact]
    public async Task Unaligned_or_failing_identifiers_fail_with_the_applicable_policy()
    {
        var unaligned = await Evaluator().EvaluateAsync("dmarc.test", SpfResult.Pass, "other.test",
            [Dkim(DkimResult.Pass, "other.test"), Dkim(DkimResult.Fail, "dmarc.test")]);
        var subdomain = await Evaluator().EvaluateAsync("news.dmarc.test", SpfResult.SoftFail, "news.dmarc.test", []);

        Assert.Equal(DmarcResult.Fail, unaligned.Result);
        Assert.Equal(DmarcDisposition.Reject, unaligned.AppliedPolicy);
        Assert.Equal(DmarcResult.Fail, subdomain.Result);
        Assert.Equal(DmarcDisposition.Quarantine, subdomain.AppliedPolicy);
    }

    [Fact]
    public async Task Strict_alignment_needs_the_exact_domain()
    {
        var sub = await Evaluator().EvaluateAsync("strict.test", SpfResult.Pass, "mail.strict.test", [Dkim(DkimResult.Pass, "mail.strict.test")]);
        var exact = await Evaluator().EvaluateAsync("strict.test", SpfResult.None, null, [Dkim(DkimResult.Pass, "STRICT.test")]);

        Assert.Equal(DmarcResult.Fail, sub.Result);
        Assert.Equal(DmarcDisposition.Quarantine, sub.AppliedPolicy);
        Assert.Equal(DmarcResult.Pass, exact.Result);
    }

    [Theory]
    [InlineData("nodmarc.test")]
    [InlineData("double.test")]
    public async Task Without_exactly_one_record_there_is_no_policy(string domain)
    {
        var evaluation = await Evaluator().EvaluateAsync(domain, SpfResult.Pass, domain, []);

        Assert.Equal(DmarcResult.None, evaluation.Result);
        Assert.Null(evaluation.Policy);
    }

    [Fact]
    public async Task An_invalid_policy_with_a_report_address_means_none()
    {
        var evaluation = await Evaluator().EvaluateAsync("ruaonly.test", SpfResult.Fail, "ruaonly.test", []);

        Assert.Equal(DmarcResult.Fail, evaluation.Result);
        Assert.Equal(DmarcDisposition.None, evaluation.Policy!.Policy);
    }

    [Fact]
    public async Task Dns_failures_are_temperrors()
    {
        var evaluation = await new DmarcEvaluator(new ServFailResolver()).EvaluateAsync("dmarc.test", SpfResult.Pass, "dmarc.test", []);

        Assert.Equal(DmarcResult.TempError, evaluation.Result);
    }

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("a.b.example.com", "example.com")]
    [InlineData("mail.example.co.uk", "example.co.uk")]
    [InlineData("shop.example.com.au.", "example.com.au")]
    [InlineData("co.uk", "co.uk")]
    [InlineData("localhost", "localhost")]
    public void Organizational_domains(string domain, string expected) =>
        Assert.Equal(expected, OrganizationalDomain.Of(domain));

    private sealed class ServFailResolver : IDnsResolver
    {
        public Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default) =>
            Task.FromResult(new DnsResponse(name, type, DnsResponseCode.ServerFailure, [], []));
    }
}
