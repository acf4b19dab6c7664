using System.Text.Json;

namespace Mailroom.Mime.Tests.Corpus;

/// <summary>Compares one header value with mail-parser's typed value. Returns a description of the difference, or null.</summary>
public static class HeaderValues
{
    private static readonly HashSet<string> IdHeaders = ["message_id", "content_id", "in_reply_to", "references", "resent_message_id", "return_path"];

    /// <summary>
    /// Text equality with two systematic allowances: line ends compare as LF (mail-parser's quoted-printable
    /// decoder emits LF for a hard line break), and mail-parser's U+FFFD (a byte that is not UTF-8, decoded
    /// lossily) matches the one character we decode that byte to (Windows-1252, or the charset's own reading).
    /// </summary>
    public static bool SameText(string? ours, string? expected)
    {
        if (ours is null || expected is null) return ours == expected;
        ours = ours.Replace("\r\n", "\n", StringComparison.Ordinal);
        expected = expected.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (ours == expected) return true;
        if (!expected.Contains('\uFFFD')) return false;
        var pattern = "^" + string.Join("[^\\x00-\\x7F]{1,2}", expected.Split('\uFFFD').Select(System.Text.RegularExpressions.Regex.Escape)) + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(ours, pattern);
    }

    public static string? Compare(string name, string raw, JsonElement expected)
    {
        if (expected.ValueKind == JsonValueKind.String && expected.GetString() == "Empty")
            return name switch
            {
                "date" => MimeDate.Parse(Unstructured(raw)) is { } d ? $"expected no date, got {d:O}" : null,
                "content_type" or "content_disposition" => ContentType.Parse(raw) is { } ct ? $"expected none, got {ct.MimeType}" : null,
                _ => Unstructured(raw).Length == 0 ? null : $"expected empty, got {Unstructured(raw)}",
            };
        var kind = expected.EnumerateObject().First();
        return kind.Name switch
        {
            "Text" when IdHeaders.Contains(name) => Ids(raw, [kind.Value.GetString()!]),
            "Text" => Text(raw, kind.Value.GetString()),
            "TextList" when IdHeaders.Contains(name) => Ids(raw, kind.Value.EnumerateArray().Select(e => e.GetString()!).ToList()),
            "Address" => Address(raw, kind.Value),
            "DateTime" => Date(raw, kind.Value),
            "ContentType" => ContentTypeValue(raw, kind.Value),
            "Received" => Received(raw, kind.Value),
            _ => $"unknown kind {kind.Name}",
        };
    }

    public static string Unstructured(string raw) => Rfc2047.DecodeText(UnfoldForTest(raw));

    private static string UnfoldForTest(string raw) => new Header("x", System.Text.Encoding.UTF8.GetBytes(raw)).Value;

    public static string? Text(string raw, string? expected)
    {
        var ours = new Header("x", System.Text.Encoding.UTF8.GetBytes(raw)).Value;
        return SameText(ours, expected) ? null : $"expected {JsonSerializer.Serialize(expected)}, got {JsonSerializer.Serialize(ours)}";
    }

    public static string? Ids(string raw, IReadOnlyList<string>? expected)
    {
        var ours = MessageIds.Parse(Unstructured(raw));
        expected ??= [];
        return ours.SequenceEqual(expected) ? null : $"expected [{string.Join(", ", expected)}], got [{string.Join(", ", ours)}]";
    }

