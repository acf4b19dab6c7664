using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// Sends requests over real HTTP and compares each answer, rendered as text, with the answer written in the test:
/// the status code, the response headers, a blank line and the body (masked by <see cref="ContractBody"/> and
/// laid out one JSON member per line). Every mismatch is collected, and <see cref="Verify"/> reports them all with
/// the actual text ready to paste.
/// </summary>
public sealed class ContractClient(HttpClient http, ContractBody mask)
{
    /// <summary>Headers that say nothing about the contract: the framing and the server's clock and name.</summary>
    private static readonly HashSet<string> Ignored = new(StringComparer.OrdinalIgnoreCase) { "Date", "Server", "Transfer-Encoding", "Content-Length" };

    private readonly List<string> _failures = [];

    public ContractBody Mask => mask;

    public sealed record Answer(int Status, string Text, string Rendered)
    {
        public JsonNode Json => JsonNode.Parse(Text) ?? throw new InvalidOperationException("the body is JSON null");
    }

    /// <summary>
    /// Sends <paramref name="request"/> (<c>"METHOD /path"</c>) with <paramref name="body"/> sent exactly as given, as
    /// <paramref name="contentType"/>, and compares the rendered answer with <paramref name="expected"/>.
    /// </summary>
    public async Task<Answer> ExpectAsync(string request, string? body, string expected, string? contentType = "application/json",
        HttpClient? client = null, params (string Name, string Value)[] headers)
    {
        var answer = await SendAsync(request, body, contentType, client, headers);
        Check(request, expected, answer.Rendered);
        return answer;
    }

    public Task<Answer> ExpectAsync(string request, string expected) => ExpectAsync(request, null, expected);

    /// <summary>Each row of a table: a request, its body (or null) and the expected answer.</summary>
    public async Task ExpectAllAsync(params (string Request, string? Body, string Expected)[] rows)
    {
        foreach (var (request, body, expected) in rows) await ExpectAsync(request, body, expected);
    }

    public async Task<Answer> SendAsync(string request, string? body = null, string? contentType = "application/json", HttpClient? client = null,
        params (string Name, string Value)[] headers)
    {
        var space = request.IndexOf(' ');
        using var message = new HttpRequestMessage(new HttpMethod(request[..space]), request[(space + 1)..].TrimStart('/'));
        if (body is not null)
        {
            message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null) message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        foreach (var (name, value) in headers) message.Headers.TryAddWithoutValidation(name, value);
        using var response = await (client ?? http).SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer((int)response.StatusCode, text, Render(response, text));
    }

    /// <summary>The status, the headers that matter (sorted by name) and the masked body laid out.</summary>
    public string Render(HttpResponseMessage response, string text)
    {
        var lines = new List<string> { ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        // The raw values as they came over the wire, not HttpClient's parsed and re-written view of them.
        lines.AddRange(response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated)
            .Where(h => !Ignored.Contains(h.Key))
            .OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
            .Select(h => $"{h.Key}: {mask.Mask(string.Join(", ", h.Value))}"));
        var head = string.Join("\n", lines);
        return text.Length == 0 ? head : head + "\n\n" + ContractBody.Layout(mask.Mask(text));
    }

    /// <summary>Compares one rendered answer with the expected text; a mismatch is kept for <see cref="Verify"/>.</summary>
    public void Check(string what, string expected, string actual)
    {
        expected = expected.ReplaceLineEndings("\n");
        if (expected == actual) return;
        const string quotes = "\"\"\"";
        _failures.Add($"==== {what}\n---- expected:\n{expected}\n---- actual:\n{Indent(quotes)}\n{Indent(actual)}\n{Indent(quotes)}");
    }

    /// <summary>Fails the test with every mismatch seen so far.</summary>
    public void Verify()
    {
        if (_failures.Count > 0)
            Assert.Fail($"{_failures.Count} answer(s) differ from the contract:\n\n" + string.Join("\n\n", _failures));
    }

    private static string Indent(string text) => string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : "            " + l));
}
