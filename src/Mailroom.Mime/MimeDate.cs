using System.Globalization;

namespace Mailroom.Mime;

/// <summary>RFC 5322 dates and the common broken forms (missing seconds or weekday, two-digit years, named zones, ISO 8601).</summary>
public static class MimeDate
{
    private static readonly char[] Digits = "0123456789".ToCharArray();

    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private static readonly Dictionary<string, int> Zones = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UT"] = 0, ["UTC"] = 0, ["GMT"] = 0, ["Z"] = 0,
        ["EST"] = -500, ["EDT"] = -400, ["CST"] = -600, ["CDT"] = -500,
        ["MST"] = -700, ["MDT"] = -600, ["PST"] = -800, ["PDT"] = -700,
        ["CET"] = 100, ["CEST"] = 200, ["BST"] = 100, ["IST"] = 530, ["JST"] = 900,
    };

    /// <summary>
    /// Parses a date-time; null when there is no day, month, year and time of day (RFC 5322 3.3 requires the
    /// time). A value that is not a date but ends in "; date" (a trace-like text) gives the date after the ';'.
    /// </summary>
    public static DateTimeOffset? Parse(string value)
    {
        if (ParseDate(value) is { } date) return date;
        var semicolon = value.LastIndexOf(';');
        return semicolon >= 0 ? ParseDate(value[(semicolon + 1)..]) : null;
    }

    private static DateTimeOffset? ParseDate(string value)
    {
        if (DateTimeOffset.TryParse(value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var iso)
            && value.Length >= 10 && value.Trim()[4] == '-')
            return iso;
        var tokens = Tokenize(value);
        int? day = null, month = null, year = null, hour = null, minute = null, second = null;
        var zone = 0;
        foreach (var t in tokens)
        {
            if (t.Contains(':'))
            {
                var hms = t.Split(':');
                if (hms.Length is < 2 or > 3 || !int.TryParse(hms[0], out var h) || !int.TryParse(hms[1], out var m)) return null;
                var s = 0;
                // Fractional seconds ("55.516") are dropped.
                if (hms.Length == 3 && !int.TryParse(hms[2].Split('.')[0], out s)) return null;
                (hour, minute, second) = (h, m, s);
            }
            else if (t[0] is '+' or '-' && t.Length >= 3 && t[1..].All(char.IsAsciiDigit))
            {
                if (hour is null) return null;
                var n = int.Parse(t[1..], CultureInfo.InvariantCulture);
                if (t.Length <= 3) n *= 100;
                zone = t[0] == '-' ? -n : n;
            }
            else if (t.All(char.IsAsciiDigit))
            {
                var n = int.Parse(t.Length > 9 ? t[..9] : t, CultureInfo.InvariantCulture);
                if (day is null && month is null && t.Length <= 2) day = n;
                else if (month is not null && day is null && t.Length <= 2 && year is null) day = n;
                // A numeric month between day and year ("20 11 79 05:34:27").
                else if (day is not null && month is null && year is null && hour is null && t.Length <= 2 && n is >= 1 and <= 12) month = n;
                else if (year is null && month is not null) year = t.Length <= 2 ? (n < 50 ? 2000 + n : 1900 + n) : t.Length == 3 ? 1900 + n : n;
                else if (hour is not null && year is null) year = n;
                else return null;
            }
            else if (t.Length >= 3 && Array.IndexOf(Months, t[..3].ToLowerInvariant()) is var mi and >= 0 && month is null)
                month = mi + 1;
            else if (hour is not null && Zones.TryGetValue(t, out var z)) zone = z;
            // A POSIX TZ name ("EST5EDT"): its standard-time zone.
            else if (hour is not null && t.IndexOfAny(Digits) is var d and >= 2 && Zones.TryGetValue(t[..d], out var std)) zone = std;
            else if (hour is not null || year is not null || month is not null && day is not null) continue;
            else if (t.Length >= 3 && IsWeekday(t)) continue;
            else return null;
        }
        if (day is null || month is null || year is null || hour is null) return null;
        try
        {
            var offset = new TimeSpan(zone / 100, zone % 100, 0);
            if (offset.Duration() > TimeSpan.FromHours(14)) offset = TimeSpan.Zero;
            return new DateTimeOffset(year.Value, month.Value, day.Value, hour.Value, minute ?? 0, Math.Min(second ?? 0, 59), offset);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static bool IsWeekday(string t) =>
        t[..3].ToLowerInvariant() is "mon" or "tue" or "wed" or "thu" or "fri" or "sat" or "sun";

    private static List<string> Tokenize(string value)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (c == '(')
            {
                var depth = 0;
                for (; i < value.Length; i++)
                {
                    if (value[i] == '(') depth++;
                    else if (value[i] == ')' && --depth == 0) { i++; break; }
                }
                continue;
            }
            if (char.IsWhiteSpace(c) || c == ',') { i++; continue; }
            var start = i;
            if (c is '+' or '-') i++;
            while (i < value.Length && !char.IsWhiteSpace(value[i]) && value[i] is not (',' or '(' or '+') && !(value[i] == '-' && i > start)) i++;
            var token = value[start..i];
            // "1-Jul-2003" style: split on inner dashes.
            if (token.Length > 0) tokens.Add(token);
        }
        return tokens;
    }
}
