using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Cluster;

/// <summary>A client retries a send on another node (or the same one) before the first attempt has answered.</summary>
public sealed class IdempotentSendRaceTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    /// <summary>
    /// On PostgreSQL the requests for each key alternate between two servers on one database, as two nodes of a cluster; a
    /// SQLite database belongs to one server, so there all go to it.
    /// </summary>
    [Theory, MemberData(nameof(Providers))]
    public async Task The_same_key_sent_several_times_at_once_answers_one_message_to_all(string provider)
    {
        await using var first = await MailroomTestServer.StartAsync(provider);
        await using var second = provider == "postgres"
            ? await MailroomTestServer.StartAsync(provider, SameDatabaseAs(first))
            : null;
        var api = await first.NewOrganizationAsync();
        var inbox = (string)(await api.CreateInboxAsync("racer"))["inbox_id"]!;
        var clients = new[] { api.Http, second?.Client(api.Token) ?? first.Client(api.Token) };

        const int Keys = 20, SendsPerKey = 4;
        var messageIds = new HashSet<string>();
        for (var round = 0; round < Keys; round++)
        {
            var key = $"race-{round}";
            var answers = await Task.WhenAll(Enumerable.Range(0, SendsPerKey).Select(i => SendAsync(clients[i % clients.Length], inbox, key)));
            Assert.All(answers, answer => Assert.True(answer.Status == 200, $"key {key}: {answer.Status} {answer.Body}"));
            var ids = answers.Select(answer => (string)JsonNode.Parse(answer.Body)!["message_id"]!).Distinct().ToList();
            Assert.True(ids.Count == 1, $"key {key} answered {string.Join(", ", ids)}");
            messageIds.Add(ids[0]);
        }

        Assert.Equal(Keys, messageIds.Count);
        await using var connection = await first.Services.GetRequiredService<MailroomDatabase>().OpenAsync();
        Assert.Equal(Keys, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE inbox_id = @inbox", new { inbox }));
        Assert.Equal(Keys, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbound_deliveries"));
        Assert.Equal(Keys, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE type = 'message.sent'"));
    }

    /// <summary>Configuration that points a second server at <paramref name="first"/>'s database and master key.</summary>
    internal static string[] SameDatabaseAs(MailroomTestServer first, params string[] more) =>
    [
        $"--Mailroom:Database:ConnectionString={first.Database.ConnectionString}",
        $"--Mailroom:MasterKeyFile={Path.Combine(first.Database.Directory, "master.key")}", .. more,
    ];

    private static async Task<(int Status, string Body)> SendAsync(HttpClient client, string inbox, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v0/inboxes/{inbox}/messages/send")
        {
            Content = JsonContent.Create(new { to = "someone@remote.example", subject = key, text = "once" }),
        };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
