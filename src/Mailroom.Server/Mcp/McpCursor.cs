using System.Globalization;
using System.Text;
using Mailroom.Core.Common;

namespace Mailroom.Server.Mcp;

/// <summary>
/// Lists page with an opaque cursor (MCP's own paging style) over the core's offset paging: a tool answers
/// <c>next_cursor</c> while more items follow, and the caller passes it back as <c>cursor</c>.
/// </summary>
public static class McpCursor
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
    private const string Prefix = "mr1:";

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
        return page.Items.Count == 0 || next >= page.Total ? null : Encode(next);
    }

    private static string Encode(long offset) =>
        System.Buffers.Text.Base64Url.EncodeToString(Encoding.ASCII.GetBytes(Prefix + offset.ToString(CultureInfo.InvariantCulture)));

    private static long Decode(string cursor)
    {
        try
        {
            var text = Encoding.ASCII.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(cursor));
            if (text.StartsWith(Prefix, StringComparison.Ordinal) &&
                long.TryParse(text[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
                return offset;
        }
        catch (FormatException)
        {
            // Not base64: refused below like any other cursor this server did not give out.
        }
        throw new ValidationException("cursor", "is not a cursor this server gave out; pass next_cursor from the previous page unchanged, or omit it for the first page");
    }
}
