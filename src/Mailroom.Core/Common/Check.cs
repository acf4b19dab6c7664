namespace Mailroom.Core.Common;

/// <summary>Field checks shared by every service; each failure names the field.</summary>
public static class Check
{
    /// <summary>An optional single-line text: at most <paramref name="max"/> characters and never CR or LF.</summary>
    public static string? Line(string field, string? value, int max = 200)
    {
        if (value is null) return null;
        if (value.Length > max) throw new ValidationException(field, $"must be at most {max} characters");
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0) throw new ValidationException(field, "must not contain line breaks");
        return value;
    }

    /// <summary>
    /// A list of at most <paramref name="max"/> items, checked on its count alone: before any item is looked at, so
    /// that a list of millions costs no more than one of <paramref name="max"/> + 1.
    /// </summary>
    public static void AtMost(string field, int count, int max, string items)
    {
        if (count > max) throw new ValidationException(field, $"at most {max} {items}");
    }

    public static string Required(string field, string? value, int max = 200) =>
        string.IsNullOrWhiteSpace(value) ? throw new ValidationException(field, "is required") : Line(field, value, max)!;
}
