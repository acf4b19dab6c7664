using System.Net;
using System.Security.Cryptography;
using Mailroom.MailAuth.Dkim;
using Mailroom.MailAuth.Dns;
using Mailroom.Tests.Shared;

namespace Mailroom.MailAuth.Tests;

/// <summary>A real dnsmasq on 127.0.0.1 serving the records every test here asks about.</summary>
public sealed class DnsmasqFixture : IDisposable
{
    private readonly Dnsmasq _server;

    public IPEndPoint EndPoint { get; }

    /// <summary>The key published at sel1._domainkey.dkim.test (and, with t=s, at strict._domainkey.dkim.test).</summary>
    public RSA SigningKey { get; } = DkimKeys.GenerateRsaKey();

    /// <summary>A 512-bit key published at weak._domainkey.dkim.test.</summary>
    public RSA WeakKey { get; } = RSA.Create(512);

    public string SigningKeyRecord => DkimKeys.FormatRecord(SigningKey);

    public DnsmasqFixture()
    {
        _server = Dnsmasq.Start(["--local=/test/", "--local-ttl=300", .. Records()]);
        EndPoint = new IPEndPoint(IPAddress.Loopback, _server.Port);
    }

    public DnsClient CreateClient(bool useCache = false, bool useEdns = true) =>
        new(new DnsClientOptions { Servers = [EndPoint], Timeout = TimeSpan.FromSeconds(2), UseCache = useCache, UseEdns = useEdns });

    /// <summary>On the command line (unlike in a conf file) dnsmasq takes the strings unquoted, separated by commas.</summary>
    private static string Txt(string name, params string[] strings) =>
        $"--txt-record={name}," + string.Join(',', strings);

    private static string TxtSplit(string name, string value) => Txt(name, [.. DkimKeys.SplitIntoCharacterStrings(value)]);

    private IEnumerable<string> Records()
    {
        // DNS client
        yield return "--mx-host=mail.test,mx-b.mail.test,20";
        yield return "--mx-host=mail.test,mx-a.mail.test,10";
        yield return "--mx-host=mail.test,mx-c.mail.test,30";
        yield return "--host-record=host.mail.test,192.0.2.10,2001:db8::10";
        yield return "--cname=alias.mail.test,host.mail.test";
        yield return "--cname=alias2.mail.test,alias.mail.test";
        yield return Txt("long.mail.test", new string('a', 255), new string('b', 100));
        yield return Txt("plain.mail.test", "hello world");
        for (var i = 0; i < 12; i++)
            yield return Txt("big.mail.test", $"{i:D2}" + new string((char)('a' + i), 198));

        // DKIM
        yield return TxtSplit("sel1._domainkey.dkim.test", SigningKeyRecord);
        yield return TxtSplit("strict._domainkey.dkim.test", "v=DKIM1; k=rsa; t=s; p=" + Convert.ToBase64String(SigningKey.ExportSubjectPublicKeyInfo()));
        yield return TxtSplit("weak._domainkey.dkim.test", DkimKeys.FormatRecord(WeakKey));
        yield return Txt("revoked._domainkey.dkim.test", "v=DKIM1; k=rsa; p=");

        // SPF
        yield return Txt("pass.spf.test", "v=spf1 ip4:192.0.2.0/24 -all");
        yield return Txt("soft.spf.test", "v=spf1 ~all");
        yield return Txt("neutral.spf.test", "v=spf1 ?all");
        yield return Txt("noall.spf.test", "v=spf1 ip4:10.0.0.1");
        yield return Txt("ip6.spf.test", "v=spf1 ip6:2001:db8::/32 -all");
        yield return Txt("a.spf.test", "v=spf1 a -all");
        yield return "--host-record=a.spf.test,192.0.2.20,2001:db8::20";
        yield return Txt("acidr.spf.test", "v=spf1 a:host.spf.test/24 -all");
        yield return "--host-record=host.spf.test,198.51.100.7";
        yield return Txt("mx.spf.test", "v=spf1 mx/28 -all");
        yield return "--mx-host=mx.spf.test,mxhost.spf.test,10";
        yield return "--host-record=mxhost.spf.test,203.0.113.5";
        yield return Txt("include.spf.test", "v=spf1 include:pass.spf.test -all");
        yield return Txt("incnone.spf.test", "v=spf1 include:nothing.spf.test -all");
        yield return Txt("exists.spf.test", "v=spf1 exists:%{i}.allow.spf.test -all");
        yield return "--host-record=192.0.2.77.allow.spf.test,127.0.0.2";
        yield return Txt("ptr.spf.test", "v=spf1 ptr -all");
        yield return Txt("redirect.spf.test", "v=spf1 redirect=pass.spf.test");
        yield return Txt("redirnone.spf.test", "v=spf1 redirect=nothing.spf.test");
        yield return Txt("macro.spf.test", "v=spf1 exists:%{ir}.%{v}._spf.%{d2} -all");
        yield return "--host-record=3.2.0.192.in-addr._spf.spf.test,127.0.0.2";
        yield return Txt("local.spf.test", "v=spf1 exists:%{lr-}.%{o}.lp.spf.test -all");
        yield return "--host-record=bad.strong.local.spf.test.lp.spf.test,127.0.0.2";
        yield return Txt("helo.spf.test", "v=spf1 a:%{h} -all");
        yield return "--host-record=helo.spf.test,192.0.2.44";
        yield return Txt("limit10.spf.test", "v=spf1" + string.Concat(Enumerable.Repeat(" include:neutral.spf.test", 10)) + " -all");
        yield return Txt("limit11.spf.test", "v=spf1" + string.Concat(Enumerable.Repeat(" include:neutral.spf.test", 11)) + " -all");
        yield return Txt("void.spf.test", "v=spf1 a:nx1.spf.test a:nx2.spf.test a:nx3.spf.test -all");
        yield return Txt("two.spf.test", "v=spf1 -all");
        yield return Txt("two.spf.test", "v=spf1 +all");
        yield return Txt("badip.spf.test", "v=spf1 ip4:192.0.2.300 -all");
        yield return Txt("badterm.spf.test", "v=spf1 foo:bar -all");
        yield return Txt("other.spf.test", "some verification token");

        // DMARC
        yield return Txt("_dmarc.dmarc.test", "v=DMARC1; p=reject; sp=quarantine; pct=50; rua=mailto:reports@dmarc.test");
        yield return Txt("_dmarc.strict.test", "v=DMARC1; p=quarantine; adkim=s; aspf=s");
        yield return Txt("_dmarc.ruaonly.test", "v=DMARC1; p=bogus; rua=mailto:r@ruaonly.test");
        yield return Txt("_dmarc.double.test", "v=DMARC1; p=reject");
        yield return Txt("_dmarc.double.test", "v=DMARC1; p=none");
    }

    public void Dispose()
    {
        _server.Dispose();
        SigningKey.Dispose();
        WeakKey.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class DnsmasqCollection : ICollectionFixture<DnsmasqFixture>
{
    public const string Name = "dnsmasq";
}
