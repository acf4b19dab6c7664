using System.Text;
using Mailroom.Core.Automation;

namespace Mailroom.Server.Net;

/// <summary>ApiCall actions' requests through the guarded client: private targets refused unless allowed, one timeout for the whole call, the answer's body capped.</summary>
public sealed class GuardedAutomationHttp(IHttpClientFactory http) : IAutomationHttp
{
    public const int MaxAnswerBytes = 1024 * 1024;

    public async Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(request.Timeout);
        var client = http.CreateClient(GuardedHttp.ClientName);
        client.Timeout = Timeout.InfiniteTimeSpan;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url);
        if (request.Body is not null)
            message.Content = new StringContent(request.Body, Encoding.UTF8, "application/json");
        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                if (message.Content is not null) message.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(value);
            }
            else if (!message.Headers.TryAddWithoutValidation(name, value)) message.Content?.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token);
            var body = new MemoryStream();
            var buffer = new byte[16384];
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0 && body.Length < MaxAnswerBytes) body.Write(buffer, 0, read);
            return new ApiResponse((int)response.StatusCode, Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length));
        }
        catch (HttpRequestException e)
        {
            throw new AutomationCallException($"{request.Url.Host}: {e.Message}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AutomationCallException($"{request.Url.Host}: no answer within {request.Timeout.TotalSeconds:0} s");
        }
        catch (FormatException e)
        {
            throw new AutomationCallException($"a header is malformed: {e.Message}");
        }
    }
}
