namespace Mailroom.Data.Repositories;

/// <summary>The claim every work queue uses: pick due rows (skipping rows other nodes hold on PostgreSQL) and lease them.</summary>
internal static class LeasedClaim
{
    /// <param name="dueCondition">SQL condition naming the due rows, over parameters in <paramref name="args"/>.</param>
    public static Task<List<string>> ClaimIdsAsync(this MailroomDatabase db, string table, string dueCondition, string orderBy,
        Dictionary<string, object?> args, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct) =>
        db.InTransactionAsync(async () =>
        {
            // SQLite serialises writers (IMMEDIATE transactions), so the plain SELECT is safe there.
            var skipLocked = db.Provider == DatabaseProvider.Postgres ? " FOR UPDATE SKIP LOCKED" : "";
            var selectArgs = new Dictionary<string, object?>(args) { ["now"] = Time.Ms(now), ["limit"] = limit };
            var ids = (await db.QueryAsync<string>(
                $"SELECT id FROM {table} WHERE {dueCondition} AND (lease_until IS NULL OR lease_until < @now) ORDER BY {orderBy} LIMIT @limit{skipLocked}",
                selectArgs, ct)).ToList();
            foreach (var id in ids)
                await db.ExecuteAsync($"UPDATE {table} SET lease_owner = @owner, lease_until = @until WHERE id = @id",
                    new { id, owner, until = Time.Ms(leaseUntil) }, ct);
            return ids;
        }, ct);
}
