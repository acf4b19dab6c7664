using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V0;

public sealed class OrganizationApiTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task The_callers_organization_with_usage_and_limits(string provider)
    {
        var api = await (await servers.For(provider)).NewOrganizationAsync("My Org");
        await api.CreateInboxAsync("u-" + Guid.NewGuid().ToString("N")[..8]);

        var (status, body) = await api.GetAsync("/api/v0/organizations");

        Assert.Equal(200, status);
        Assert.Equal(api.OrgId, (string)body!["org_id"]!);
        Assert.Equal("My Org", (string)body["name"]!);
        Assert.Equal(1, (int)body["inbox_count"]!);
        Assert.Equal(50, (int)body["inbox_limit"]!);
        Assert.Equal(0, (int)body["domain_count"]!);
        Assert.Equal(10, (int)body["domain_limit"]!);
        Assert.NotNull(body["created_at"]);
        Assert.NotNull(body["updated_at"]);
    }
}
