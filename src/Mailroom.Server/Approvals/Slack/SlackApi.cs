using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Server.Net;

namespace Mailroom.Server.Approvals.Slack;

/// <summary>A Slack call that failed: unreachable, not 2xx, or a Web API answer with <c>ok: false</c> (<see cref="Exception.Message"/> names Slack's error).</summary>
public sealed class SlackCallFailedException(string message) : Exception(message);

/// <summary>Slack over the guarded client: the Web API (bot token), incoming webhooks and response URLs.</summary>
public sealed class SlackApi(SlackOptions options, IHttpClientFactory http)
{
    /// <summary>Calls a Web API method with a JSON body and answers its JSON; <c>ok: false</c> raises.</summary>
    public async Task<JsonObject> CallAsync(string method, string botToken, JsonObject body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.ApiBaseUrl.TrimEnd('/') + "/" + method)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", botToken);
        var text = await SendAsync(request, method, ct);
        var answer = ParseObject(text) ?? throw new SlackCallFailedException($"{method} answered something that is not JSON");
        if (answer["ok"]?.GetValue<bool>() != true)
            throw new SlackCallFailedException($"{method} answered {(string?)answer["error"] ?? "not ok"}");
        return answer;
    }

    /// <summary>Posts JSON to an incoming webhook or a response URL.</summary>
    public async Task PostAsync(string url, JsonObject body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        await SendAsync(request, "the webhook", ct);
    }

    private async Task<string> SendAsync(HttpRequestMessage request, string what, CancellationToken ct)
    {
        try
        {
            using var response = await http.CreateClient(GuardedHttp.ClientName).SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode) throw new SlackCallFailedException($"{what} answered HTTP {(int)response.StatusCode}: {Cut(text)}");
            return text;
        }
        catch (HttpRequestException e)
        {
            throw new SlackCallFailedException($"{what} could not be reached: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new SlackCallFailedException($"{what} did not answer in time");
        }
    }

    private static JsonObject? ParseObject(string text)
    {
        try { return JsonNode.Parse(text) as JsonObject; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    private static string Cut(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
