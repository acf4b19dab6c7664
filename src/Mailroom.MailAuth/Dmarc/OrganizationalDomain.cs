namespace Mailroom.MailAuth.Dmarc;

/// <summary>
/// The organizational domain of RFC 7489 §3.2, approximated without the Public Suffix List: the last two
/// labels, or the last three when the last two are a common second-level public suffix (co.uk, com.au, ...).
/// Suffixes not in the built-in list (for example private ones such as github.io) are not recognized.
/// </summary>
public static class OrganizationalDomain
{
    /// <summary>Public suffixes of two labels under which registrations happen.</summary>
    public static readonly IReadOnlySet<string> TwoLabelSuffixes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "co.uk", "org.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk", "ac.uk", "gov.uk", "sch.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "asn.au", "id.au",
        "co.nz", "net.nz", "org.nz", "ac.nz", "govt.nz",
        "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp",
        "co.za", "org.za", "web.za",
        "com.br", "net.br", "org.br", "gov.br",
        "com.cn", "net.cn", "org.cn", "gov.cn",
        "co.in", "net.in", "org.in", "firm.in", "gen.in", "ind.in",
        "co.kr", "or.kr", "com.tw", "org.tw", "com.hk", "org.hk", "com.sg", "org.sg",
        "com.mx", "org.mx", "com.ar", "com.tr", "co.il", "org.il", "com.my", "com.ph", "com.vn",
        "co.id", "or.id", "com.ua", "com.pl", "co.th", "in.th", "com.sa", "com.eg", "com.ng", "co.ke",
    };

    /// <summary>The organizational domain of <paramref name="domain"/>, lower-case without a trailing dot.</summary>
    public static string Of(string domain)
    {
        var labels = domain.Trim().TrimEnd('.').ToLowerInvariant().Split('.');
        var keep = labels.Length >= 3 && TwoLabelSuffixes.Contains($"{labels[^2]}.{labels[^1]}") ? 3 : 2;
        return string.Join('.', labels.TakeLast(Math.Min(keep, labels.Length)));
    }
}
