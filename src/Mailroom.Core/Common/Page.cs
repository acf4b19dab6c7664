namespace Mailroom.Core.Common;

/// <summary>One page of a list, 1-based, as every list endpoint answers it.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total, int Number, int Size)
{
    public Page<TOut> Map<TOut>(Func<T, TOut> map) => new(Items.Select(map).ToList(), Total, Number, Size);
}

public readonly record struct PageRequest(int Number, int Size)
{
    public const int DefaultSize = 20;
    public const int MaxSize = 100;

    public int Offset => (Number - 1) * Size;

    /// <summary>Validates raw query values: page starts at 1, page_size runs from 1 to 100.</summary>
    public static PageRequest From(string? page, string? pageSize, string pageField = "page", string sizeField = "page_size")
    {
        var number = Parse(pageField, page) ?? 1;
        var size = Parse(sizeField, pageSize) ?? DefaultSize;
        if (number < 1) throw new ValidationException(pageField, "must be 1 or greater");
        if (size < 1 || size > MaxSize) throw new ValidationException(sizeField, $"must be between 1 and {MaxSize}");
        return new PageRequest(number, size);
    }

    private static int? Parse(string field, string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ValidationException(field, "must be a whole number");
    }
}
