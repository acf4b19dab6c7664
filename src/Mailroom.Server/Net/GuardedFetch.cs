namespace Mailroom.Server.Net;

/// <summary>Bounds on fetching a URL's body (the <c>Mailroom:Fetch</c> section, docs/configuration.md).</summary>
public sealed class FetchOptions
{
    /// <summary>One deadline for the whole fetch: connecting, the response headers and the last byte of the body.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The least average rate of the body, judged from <see cref="GuardedFetch.RateGrace"/> after its first byte could come; 0 turns it off.</summary>
    public int MinBytesPerSecond { get; set; } = 4096;
}

/// <summary>Why a fetch brought nothing, in words the caller can act on.</summary>
public sealed class FetchFailedException(string reason) : Exception(reason);

/// <summary>
/// Fetches a URL's body through the guarded client under one deadline and a minimum rate, so that a server that answers
/// its headers and then drips or stalls cannot hold the request that asked for the URL (attachments by URL, and anything
/// else that fetches content on a caller's behalf).
/// </summary>
public sealed class GuardedFetch(IHttpClientFactory http, FetchOptions options, TimeProvider time)
{
    /// <summary>A slow start of the body is not judged: the rate counts from this long after the response headers.</summary>
    public static readonly TimeSpan RateGrace = TimeSpan.FromSeconds(5);

    /// <exception cref="FetchFailedException">Not 2xx, larger than <paramref name="maxBytes"/>, unreachable, too slow or past the deadline.</exception>
    public async Task<byte[]> GetBytesAsync(Uri url, long maxBytes, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(options.Deadline, time);
        using var pace = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var fetch = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token, pace.Token);
        var client = http.CreateClient(GuardedHttp.ClientName);
        client.Timeout = Timeout.InfiniteTimeSpan; // the deadline bounds the headers and the body alike
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, fetch.Token);
            if (!response.IsSuccessStatusCode) throw new FetchFailedException($"answered HTTP {(int)response.StatusCode}");
            if (response.Content.Headers.ContentLength > maxBytes) throw TooLarge(maxBytes);
            await using var stream = await response.Content.ReadAsStreamAsync(fetch.Token);
            var bodyStarted = time.GetTimestamp();
            using var body = new MemoryStream();
            var chunk = new byte[81920];
            while (true)
            {
                if (options.MinBytesPerSecond > 0)
                {
                    // The moment the average rate would fall below the minimum if no further byte came.
                    var left = RateGrace + TimeSpan.FromSeconds((double)body.Length / options.MinBytesPerSecond) - time.GetElapsedTime(bodyStarted);
                    if (left <= TimeSpan.Zero) throw TooSlow();
                    pace.CancelAfter(left);
                }
                var read = await stream.ReadAsync(chunk, fetch.Token);
                if (read == 0) return body.ToArray();
                if (body.Length + read > maxBytes) throw TooLarge(maxBytes);
                body.Write(chunk, 0, read);
            }
        }
        catch (HttpRequestException e)
        {
            throw new FetchFailedException($"could not be fetched: {e.Message}");
        }
        catch (OperationCanceledException) when (pace.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw TooSlow();
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new FetchFailedException(FormattableString.Invariant($"could not be fetched: no complete answer within {options.Deadline.TotalSeconds} s"));
        }
    }

    private FetchFailedException TooSlow() =>
        new($"could not be fetched: the answer came slower than {options.MinBytesPerSecond} bytes per second");

    private static FetchFailedException TooLarge(long maxBytes) => new($"is larger than the {maxBytes} bytes allowed");
}
