using Mailroom.Core.Inboxes;

namespace Mailroom.Data.Repositories;

/// <summary>
/// Deletes mail rows and reads, in the same transaction, the blob keys they held. Attachments and outbound deliveries
/// go with their message, and messages with their thread, by ON DELETE CASCADE; threads, messages and drafts do not
/// go with their inbox (ON DELETE SET NULL since migration 0003), so deleting an inbox's mail names them.
/// </summary>
public sealed class MailDeletionRepository(MailroomDatabase db) : IMailDeletionRepository
{
    public Task<IReadOnlyList<string>?> DeleteThreadAsync(string orgId, string inboxId, string threadId, CancellationToken ct = default) =>
        db.InTransactionAsync<IReadOnlyList<string>?>(async () =>
        {
            var args = new { orgId, inboxId, threadId };
            // Locked first on PostgreSQL: a message being added to the thread commits before the keys are read, or waits.
            if (await db.QuerySingleOrDefaultAsync<string>(
                    $"SELECT id FROM threads WHERE org_id = @orgId AND inbox_id = @inboxId AND id = @threadId{ForUpdate}", args, ct) is null)
                return null;
            var keys = await BlobKeysAsync("m.thread_id = @threadId", args, ct);
            // The inbox's totals and their spam part lose what the thread held, counted before it goes, under the thread's lock.
            await db.ExecuteAsync(
                "UPDATE inboxes SET " +
                "message_count = message_count - (SELECT COUNT(*) FROM messages WHERE thread_id = @threadId AND inbox_id = @inboxId), " +
                "thread_count = thread_count - (SELECT COUNT(*) FROM threads WHERE id = @threadId AND message_count > 0), " +
                "spam_message_count = spam_message_count - (SELECT COUNT(*) FROM messages WHERE thread_id = @threadId AND inbox_id = @inboxId AND spam = TRUE), " +
                "spam_thread_count = spam_thread_count - (SELECT COUNT(*) FROM threads WHERE id = @threadId AND message_count > 0 AND spam = TRUE) " +
                "WHERE id = @inboxId", args, ct);
            await db.ExecuteAsync("DELETE FROM threads WHERE id = @threadId", args, ct);
            return keys;
        }, ct);

    public Task<IReadOnlyList<string>?> DeleteMailOfInboxAsync(string orgId, string inboxId, CancellationToken ct = default) =>
        db.InTransactionAsync<IReadOnlyList<string>?>(async () =>
        {
            var args = new { orgId, inboxId };
            // Locked first on PostgreSQL: mail being stored for the inbox (its foreign key check shares the row lock)
            // commits before the keys are read, or waits and then finds no inbox.
            if (await db.QuerySingleOrDefaultAsync<string>($"SELECT id FROM inboxes WHERE org_id = @orgId AND id = @inboxId{ForUpdate}", args, ct) is null)
                return null;
            var keys = await BlobKeysAsync("m.inbox_id = @inboxId", args, ct);
            await db.ExecuteAsync("DELETE FROM messages WHERE inbox_id = @inboxId", args, ct);
            await db.ExecuteAsync("DELETE FROM threads WHERE inbox_id = @inboxId", args, ct);
            await db.ExecuteAsync("DELETE FROM drafts WHERE inbox_id = @inboxId", args, ct);
            await db.ExecuteAsync("UPDATE inboxes SET message_count = 0, thread_count = 0, spam_message_count = 0, spam_thread_count = 0 WHERE id = @inboxId", args, ct);
            return keys;
        }, ct);

    private string ForUpdate => db.Provider == DatabaseProvider.Postgres ? " FOR UPDATE" : "";

    /// <summary>The raw messages and attachments of the messages <paramref name="where"/> picks (as <c>m</c>).</summary>
    private async Task<IReadOnlyList<string>> BlobKeysAsync(string where, object args, CancellationToken ct) =>
        (await db.QueryAsync<string>(
            $"SELECT m.raw_blob_key FROM messages m WHERE {where} AND m.raw_blob_key IS NOT NULL " +
            $"UNION ALL SELECT a.blob_key FROM attachments a JOIN messages m ON m.id = a.message_id WHERE {where}", args, ct))
        .Distinct().ToList();
}
