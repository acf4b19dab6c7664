using System.Net.Http.Headers;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V0;

public sealed class ApiKeyApiTests(ServerPerProvider servers) : IClassFixture<ServerPerProvider>
{
    public static TheoryData<string> Providers() => ServerPerProvider.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_new_key_is_shown_once_works_and_stops_working_when_revoked(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();

        var (status, body) = await api.PostAsync("/api/v0/api-keys", new { name = "my-agent-key" });
        Assert.Equal(201, status);
        var keyId = (string)body!["key_id"]!;
        var key = (string)body["key"]!;
        Assert.StartsWith("key_", keyId);
        Assert.Equal("my-agent-key", (string)body["name"]!);
        Assert.StartsWith("inai_", key);
        Assert.StartsWith(((string)body["prefix"]!).Replace("...", ""), key);
        Assert.Null(body["used_at"]);

        var second = new ApiClient(server.Client(key), api.OrgId, key);
        Assert.Equal(200, (await second.GetAsync("/api/v0/organizations")).Status);

        var list = await api.GetAsync("/api/v0/api-keys");
        var listed = list.Body!["data"]!.AsArray().Single(k => (string)k!["key_id"]! == keyId)!;
        Assert.Equal(2, (int)list.Body["total"]!);
        Assert.Null(listed["key"]);
        Assert.EndsWith("...", (string)listed["prefix"]!);
        Assert.NotNull(listed["used_at"]);
        Assert.DoesNotContain(key, list.Body.ToJsonString());

        Assert.Equal(204, (await api.DeleteAsync($"/api/v0/api-keys/{keyId}")).Status);
        var revoked = await second.GetAsync("/api/v0/organizations");
        Assert.Equal(401, revoked.Status);
        Assert.Equal("UnauthorizedError", (string)revoked.Body!["name"]!);
        Assert.Equal(404, (await api.DeleteAsync($"/api/v0/api-keys/{keyId}")).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_last_full_access_key_cannot_be_deleted(string provider)
    {
        var server = await servers.For(provider);
        var api = await server.NewOrganizationAsync();
        var first = (string)(await api.GetAsync("/api/v0/api-keys")).Body!["data"]![0]!["key_id"]!;

        var alone = await api.DeleteAsync($"/api/v0/api-keys/{first}");

        Assert.Equal(409, alone.Status);
        Assert.Equal("ConflictError", (string)alone.Body!["name"]!);
        Assert.Equal("api_key: is the organization's last full-access key; create another key before deleting this one", (string)alone.Body["message"]!);
        Assert.Equal(200, (await api.GetAsync("/api/v0/organizations")).Status);

        // With a second key the first goes; then the second is the last one.
        var second = await NewKeyAsync(api, server);
        Assert.Equal(204, (await second.DeleteAsync($"/api/v0/api-keys/{first}")).Status);
        var secondId = (string)(await second.GetAsync("/api/v0/api-keys")).Body!["data"]![0]!["key_id"]!;
        Assert.Equal(409, (await second.DeleteAsync($"/api/v0/api-keys/{secondId}")).Status);

        // Two revocations at once cannot both see the other's key remain.
        var third = await NewKeyAsync(second, server);
        var thirdId = (string)(await third.GetAsync("/api/v0/api-keys")).Body!["data"]!.AsArray().First(k => (string)k!["key_id"]! != secondId)!["key_id"]!;
        var both = await Task.WhenAll(second.DeleteAsync($"/api/v0/api-keys/{secondId}"), third.DeleteAsync($"/api/v0/api-keys/{thirdId}"));
        Assert.Equal([204, 409], both.Select(r => r.Status).Order());
        var survivor = both[0].Status == 409 ? second : third;
        Assert.Equal(1, (int)(await survivor.GetAsync("/api/v0/api-keys")).Body!["total"]!);
    }

    private static async Task<ApiClient> NewKeyAsync(ApiClient api, MailroomTestServer server)
    {
        var token = (string)(await api.PostAsync("/api/v0/api-keys", new { name = "spare" })).Body!["key"]!;
        return new ApiClient(server.Client(token), api.OrgId, token);
    }

    [Fact]
    public async Task A_key_needs_a_name()
    {
        var api = await (await servers.For("sqlite")).NewOrganizationAsync();
        var (status, body) = await api.PostAsync("/api/v0/api-keys", new { });
        Assert.Equal(400, status);
        Assert.Equal("name: is required", (string)body!["message"]!);
    }

    [Fact]
    public async Task Only_the_hash_of_a_key_is_stored()
    {
        var server = await servers.For("sqlite");
        var api = await server.NewOrganizationAsync();
        await using var db = server.Database.Open();
        await using var connection = await db.OpenAsync();
        var hashes = await Dapper.SqlMapper.QueryAsync<string>(connection, "SELECT key_hash FROM api_keys WHERE org_id = @OrgId", new { api.OrgId });
        var hash = Assert.Single(hashes);
        Assert.Equal(64, hash.Length);
        Assert.DoesNotContain(api.Token, hash);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(api.Token))), hash);
    }
}
