using System.Net;
using System.Text;
using Mailroom.MailAuth.Dkim;
using Mailroom.MailAuth.Dmarc;
using Mailroom.MailAuth.Spf;

namespace Mailroom.MailAuth.Tests;

[Collection(DnsmasqCollection.Name)]
public sealed class AuthenticationResultsTests(DnsmasqFixture dns)
{
    [Fact]
    public void Results_are_written_one_method_per_line()
    {
        var spf = new SpfEvaluation(SpfResult.Pass, "example.com", "bounce@example.com", false, "matched ip4");
        DkimVerificationResult[] dkim =
        [
            new(DkimResult.Pass, "example.com", "s1") { SignaturePrefix = "abc/def+" },
            new(DkimResult.Fail, "other.example", "s2", "body hash did not verify") { SignaturePrefix = "12345678" },
        ];
        var policy = new DmarcPolicy("example.com", DmarcDisposition.Reject, null, 100, DmarcAlignment.Relaxed, DmarcAlignment.Relaxed, null);
        var dmarc = new DmarcEvaluation(DmarcResult.Pass, "example.com", policy, DmarcDisposition.Reject, true, true, "aligned DKIM pass");

        var field = AuthenticationResults.Format("mailroom.local", spf, dkim, dmarc);

        Assert.Equal(
            "Authentication-Results: mailroom.local;\r\n" +
            "\tspf=pass smtp.mailfrom=bounce@example.com;\r\n" +
            "\tdkim=pass header.d=example.com header.s=s1 header.b=\"abc/def+\";\r\n" +
            "\tdkim=fail (body hash did not verify) header.d=other.example header.s=s2 header.b=12345678;\r\n" +
            "\tdmarc=pass (p=reject dis=none) header.from=example.com\r\n",
            field);
    }

    [Fact]
    public void Missing_results_are_none()
    {
        var helo = new SpfEvaluation(SpfResult.SoftFail, "mx.example", "mx.example", true, "matched ~all (at) mx.example");

        Assert.Equal("Authentication-Results: mx.test;\r\n\tnone\r\n", AuthenticationResults.Format("mx.test", null, null, null));
        Assert.Equal(
            "Authentication-Results: mx.test;\r\n\tspf=softfail (matched ~all \\(at\\) mx.example) smtp.helo=mx.example;\r\n\tdkim=none\r\n",
            AuthenticationResults.Format("mx.test", helo, [], null));
    }

    [Fact]
    public async Task A_signed_message_from_an_allowed_client_passes_everything()
    {
        var resolver = dns.CreateClient(useCache: true);
        var message = Encoding.ASCII.GetBytes("From: a@dkim.test\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nHello\r\n");
        var signed = new DkimSigner("dkim.test", "sel1", dns.SigningKey).SignMessage(message);

        var spf = await new SpfEvaluator(resolver).EvaluateMailFromAsync(IPAddress.Parse("192.0.2.5"), "bounce@pass.spf.test", "mx.example");
        var dkim = await new DkimVerifier(resolver).VerifyAsync(signed);
        var dmarc = await new DmarcEvaluator(resolver).EvaluateAsync("dkim.test", spf, dkim);

        var field = AuthenticationResults.Format("mailroom.local", spf, dkim, dmarc);
        Assert.Contains("spf=pass smtp.mailfrom=bounce@pass.spf.test;", field);
        Assert.Contains("dkim=pass header.d=dkim.test header.s=sel1", field);
        Assert.Contains("dmarc=none header.from=dkim.test", field);
    }
}
