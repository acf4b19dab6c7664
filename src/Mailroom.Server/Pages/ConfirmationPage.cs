using System.Net;
using System.Text;

namespace Mailroom.Server.Pages;

/// <summary>A button on a confirmation page: a POST of <see cref="Fields"/> to <see cref="Action"/>, with an optional text box.</summary>
public sealed record PageForm(string Action, string ButtonLabel, IReadOnlyDictionary<string, string> Fields, string? TextFieldName = null, string? TextFieldLabel = null);

/// <summary>
/// The small HTML pages a person reaches from a link in mail: what the link would do, and a button that does it by POST.
/// Following a link (GET) never acts, since mail scanners and previews fetch links. Pages carry the token in their
/// URL, so they are never cached, never framed, and send no Referer; they run no script.
/// </summary>
public static class ConfirmationPage
{
    public static IResult Ask(string title, IReadOnlyList<(string Label, string Value)> facts, string? text, IReadOnlyList<PageForm> forms)
    {
        var html = new StringBuilder();
        Open(html, title);
        if (facts.Count > 0)
        {
            html.Append("<dl>");
            foreach (var (label, value) in facts) html.Append("<dt>").Append(E(label)).Append("</dt><dd>").Append(E(value)).Append("</dd>");
            html.Append("</dl>");
        }
        if (!string.IsNullOrEmpty(text)) html.Append("<pre>").Append(E(text)).Append("</pre>");
        foreach (var form in forms)
        {
            html.Append("<form method=\"post\" action=\"").Append(E(form.Action)).Append("\">");
            foreach (var (name, value) in form.Fields)
                html.Append("<input type=\"hidden\" name=\"").Append(E(name)).Append("\" value=\"").Append(E(value)).Append("\">");
            if (form.TextFieldName is not null)
                html.Append("<label>").Append(E(form.TextFieldLabel ?? form.TextFieldName)).Append("<br><textarea name=\"")
                    .Append(E(form.TextFieldName)).Append("\" rows=\"3\" cols=\"60\"></textarea></label><br>");
            html.Append("<button type=\"submit\">").Append(E(form.ButtonLabel)).Append("</button></form>");
        }
        return Close(html, HttpStatusCode.OK);
    }

    /// <summary>The outcome of a POST, or why a link cannot act (<paramref name="status"/> 410 for used or expired links).</summary>
    public static IResult Tell(string title, string text, HttpStatusCode status = HttpStatusCode.OK)
    {
        var html = new StringBuilder();
        Open(html, title);
        html.Append("<p>").Append(E(text)).Append("</p>");
        return Close(html, status);
    }

    private static void Open(StringBuilder html, string title) =>
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width\"><title>").Append(E(title)).Append("</title>")
            .Append("<style>body{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em}pre{white-space:pre-wrap;background:#f4f4f4;padding:1em}")
            .Append("dt{font-weight:bold}form{display:inline-block;margin:1em 1em 0 0}</style></head><body><h1>").Append(E(title)).Append("</h1>");

    private static IResult Close(StringBuilder html, HttpStatusCode status)
    {
        html.Append("</body></html>");
        return new PageResult(html.ToString(), (int)status);
    }

    private static string E(string value) => WebUtility.HtmlEncode(value);

    private sealed class PageResult(string html, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            var headers = http.Response.Headers;
            headers.CacheControl = "no-store";
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
            http.Response.StatusCode = status;
            http.Response.ContentType = "text/html; charset=utf-8";
            return http.Response.WriteAsync(html, http.RequestAborted);
        }
    }
}
