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

    /// <summary>
    /// Runs <paramref name="total"/> (a stored counter, not a count over the rows) and one page in two steps: the page's
    /// ids from <paramref name="ids"/> (a query ending in ORDER BY that an index answers alone) with LIMIT and OFFSET, then
    /// those rows of <paramref name="table"/> in <paramref name="order"/>. An offset then skips index entries instead of
    /// reading whole rows (bodies, headers) only to drop them, so a deep page costs about what the first one does.
    /// </summary>
    public static async Task<Page<TEntity>> PageThroughIndexAsync<TRow, TEntity>(this MailroomDatabase db, string table, string columns,
        string ids, string order, string total, Dictionary<string, object?> args, PageRequest page, Func<TRow, TEntity> map, CancellationToken ct)
    {
        var count = await db.ScalarAsync<long>(total, args, ct);
        var pageArgs = new Dictionary<string, object?>(args) { ["Limit"] = page.Limit, ["Offset"] = page.Offset };
        var rows = await db.QueryAsync<TRow>(
            $"SELECT {columns} FROM {table} WHERE id IN ({ids} LIMIT @Limit OFFSET @Offset) ORDER BY {order}", pageArgs, ct);
        return new Page<TEntity>(rows.Select(map).ToList(), count);
    }
}
