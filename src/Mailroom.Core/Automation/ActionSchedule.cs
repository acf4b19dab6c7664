using System.Globalization;
using System.Text.RegularExpressions;
using Mailroom.Core.Common;

namespace Mailroom.Core.Automation;

/// <summary>
/// Mailroom's spelling of <c>actionSchedule</c> (the spec leaves it open): windows separated by <c>;</c>, each days and
/// hours, <c>Mon-Fri 09:00-17:00; Sat 10:00-14:00</c>, read in <c>actionScheduleTimeZoneId</c> (an IANA or Windows id,
/// UTC when unset). Days are Mon..Sun, single or as a range, comma-separated; an end of <c>24:00</c> is midnight.
/// </summary>
public sealed partial class ActionSchedule
{
    private static readonly string[] Days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    private sealed record Window(bool[] Days, TimeSpan From, TimeSpan To);

    private readonly List<Window> _windows;
    private readonly TimeZoneInfo _zone;

    private ActionSchedule(List<Window> windows, TimeZoneInfo zone) => (_windows, _zone) = (windows, zone);

    [GeneratedRegex(@"^\s*(?<days>[A-Za-z]{3}(\s*-\s*[A-Za-z]{3})?(\s*,\s*[A-Za-z]{3}(\s*-\s*[A-Za-z]{3})?)*)\s+(?<from>\d{2}:\d{2})\s*-\s*(?<to>\d{2}:\d{2})\s*$")]
    private static partial Regex WindowSyntax();

    /// <summary>Null when there is no schedule (the action may run at any time).</summary>
    /// <exception cref="ValidationException">On <c>action_schedule</c> or <c>action_schedule_time_zone_id</c>.</exception>
    public static ActionSchedule? Parse(string? schedule, string? timeZoneId)
    {
        var zone = Zone(timeZoneId);
        if (string.IsNullOrWhiteSpace(schedule)) return null;
        var windows = new List<Window>();
        foreach (var part in schedule.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = WindowSyntax().Match(part);
            if (!match.Success) throw Invalid($"'{part}' is not 'Mon-Fri 09:00-17:00'");
            var days = new bool[7];
            foreach (var range in match.Groups["days"].Value.Split(',', StringSplitOptions.TrimEntries))
            {
                var ends = range.Split('-', StringSplitOptions.TrimEntries);
                var first = Day(ends[0]);
                var last = ends.Length > 1 ? Day(ends[1]) : first;
                for (var d = first; ; d = (d + 1) % 7)
                {
                    days[d] = true;
                    if (d == last) break;
                }
            }
            var from = Time(match.Groups["from"].Value);
            var to = Time(match.Groups["to"].Value);
            if (to <= from) throw Invalid($"'{part}': the window must end after it starts");
            windows.Add(new Window(days, from, to));
        }
        if (windows.Count == 0) throw Invalid("has no window");
        return new ActionSchedule(windows, zone);
    }

    public static TimeZoneInfo Zone(string? timeZoneId)
    {
        if (string.IsNullOrWhiteSpace(timeZoneId)) return TimeZoneInfo.Utc;
        try { return TimeZoneInfo.FindSystemTimeZoneById(timeZoneId); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ValidationException("action_schedule_time_zone_id", $"'{timeZoneId}' is not a known time zone");
        }
    }

    public bool IsOpen(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, _zone);
        var day = ((int)local.DayOfWeek + 6) % 7; // Monday first
        return _windows.Any(w => w.Days[day] && local.TimeOfDay >= w.From && local.TimeOfDay < w.To);
    }

    private static int Day(string name)
    {
        var index = Array.FindIndex(Days, d => string.Equals(d, name, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index : throw Invalid($"'{name}' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)");
    }

    private static TimeSpan Time(string text)
    {
        var hours = int.Parse(text[..2], CultureInfo.InvariantCulture);
        var minutes = int.Parse(text[3..], CultureInfo.InvariantCulture);
        if (hours > 24 || minutes > 59 || (hours == 24 && minutes > 0)) throw Invalid($"'{text}' is not a time of day");
        return new TimeSpan(hours, minutes, 0);
    }

    private static ValidationException Invalid(string detail) => new("action_schedule", detail);
}
