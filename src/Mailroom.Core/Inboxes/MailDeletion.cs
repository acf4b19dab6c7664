using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Microsoft.Extensions.Logging;

namespace Mailroom.Core.Inboxes;

/// <summary>
/// Deleting an inbox or a thread, decided once for every dialect. The rows go in one transaction, then the blobs
/// they held (raw messages, attachment bytes). Rows are the truth: once they are gone nothing can reach the blobs, so
/// a blob that fails to delete is only disk space — it is logged, never an error for the caller. An id that is
/// unknown or belongs to another organization is <see cref="NotFoundException"/>.
/// </summary>
public sealed class MailDeletion(IMailDeletionRepository mail, IInboxRepository inboxes, ITransactionRunner transactions, IBlobStore blobs,
    ILogger<MailDeletion> logger)
{
    /// <summary>Deletes a thread of an inbox with its messages, attachments and their blobs.</summary>
    public async Task DeleteThreadAsync(string orgId, string inboxId, string threadId, CancellationToken ct = default)
    {
        var blobKeys = await mail.DeleteThreadAsync(orgId, inboxId, threadId, ct) ?? throw new NotFoundException("thread");
        await DeleteBlobsAsync(blobKeys, "thread", threadId);
    }

    /// <summary>
    /// Deletes an inbox with all its mail: threads, messages, attachments, drafts and their blobs (the v0 inbox
    /// delete). The address is free for a new inbox afterwards.
    /// </summary>
    public async Task DeleteInboxAsync(string orgId, string inboxId, CancellationToken ct = default)
    {
        var blobKeys = await transactions.InTransactionAsync(async () =>
        {
            if (await mail.DeleteMailOfInboxAsync(orgId, inboxId, ct) is not { } keys) return null;
            await inboxes.DeleteAsync(orgId, inboxId, ct);
            return keys;
        }, ct) ?? throw new NotFoundException("inbox");
        await DeleteBlobsAsync(blobKeys, "inbox", inboxId);
    }

    /// <summary>
    /// Deletes an inbox but keeps its mail (an identity deleted through the identities API): its threads, messages and
    /// drafts stay, readable by id, with no inbox any more (<c>InboxId</c> null) and each thread keeping the address
    /// it was received at (<c>InboxAddress</c>). The address can no longer send or receive, and is free for a new inbox.
    /// </summary>
    public async Task DeleteInboxKeepingMailAsync(string orgId, string inboxId, CancellationToken ct = default)
    {
        // The schema does the rest: threads, messages and drafts refer to their inbox with ON DELETE SET NULL.
        if (!await inboxes.DeleteAsync(orgId, inboxId, ct)) throw new NotFoundException("inbox");
    }

    /// <summary>
    /// Runs after the commit and to the end even when the caller has gone away: the rows are gone, and a blob not
    /// removed now would never be.
    /// </summary>
    private async Task DeleteBlobsAsync(IReadOnlyList<string> keys, string owner, string ownerId)
    {
        foreach (var key in keys)
        {
            try { await blobs.DeleteAsync(key, CancellationToken.None); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                logger.LogWarning(e, "blob {Key} of deleted {Owner} {OwnerId} was not removed", key, owner, ownerId);
            }
        }
    }
}

/// <summary>Removes mail rows and tells which blobs they held, so that <see cref="MailDeletion"/> can remove those after the commit.</summary>
public interface IMailDeletionRepository
{
    /// <summary>
    /// Deletes the thread with its messages and attachments in one transaction and returns the blob keys they held;
    /// null when the organization has no such thread in that inbox.
    /// </summary>
    Task<IReadOnlyList<string>?> DeleteThreadAsync(string orgId, string inboxId, string threadId, CancellationToken ct = default);

    /// <summary>
    /// Deletes every thread, message, attachment and draft of the inbox, but not the inbox itself, and returns the
    /// blob keys they held; null when the organization has no such inbox. Run it in the caller's transaction: it locks
    /// the inbox row where the database can, so no mail is added to the inbox until that transaction ends.
    /// </summary>
    Task<IReadOnlyList<string>?> DeleteMailOfInboxAsync(string orgId, string inboxId, CancellationToken ct = default);
}
