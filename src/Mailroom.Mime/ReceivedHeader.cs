using System.Text.RegularExpressions;

namespace Mailroom.Mime;

/// <summary>The clauses of a Received trace field (RFC 5321 section 4.4), read leniently.</summary>
public sealed partial class ReceivedHeader
{
    public string? From { get; private init; }
    public string? FromIp { get; private init; }
    public string? Helo { get; private init; }
    public string? By { get; private init; }
    public string? Via { get; private init; }
    public string? With { get; private init; }
    public string? Id { get; private init; }
    public string? For { get; private init; }
    public DateTimeOffset? Date { get; private init; }

    /// <summary>Parses an unfolded Received value; null when it has neither a from/by clause nor a date.</summary>
    public static ReceivedHeader? Parse(string value)
    {
        var semicolon = value.LastIndexOf(';');
        var date = semicolon >= 0 ? MimeDate.Parse(value[(semicolon + 1)..]) : null;
        var clauses = semicolon >= 0 && date is not null ? value[..semicolon] : value;
        string? Clause(string keyword)
        {
            var m = Regex.Match(clauses, $@"(?:^|[\s)]){keyword}\s+([^\s;()]+)", RegexOptions.IgnoreCase);
            return m.Success ? m.Groups[1].Value.Trim('<', '>', '[', ']') : null;
        }
        var from = Clause("from");
        var ip = IpPattern().Match(FromComment(clauses) ?? "");
        var helo = Regex.Match(clauses, @"\((?:HELO|EHLO)\s+([^\s)]+)", RegexOptions.IgnoreCase);
        var with = Clause("with");
        var result = new ReceivedHeader
        {
            From = from,
            FromIp = ip.Success ? ip.Groups[1].Value.Replace("IPv6:", "", StringComparison.OrdinalIgnoreCase) : null,
            Helo = helo.Success ? helo.Groups[1].Value : null,
            By = Clause("by"),
            Via = Clause("via"),
            With = with?.Split('/')[0],
            Id = Clause("id"),
            For = Clause("for"),
            Date = date,
        };
        return result.From is null && result.By is null && date is null ? null : result;
    }

    private static string? FromComment(string clauses)
    {
        var m = Regex.Match(clauses, @"(?:^|\s)from\s+\S+\s*(\([^)]*\))", RegexOptions.IgnoreCase);
        return m.Success ? m.Groups[1].Value : null;
    }

    [GeneratedRegex(@"\[([0-9A-Fa-f:.]+|IPv6:[0-9A-Fa-f:.]+)\]")]
    private static partial Regex IpPattern();
}
