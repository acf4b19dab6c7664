using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V0;

public sealed class RateLimitTests
{
    [Fact]
    public async Task A_key_past_its_budget_gets_429_with_retry_after_and_other_keys_do_not()
    {
        await using var server = await MailroomTestServer.StartAsync("sqlite",
            "--Mailroom:RateLimit:RequestsPerSecond=1", "--Mailroom:RateLimit:Burst=3");
        var busy = await server.NewOrganizationAsync();
        var quiet = await server.NewOrganizationAsync();

        var statuses = new List<int>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6 && limited is null; i++)
        {
            var response = await busy.Http.GetAsync("api/v0/organizations");
            statuses.Add((int)response.StatusCode);
            if ((int)response.StatusCode == 429) limited = response;
        }

        Assert.NotNull(limited);
        Assert.True(statuses.Count(s => s == 200) >= 3, string.Join(",", statuses));
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains("RateLimitError", await limited.Content.ReadAsStringAsync());
        Assert.Equal(200, (await quiet.GetAsync("/api/v0/organizations")).Status);
    }
}
