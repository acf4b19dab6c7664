using Mailroom.Core.Common;

namespace Mailroom.Data.Repositories;

internal static class PagedQuery
{
    /// <summary>Runs a count and one page of <paramref name="select"/> (which must end in ORDER BY) with the same arguments.</summary>
    public static async Task<Page<TEntity>> PageAsync<TRow, TEntity>(this MailroomDatabase db, string select, string count,
        Dictionary<string, object?> args, PageRequest page, Func<TRow, TEntity> map, CancellationToken ct)
    {
        var total = await db.ScalarAsync<long>(count, args, ct);
        var pageArgs = new Dictionary<string, object?>(args) { ["Limit"] = page.Limit, ["Offset"] = page.Offset };
        var rows = await db.QueryAsync<TRow>(select + " LIMIT @Limit OFFSET @Offset", pageArgs, ct);
        return new Page<TEntity>(rows.Select(map).ToList(), total);
    }
}
