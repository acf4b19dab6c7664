using System.Text;
using Mailroom.MailAuth.Dkim;
using Mailroom.MailAuth.Dns;

namespace Mailroom.MailAuth.Tests;

[Collection(DnsmasqCollection.Name)]
public sealed class DkimTests(DnsmasqFixture dns)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2025-06-01T12:00:00Z");

    private static byte[] Message(string body = "Hello  there,\r\n\r\nthe report is attached.   \r\n\r\n\r\n") => Encoding.UTF8.GetBytes(
        "From: Agent Smith <agent@dkim.test>\r\n" +
        "To: someone@example.org\r\n" +
        "Subject: Quarterly   report\r\n" +
        "\tfor Q2\r\n" +
        "Date: Sun, 01 Jun 2025 12:00:00 +0000\r\n" +
        "Message-ID: <m1@dkim.test>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "\r\n" + body);

    private DkimSigner Signer(DkimCanonicalization canonicalization = DkimCanonicalization.Relaxed, string selector = "sel1",
        TimeSpan? validity = null) =>
        new("dkim.test", selector, dns.SigningKey, new DkimSignerOptions
        {
            HeaderCanonicalization = canonicalization,
            BodyCanonicalization = canonicalization,
            TimeProvider = new ManualTimeProvider(Now),
            Validity = validity,
        });

    private DkimVerifier Verifier(DateTimeOffset? now = null, IDnsResolver? resolver = null) =>
        new(resolver ?? dns.CreateClient(), new DkimVerifierOptions { TimeProvider = new ManualTimeProvider(now ?? Now) });

    [Theory]
    [InlineData(DkimCanonicalization.Relaxed)]
    [InlineData(DkimCanonicalization.Simple)]
    public async Task Signed_messages_verify_through_the_published_key(DkimCanonicalization canonicalization)
    {
        var signed = Signer(canonicalization).SignMessage(Message());

        var result = Assert.Single(await Verifier().VerifyAsync(signed));

        Assert.Equal(DkimResult.Pass, result.Result);
        Assert.Equal("dkim.test", result.Domain);
        Assert.Equal("sel1", result.Selector);
        Assert.Null(result.Reason);
    }

    [Fact]
    public void The_signature_field_is_folded_and_complete()
    {
        var field = Signer().Sign(Message());

        Assert.StartsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=dkim.test; s=sel1;", field);
        Assert.EndsWith("\r\n", field);
        Assert.Contains($"t={Now.ToUnixTimeSeconds()};", field);
        Assert.Contains("h=From:Subject:Date:To:Message-ID:MIME-Version:Content-Type;", field.Replace("\r\n\t", ""));
        Assert.All(field.Split("\r\n"), line => Assert.True(line.Length <= 78, line));
        Assert.All(field.Split("\r\n").Skip(1).SkipLast(1), line => Assert.StartsWith("\t", line));
    }

    [Fact]
    public async Task A_changed_body_fails_the_body_hash()
    {
        var signed = Signer().SignMessage(Message());
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace("report is", "report was"));

        var result = Assert.Single(await Verifier().VerifyAsync(tampered));

        Assert.Equal(DkimResult.Fail, result.Result);
        Assert.Equal("body hash did not verify", result.Reason);
    }

    [Fact]
    public async Task A_changed_signed_header_fails_the_signature()
    {
        var signed = Signer().SignMessage(Message());
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace("Quarterly", "Monthly"));

        var result = Assert.Single(await Verifier().VerifyAsync(tampered));

        Assert.Equal(DkimResult.Fail, result.Result);
        Assert.Equal("signature did not verify", result.Reason);
    }

    [Fact]
    public async Task Relaxed_survives_whitespace_changes_that_simple_does_not()
    {
        static byte[] Rewrap(byte[] signed) => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed)
            .Replace("Subject: Quarterly   report", "subject:  Quarterly report ")
            .Replace("Hello  there,", "Hello there,  "));

        var relaxed = Assert.Single(await Verifier().VerifyAsync(Rewrap(Signer().SignMessage(Message()))));
        var simple = Assert.Single(await Verifier().VerifyAsync(Rewrap(Signer(DkimCanonicalization.Simple).SignMessage(Message()))));

        Assert.Equal(DkimResult.Pass, relaxed.Result);
        Assert.Equal(DkimResult.Fail, simple.Result);
    }

    [Fact]
    public async Task Adding_an_unsigned_header_keeps_the_signature()
    {
        var signed = Encoding.UTF8.GetString(Signer().SignMessage(Message()));
        var relayed = Encoding.UTF8.GetBytes("Received: from relay.example by mx.example; Sun, 1 Jun 2025\r\n" + signed);

        Assert.Equal(DkimResult.Pass, Assert.Single(await Verifier().VerifyAsync(relayed)).Result);
    }

    [Fact]
    public async Task Empty_bodies_sign_and_verify()
    {
        foreach (var canonicalization in (DkimCanonicalization[])[DkimCanonicalization.Relaxed, DkimCanonicalization.Simple])
        {
            var signed = Signer(canonicalization).SignMessage(Message(body: ""));
            Assert.Equal(DkimResult.Pass, Assert.Single(await Verifier().VerifyAsync(signed)).Result);
            Assert.True(PythonDkim.Verify(signed, dns.SigningKeyRecord));
        }
    }

    [Fact]
    public async Task Expired_signatures_fail()
    {
        var signed = Signer(validity: TimeSpan.FromHours(1)).SignMessage(Message());

        Assert.Equal(DkimResult.Pass, Assert.Single(await Verifier(Now.AddMinutes(59)).VerifyAsync(signed)).Result);
        var late = Assert.Single(await Verifier(Now.AddHours(2)).VerifyAsync(signed));
        Assert.Equal(DkimResult.Fail, late.Result);
        Assert.Equal("signature expired", late.Reason);
    }

    [Fact]
    public async Task Revoked_missing_and_weak_keys_are_refused()
    {
        var revoked = Assert.Single(await Verifier().VerifyAsync(Signer(selector: "revoked").SignMessage(Message())));
        Assert.Equal(DkimResult.PermError, revoked.Result);
        Assert.Equal("key revoked", revoked.Reason);

        var missing = Assert.Single(await Verifier().VerifyAsync(Signer(selector: "nothing").SignMessage(Message())));
        Assert.Equal(DkimResult.PermError, missing.Result);
        Assert.Equal("no key record", missing.Reason);

        var weak = new DkimSigner("dkim.test", "weak", dns.WeakKey, new DkimSignerOptions()).SignMessage(Message());
        var weakResult = Assert.Single(await Verifier(DateTimeOffset.UtcNow).VerifyAsync(weak));
        Assert.Equal(DkimResult.Policy, weakResult.Result);
    }

    [Fact]
    public async Task Strict_keys_refuse_subdomain_identities()
    {
        var field = Signer(selector: "strict").Sign(Message());
        Assert.Equal(DkimResult.Pass, Assert.Single(await Verifier().VerifyAsync(Prepend(field, Message()))).Result);

        // i= of a subdomain is fine for an ordinary key but not for one published with t=s.
        var withIdentity = Prepend(PythonDkim.Sign(Message(), dns.SigningKey.ExportRSAPrivateKeyPem(), "strict", "dkim.test",
            "relaxed/relaxed", identity: "@news.dkim.test"), Message());
        var result = Assert.Single(await Verifier().VerifyAsync(withIdentity));
        Assert.Equal(DkimResult.PermError, result.Result);
        Assert.Equal("key is restricted to d= (t=s)", result.Reason);
    }

    [Fact]
    public async Task Rsa_sha1_is_reported_as_policy()
    {
        var field = Signer().Sign(Message()).Replace("a=rsa-sha256", "a=rsa-sha1");

        var result = Assert.Single(await Verifier().VerifyAsync(Prepend(field, Message())));

        Assert.Equal(DkimResult.Policy, result.Result);
        Assert.Contains("RFC 8301", result.Reason);
    }

    [Theory]
    [InlineData("v=1; a=rsa-sha256; d=dkim.test; s=sel1; h=from; bh=AAAA; b=AAAA; x", "malformed tag list")]
    [InlineData("v=2; a=rsa-sha256; d=dkim.test; s=sel1; h=from; bh=AAAA; b=AAAA", "missing or unknown v= version")]
    [InlineData("v=1; a=rsa-sha256; d=dkim.test; s=sel1; h=to:subject; bh=AAAA; b=AAAA", "From is not signed")]
    [InlineData("v=1; a=rsa-sha256; d=dkim.test; s=sel1; h=from; b=AAAA", "missing bh= tag")]
    [InlineData("v=1; a=rsa-sha256; d=dkim.test; s=sel1; h=from; bh=AAAA; b=AAAA; i=a@other.test", "i= is not within d=")]
    [InlineData("v=1; a=ed25519-sha256; d=dkim.test; s=sel1; h=from; bh=AAAA; b=AAAA", "unsupported algorithm ed25519-sha256")]
    [InlineData("v=1; a=rsa-sha256; c=odd/simple; d=dkim.test; s=sel1; h=from; bh=AAAA; b=AAAA", "unknown canonicalization")]
    [InlineData("v=1; a=rsa-sha256; d=dkim.test; s=sel1; h=from; bh=AAAA; b=AAAA; v=1", "malformed tag list")]
    public async Task Malformed_signatures_are_permerrors(string value, string reason)
    {
        var message = Prepend($"DKIM-Signature: {value}\r\n", Message());

        var result = Assert.Single(await Verifier().VerifyAsync(message));

        Assert.Equal(DkimResult.PermError, result.Result);
        Assert.Equal(reason, result.Reason);
    }

    [Fact]
    public async Task Dns_failures_are_temperrors()
    {
        var result = Assert.Single(await Verifier(resolver: new FailingResolver()).VerifyAsync(Signer().SignMessage(Message())));

        Assert.Equal(DkimResult.TempError, result.Result);
    }

    [Fact]
    public async Task Every_signature_gets_a_result_and_unsigned_mail_none()
    {
        var twice = Signer(DkimCanonicalization.Simple).SignMessage(Signer().SignMessage(Message()));

        var results = await Verifier().VerifyAsync(twice);

        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Equal(DkimResult.Pass, r.Result));
        Assert.NotEqual(results[0].SignaturePrefix, results[1].SignaturePrefix);
        Assert.Empty(await Verifier().VerifyAsync(Message()));
    }

    [Theory]
    [InlineData(DkimCanonicalization.Relaxed)]
    [InlineData(DkimCanonicalization.Simple)]
    public void Python_dkim_accepts_our_signatures(DkimCanonicalization canonicalization)
    {
        var signed = Signer(canonicalization).SignMessage(Message());

        Assert.True(PythonDkim.Verify(signed, dns.SigningKeyRecord));

        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace("attached", "missing"));
        Assert.False(PythonDkim.Verify(tampered, dns.SigningKeyRecord));
    }

    [Theory]
    [InlineData("relaxed/simple")]
    [InlineData("relaxed/relaxed")]
    [InlineData("simple/simple")]
    [InlineData("simple/relaxed")]
    public async Task We_accept_python_dkim_signatures(string canonicalization)
    {
        var field = PythonDkim.Sign(Message(), dns.SigningKey.ExportRSAPrivateKeyPem(), "sel1", "dkim.test", canonicalization);
        var signed = Prepend(field, Message());

        var result = Assert.Single(await new DkimVerifier(dns.CreateClient()).VerifyAsync(signed));

        Assert.Equal(DkimResult.Pass, result.Result);
    }

    [Fact]
    public async Task Body_length_limits_what_the_body_hash_covers()
    {
        var field = PythonDkim.Sign(Message(), dns.SigningKey.ExportRSAPrivateKeyPem(), "sel1", "dkim.test", "relaxed/relaxed", bodyLength: true);
        Assert.Contains("l=", field);
        var verifier = new DkimVerifier(dns.CreateClient());

        var appended = Prepend(field, [.. Message(), .. "-- \r\nappended by a list\r\n"u8.ToArray()]);
        Assert.Equal(DkimResult.Pass, Assert.Single(await verifier.VerifyAsync(appended)).Result);

        var cut = Prepend(field, Message(body: "Hello\r\n"));
        var result = Assert.Single(await verifier.VerifyAsync(cut));
        Assert.Equal(DkimResult.Fail, result.Result);
        Assert.Equal("l= is longer than the body", result.Reason);
    }

    [Fact]
    public void Key_records_publish_the_public_key()
    {
        using var key = DkimKeys.GenerateRsaKey();

        var record = DkimKeys.FormatRecord(key);

        Assert.Equal(2048, key.KeySize);
        Assert.StartsWith("v=DKIM1; k=rsa; p=MIIBIjAN", record);
        Assert.Equal("s1._domainkey.example.com", DkimKeys.RecordName("s1", "example.com."));
        Assert.Equal(record, string.Concat(DkimKeys.SplitIntoCharacterStrings(record)));
        Assert.All(DkimKeys.SplitIntoCharacterStrings(record), s => Assert.True(s.Length <= 255));
    }

    [Fact]
    public void Messages_without_from_cannot_be_signed()
    {
        var message = "To: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n"u8.ToArray();

        Assert.Throws<ArgumentException>(() => Signer().Sign(message));
    }

    private static byte[] Prepend(string field, byte[] message) => [.. Encoding.Latin1.GetBytes(field), .. message];

    private sealed class FailingResolver : IDnsResolver
    {
        public Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default) =>
            throw new DnsException("no server answered");
    }
}
