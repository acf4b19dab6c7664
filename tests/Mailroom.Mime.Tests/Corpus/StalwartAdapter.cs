using System.Text.Json;

namespace Mailroom.Mime.Tests.Corpus;

/// <summary>
/// Compares our model with stalwartlabs/mail-parser's JSON: a flat, depth-first part list per message,
/// each part's typed header values and body, and the text/html/attachment part indices.
/// </summary>
public static class StalwartAdapter
{
    public static List<string> Compare(MimeMessage message, JsonElement expected, string path = "")
    {
        var problems = new List<string>();
        var parts = Flatten(message.Body);
        var expectedParts = expected.GetProperty("parts");
        if (expectedParts.GetArrayLength() != parts.Count)
        {
            problems.Add($"{path}parts: expected {expectedParts.GetArrayLength()}, got {parts.Count}");
            return problems;
        }
        for (var i = 0; i < parts.Count; i++) ComparePart(parts, i, expectedParts[i], $"{path}part {i}: ", problems);
        CompareIndices("text_body", message.TextParts, parts, expected, path, problems);
        CompareIndices("html_body", message.HtmlParts, parts, expected, path, problems);
        CompareIndices("attachments", message.Attachments.Select(a => a.Entity).ToList(), parts, expected, path, problems);
        return problems;
    }

    private static void CompareIndices(string name, IReadOnlyList<MimeEntity> ours, List<MimeEntity> parts, JsonElement expected, string path, List<string> problems)
    {
        var want = expected.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToList();
        var got = ours.Select(e => parts.IndexOf(e)).ToList();
        if (!want.SequenceEqual(got)) problems.Add($"{path}{name}: expected [{string.Join(',', want)}], got [{string.Join(',', got)}]");
    }

    public static List<MimeEntity> Flatten(MimeEntity root)
    {
        var list = new List<MimeEntity>();
        void Walk(MimeEntity e)
        {
            list.Add(e);
            if (e is Multipart m) foreach (var c in m.Children) Walk(c);
        }
        Walk(root);
        return list;
    }

    private static void ComparePart(List<MimeEntity> parts, int index, JsonElement expected, string where, List<string> problems)
    {
        var part = parts[index];
        var headers = expected.GetProperty("headers");
        if (headers.GetArrayLength() != part.Headers.Count)
            problems.Add($"{where}header count: expected {headers.GetArrayLength()}, got {part.Headers.Count}");
        else
            for (var h = 0; h < part.Headers.Count; h++) CompareHeader(part.Headers[h], headers[h], where, problems);

        var body = expected.GetProperty("body");
        var kind = body.EnumerateObject().First();
        switch (kind.Name)
        {
            case "Multipart":
                var children = kind.Value.EnumerateArray().Select(e => e.GetInt32()).ToList();
                var ours = part is Multipart mp ? mp.Children.Select(c => parts.IndexOf(c)).ToList() : null;
                if (ours is null || !children.SequenceEqual(ours))
                    problems.Add($"{where}multipart children: expected [{string.Join(',', children)}], got {(ours is null ? part.GetType().Name : "[" + string.Join(',', ours) + "]")}");
                break;
            case "Message":
                if (part is MessagePart message) problems.AddRange(Compare(message.Message, kind.Value, where + "message/"));
                else problems.Add($"{where}expected an embedded message, got {part.GetType().Name}");
                break;
            case "Text" or "Html":
                if (part is not MimePart text) { problems.Add($"{where}expected {kind.Name}, got {part.GetType().Name}"); break; }
                if ((kind.Name == "Html") != text.ContentType.Is("text", "html") || !IsText(text))
                    problems.Add($"{where}expected {kind.Name}, got {text.ContentType.MimeType}");
                else if (!HeaderValues.SameText(text.GetText(), kind.Value.GetString()))
                    problems.Add($"{where}{kind.Name} differs: {FirstDifference(kind.Value.GetString() ?? "", text.GetText())}");
                break;
            case "Binary" or "InlineBinary":
                if (part is not MimePart binary) { problems.Add($"{where}expected {kind.Name}, got {part.GetType().Name}"); break; }
                if (IsText(binary)) problems.Add($"{where}expected {kind.Name}, got text {binary.ContentType.MimeType}");
                var bytes = kind.Value.EnumerateArray().Select(e => (byte)e.GetInt32()).ToArray();
                if (!bytes.AsSpan().SequenceEqual(binary.GetContent()))
                    problems.Add($"{where}{kind.Name} content differs: expected {bytes.Length} bytes, got {binary.DecodedSize}");
                break;
        }
    }

    /// <summary>mail-parser decodes text/* (and untyped parts) to strings, everything else to bytes.</summary>
    private static bool IsText(MimePart part) => part.ContentType.Is("text");

    private static string FirstDifference(string expected, string ours)
    {
        expected = expected.Replace("\r\n", "\n", StringComparison.Ordinal);
        ours = ours.Replace("\r\n", "\n", StringComparison.Ordinal);
        var i = 0;
        while (i < expected.Length && i < ours.Length && expected[i] == ours[i]) i++;
        var from = Math.Max(0, i - 30);
        return $"at character {i} of {expected.Length}: expected {Show(expected[from..Math.Min(expected.Length, i + 50)])}, got {Show(ours[from..Math.Min(ours.Length, i + 50)])}";
    }

    private static string Show(string? s) => s is null ? "null" : JsonSerializer.Serialize(s.Length > 120 ? s[..120] + "…" : s);

    private static void CompareHeader(Header header, JsonElement expected, string where, List<string> problems)
    {
        var nameElement = expected.GetProperty("name");
        var expectedName = nameElement.ValueKind == JsonValueKind.String ? nameElement.GetString()! : nameElement.GetProperty("other").GetString()!;
        var ourName = nameElement.ValueKind == JsonValueKind.String ? header.Name.ToLowerInvariant().Replace('-', '_') : header.Name;
        if (ourName != expectedName)
        {
            problems.Add($"{where}header name: expected {expectedName}, got {header.Name}");
            return;
        }
        // mail-parser keeps fields it does not know as raw text, folding included.
        var value = expected.GetProperty("value");
        var diff = nameElement.ValueKind == JsonValueKind.String
            ? HeaderValues.Compare(expectedName, header.RawText, value)
            : value.ValueKind == JsonValueKind.Object && value.TryGetProperty("Text", out var text) && !HeaderValues.SameText(header.RawText.Trim(), text.GetString())
                ? $"expected {JsonSerializer.Serialize(text.GetString())}, got {JsonSerializer.Serialize(header.RawText.Trim())}"
                : null;
        if (diff is not null) problems.Add($"{where}header {header.Name}: {diff}");
    }
}
