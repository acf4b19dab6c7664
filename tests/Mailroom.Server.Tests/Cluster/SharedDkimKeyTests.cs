using System.Security.Cryptography;
using Dapper;
using Mailroom.Core.Security;
using Mailroom.Data;
using Mailroom.MailAuth.Dkim;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Cluster;

/// <summary>Mail from the platform domain is signed with the one key the cluster publishes, whichever node sends it.</summary>
public sealed class SharedDkimKeyTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    private const string PlatformDomain = "mailroom.local";

    private static string[] Relay(SmtpSink sink) =>
    [
        .. MailroomTestServer.RelayTo(sink.Port), $"--Mailroom:DefaultDomain={PlatformDomain}",
    ];

    /// <summary>PostgreSQL only: two nodes of a cluster share a PostgreSQL database. Both send their first message at once.</summary>
    [Fact]
    public async Task Two_nodes_sign_platform_mail_with_one_key_that_python_dkim_verifies()
    {
        if (!TestDatabase.PostgresAvailable) return;
        using var sink = await SmtpSink.StartAsync();
        await using var first = await MailroomTestServer.StartAsync("postgres", Relay(sink));
        await using var second = await MailroomTestServer.StartAsync("postgres", IdempotentSendRaceTests.SameDatabaseAs(first, Relay(sink)));
        var api = await first.NewOrganizationAsync();
        var inbox = (string)(await api.CreateInboxAsync("agent"))["inbox_id"]!;

        const int SendsPerNode = 3;
        var sends = new[] { api.Http, second.Client(api.Token) }
            .SelectMany(client => Enumerable.Range(0, SendsPerNode).Select(i => client.PostAsync($"api/v0/inboxes/{inbox}/messages/send",
                System.Net.Http.Json.JsonContent.Create(new { to = "rita@remote.example", subject = $"from {client.BaseAddress} #{i}", text = "signed" }))));
        Assert.All(await Task.WhenAll(sends), response => Assert.Equal(200, (int)response.StatusCode));

        var files = await sink.WaitForAsync(2 * SendsPerNode);
        Assert.Equal(2 * SendsPerNode, files.Count);
        await using var connection = await first.Services.GetRequiredService<MailroomDatabase>().OpenAsync();
        var sealedKey = Assert.Single(await connection.QueryAsync<string>("SELECT private_key_sealed FROM dkim_keys WHERE domain = @PlatformDomain", new { PlatformDomain }));
        using var key = RSA.Create();
        key.ImportPkcs8PrivateKey(first.Services.GetRequiredService<SecretBox>().Open(sealedKey, SecretPurpose.DkimPrivateKey), out _);
        foreach (var file in files) Assert.Equal("valid", await PythonDkimVerdictAsync(file, DkimKeys.FormatRecord(key)));
    }

    /// <summary>An installation from before the shared table keeps the key it published in <c>{DataDir}/platform-dkim.key</c>.</summary>
    [Theory, MemberData(nameof(Providers))]
    public async Task A_platform_key_file_from_an_earlier_version_is_imported_and_signs(string provider)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "mailroom-legacy-dkim-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDir);
        try
        {
            var secrets = new SecretBox(MasterKeyFile.LoadOrCreate(Path.Combine(dataDir, "master.key")));
            using var published = DkimKeys.GenerateRsaKey();
            await File.WriteAllTextAsync(Path.Combine(dataDir, "platform-dkim.key"), secrets.Seal(published.ExportPkcs8PrivateKey(), SecretPurpose.DkimPrivateKey));
            using var sink = await SmtpSink.StartAsync();
            await using var server = await MailroomTestServer.StartAsync(provider, [.. Relay(sink), $"--Mailroom:DataDir={dataDir}"]);
            var api = await server.NewOrganizationAsync();
            var inbox = (string)(await api.CreateInboxAsync("agent"))["inbox_id"]!;

            Assert.Equal(200, (await api.PostAsync($"api/v0/inboxes/{inbox}/messages/send", new { to = "rita@remote.example", subject = "old key", text = "signed" })).Status);

            var file = Assert.Single(await sink.WaitForAsync(1));
            Assert.Equal("valid", await PythonDkimVerdictAsync(file, DkimKeys.FormatRecord(published)));
            await using var connection = await server.Services.GetRequiredService<MailroomDatabase>().OpenAsync();
            Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dkim_keys"));
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); }
            catch (IOException) { /* a file still open by the stopping host; the temp folder is cleaned by the OS */ }
        }
    }

    /// <summary>dkimpy's verdict on a message the sink stored, given the platform domain's key record.</summary>
    private static async Task<string> PythonDkimVerdictAsync(string file, string record)
    {
        const string verify = """
            import dkim, sys
            data = open(sys.argv[1], "rb").read()
            data = data[data.index(b"\r\n", data.index(b"X-Envelope-To:")) + 2:]
            record = sys.argv[2].encode()
            ok = dkim.verify(data, dnsfunc=lambda name, timeout=5: record if name == b"mailroom._domainkey.mailroom.local." else None)
            print("valid" if ok else "invalid")
            """;
        var result = await ExternalTools.PythonAsync(verify, file, record);
        Assert.True(result.ExitCode == 0, result.Error);
        return result.Output.Trim();
    }
}
