namespace Mailroom.Data.Repositories;

/// <summary>Times are stored as Unix milliseconds in both dialects.</summary>
internal static class Time
{
    public static long Ms(DateTimeOffset value) => value.ToUnixTimeMilliseconds();
    public static long? Ms(DateTimeOffset? value) => value?.ToUnixTimeMilliseconds();
    public static DateTimeOffset At(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);
    public static DateTimeOffset? At(long? value) => value is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}
