using System.Globalization;
using System.Text;
using Mailroom.Core.Common;
using Mailroom.Core.Messages;

namespace Mailroom.Server.Mcp;

/// <summary>
/// Lists page with an opaque cursor (MCP's own paging style): a tool answers <c>next_cursor</c> while more items
/// follow, and the caller passes it back as <c>cursor</c>. Underneath, most lists page by offset; search walks by
/// position (the last message's time and id), so its cursor carries that instead.
/// </summary>
public static class McpCursor
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
    private const string Prefix = "mr1:";
    private const string PositionPrefix = "mr1p:";

    public static PageRequest Read(ToolArguments args)
    {
        var limit = args.Integer("limit", 1, MaxLimit) ?? DefaultLimit;
        var cursor = args.String("cursor", maxLength: 200);
        return new PageRequest(cursor is null ? 0 : Decode(cursor), limit);
    }

    /// <summary>The cursor of the page after <paramref name="page"/>, or null when it was the last.</summary>
    public static string? Next<T>(PageRequest request, Page<T> page)
    {
        var next = request.Offset + page.Items.Count;
        return page.Items.Count == 0 || next >= page.Total ? null : Encode(Prefix + next.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The position a cursor names (null without one: from the newest) and the limit asked for.</summary>
    public static (MessagePosition? After, int Limit) ReadPosition(ToolArguments args)
    {
        var limit = args.Integer("limit", 1, MaxLimit) ?? DefaultLimit;
        var cursor = args.String("cursor", maxLength: 200);
        return (cursor is null ? null : DecodePosition(cursor), limit);
    }

    /// <summary>The cursor of the page after the one that ended at <paramref name="next"/>, or null when it was the last.</summary>
    public static string? Next(MessagePosition? next) => next is { } position
        ? Encode(PositionPrefix + position.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + ":" + position.MessageId)
        : null;

    private static string Encode(string text) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.ASCII.GetBytes(text));

    private static long Decode(string cursor)
    {
        if (Text(cursor) is { } text && text.StartsWith(Prefix, StringComparison.Ordinal) &&
            long.TryParse(text[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            return offset;
        throw Refused();
    }

    /// <summary>
    /// A time in Unix milliseconds and an id of letters, digits and underscores, as this server writes them; nothing
    /// else passes. A position only bounds a walk through the caller's own organization's messages, so it needs no signature.
    /// </summary>
    private static MessagePosition DecodePosition(string cursor)
    {
        if (Text(cursor) is { } text && text.StartsWith(PositionPrefix, StringComparison.Ordinal) &&
            text[PositionPrefix.Length..].Split(':') is [var time, var id] &&
            long.TryParse(time, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() &&
            id.Length is > 0 and <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            return new MessagePosition(DateTimeOffset.FromUnixTimeMilliseconds(ms), id);
        throw Refused();
    }

    private static string? Text(string cursor)
    {
        try
        {
            return Encoding.ASCII.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return null; // Not base64: refused like any other cursor this server did not give out.
        }
    }

    private static ValidationException Refused() =>
        new("cursor", "is not a cursor this server gave out; pass next_cursor from the previous page unchanged, or omit it for the first page");
}
