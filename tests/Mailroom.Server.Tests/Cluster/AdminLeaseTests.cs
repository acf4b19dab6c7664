using System.Text.Json.Nodes;
using Dapper;
using Mailroom.Data;
using Mailroom.Server.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Cluster;

/// <summary>An operator runs <c>mailroom admin …</c> with a serving node's configuration; the node's work must not notice.</summary>
public sealed class AdminLeaseTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task An_admin_command_with_a_serving_nodes_configuration_leaves_the_webhook_delivery_it_holds_leased(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Delay = TimeSpan.FromSeconds(6); // the node holds the delivery while the endpoint thinks
        // The node is named by the operator: the case where a serving process does free its node's earlier leases.
        string[] node = ["--Mailroom:NodeId=node-a", "--Mailroom:Webhooks:AllowPrivateTargets=true"];
        await using var server = await MailroomTestServer.StartAsync(provider, node);
        var api = await server.NewOrganizationAsync();
        await api.PostAsync("/api/v0/webhooks", new { url = receiver.Url, event_types = new[] { "message.sent" } });
        var inbox = (string)(await api.CreateInboxAsync("leased"))["inbox_id"]!;
        Assert.Equal(200, (await api.PostAsync($"/api/v0/inboxes/{inbox}/messages/send", new { to = "someone@remote.example", subject = "s", text = "t" })).Status);
        Assert.Single(await receiver.WaitForAsync(1));
        var heldBy = await LeaseOwnersAsync(server);
        Assert.Single(heldBy);
        Assert.StartsWith("node-a/", heldBy[0]);

        var output = new StringWriter();
        Assert.Equal(0, await MailroomCommandLine.RunAsync(["admin", "create-org", "--name", "Admin", .. server.Database.HostArguments(), .. node], output));
        Assert.NotNull(JsonNode.Parse(output.ToString())!["api_key"]);

        Assert.Equal(heldBy, await LeaseOwnersAsync(server));
        // A freed lease would be claimed again at the next poll and the endpoint called a second time meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(receiver.Requests);
    }

    private static async Task<List<string?>> LeaseOwnersAsync(MailroomTestServer server)
    {
        await using var connection = await server.Services.GetRequiredService<MailroomDatabase>().OpenAsync();
        return (await connection.QueryAsync<string?>("SELECT lease_owner FROM webhook_deliveries")).ToList();
    }
}