    public static string? Address(string raw, JsonElement expected)
    {
        var groups = MailboxAddress.ParseGroups(raw);
        string Show(string? n, string? a) => $"{n ?? "null"} <{a ?? "null"}>";
        bool Same(List<string> want, List<string> got) => want.Count == got.Count && want.Zip(got).All(p => SameText(p.Second, p.First));
        var kind = expected.EnumerateObject().First();
        List<string> want, got;
        if (kind.Name == "List")
        {
            want = kind.Value.EnumerateArray().Select(e => Show(Str(e, "name"), Str(e, "address"))).ToList();
            got = groups.Count == 1 && groups[0].Name is null
                ? groups[0].Members.Select(m => Show(m.Name, m.Address.Length == 0 ? null : m.Address)).ToList()
                : groups.Select(g => $"group {g.Name ?? "null"}: " + string.Join(", ", g.Members.Select(m => Show(m.Name, m.Address)))).ToList();
        }
        else
        {
            want = kind.Value.EnumerateArray().Select(g => $"group {Str(g, "name") ?? "null"}: " + string.Join(", ",
                g.GetProperty("addresses").EnumerateArray().Select(e => Show(Str(e, "name"), Str(e, "address"))))).ToList();
            got = groups.Select(g => $"group {g.Name ?? "null"}: " + string.Join(", ",
                g.Members.Select(m => Show(m.Name, m.Address.Length == 0 ? null : m.Address)))).ToList();
        }
        return Same(want, got) ? null : $"expected [{string.Join(" | ", want)}], got [{string.Join(" | ", got)}]";
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static string? Date(string raw, JsonElement expected)
    {
        var ours = MimeDate.Parse(Unstructured(raw));
        if (expected.ValueKind == JsonValueKind.Null) return ours is null ? null : $"expected no date, got {ours:O}";
        if (ours is not { } d) return "expected a date, got none";
        var offset = d.Offset;
        var want = $"{expected.GetProperty("year")}-{expected.GetProperty("month")}-{expected.GetProperty("day")} {expected.GetProperty("hour")}:{expected.GetProperty("minute")}:{expected.GetProperty("second")} "
            + $"{(expected.GetProperty("tz_before_gmt").GetBoolean() ? "-" : "+")}{expected.GetProperty("tz_hour")}:{expected.GetProperty("tz_minute")}";
        var got = $"{d.Year}-{d.Month}-{d.Day} {d.Hour}:{d.Minute}:{d.Second} {(offset < TimeSpan.Zero ? "-" : "+")}{Math.Abs(offset.Hours)}:{Math.Abs(offset.Minutes)}";
        return want == got ? null : $"expected {want}, got {got}";
    }

    public static string? ContentTypeValue(string raw, JsonElement expected)
    {
        var ours = ContentType.Parse(raw);
        if (expected.ValueKind == JsonValueKind.Null) return ours is null ? null : $"expected none, got {ours.MimeType}";
        if (ours is null) return "expected a content type, got none";
        var want = new List<string> { $"{Str(expected, "c_type")}/{Str(expected, "c_subtype") ?? "null"}" };
        if (expected.TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Array)
            foreach (var a in attributes.EnumerateArray())
                want.Add(a.ValueKind == JsonValueKind.Array ? $"{a[0].GetString()}={a[1].GetString()}" : $"{Str(a, "name")}={Str(a, "value")}");
        var got = new List<string> { $"{ours.MediaType}/{ours.MediaSubtype ?? "null"}" };
        foreach (var p in ours.Parameters)
        {
            if (p.Language is not null) got.Add($"{p.Name}-language={p.Language}");
            got.Add($"{p.Name}={p.Value}");
        }
        return want.Count == got.Count && want.Zip(got).All(p => SameText(p.Second, p.First)) ? null : $"expected [{string.Join("; ", want)}], got [{string.Join("; ", got)}]";
    }

    /// <summary>
    /// Every clause mail-parser reports: from, from_ip, from_iprev, by, for, with, via, id, ident, helo,
    /// helo_cmd, tls_version, tls_cipher, and whether there is a date. Two allowances: mail-parser's tokenizer
    /// keeps the LF of a fold in a word that ends a line of an LF-only message ("SAA22453\n"; its .crlf.json
    /// has "SAA22453"), so expected values are trimmed; and it fills the date by position (day, month, year,
    /// hour, minute, second, zone), which for "Sun Nov 13 14:50:12 2005" gives month 13 and for
    /// "l8:14:23" second 232: an expected date that is not a real date and time is no ground truth and is
    /// not compared.
    /// </summary>
    public static string? Received(string raw, JsonElement expected)
    {
        var ours = ReceivedHeader.Parse(Unstructured(raw));
        if (expected.ValueKind == JsonValueKind.Null) return ours is null ? null : "expected no trace, got one";
        if (ours is null) return "expected a trace, got none";
        var problems = new List<string>();
        void Check(string field, string? got)
        {
            string? want = null;
            if (expected.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null)
                want = (v.ValueKind == JsonValueKind.Object ? v.EnumerateObject().First().Value.ToString() : v.ToString()).Trim();
            if (!string.Equals(want, got, StringComparison.OrdinalIgnoreCase)) problems.Add($"{field}: expected {want ?? "null"}, got {got ?? "null"}");
        }
        Check("from", ours.From);
        Check("from_ip", ours.FromIp);
        Check("from_iprev", ours.FromIpRev);
        Check("by", ours.By);
        Check("for_", ours.For);
        Check("with", ours.With);
        Check("via", ours.Via);
        Check("id", ours.Id);
        Check("ident", ours.Ident);
        Check("helo", ours.Helo);
        Check("helo_cmd", ours.HeloCommand);
        Check("tls_version", ours.TlsVersion);
        Check("tls_cipher", ours.TlsCipher);
        if (expected.TryGetProperty("date", out var date) && date.ValueKind != JsonValueKind.Null)
        {
            if (IsRealDate(date) && ours.Date is null) problems.Add("date: expected one, got none");
        }
        else if (ours.Date is { } d) problems.Add($"date: expected none, got {d:O}");
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private static bool IsRealDate(JsonElement d)
    {
        int F(string name) => d.GetProperty(name).GetInt32();
        return F("year") is >= 1 and <= 9999 && F("month") is >= 1 and <= 12 && F("day") >= 1 && F("day") <= DateTime.DaysInMonth(F("year"), F("month"))
            && F("hour") < 24 && F("minute") < 60 && F("second") < 61 && F("tz_hour") < 24 && F("tz_minute") < 60;
    }
}
