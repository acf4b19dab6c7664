using Mailroom.Core.Messages;

namespace Mailroom.Server.Workers;

/// <summary>
/// Indexes stored mail for search after its commit (issue 16, migration 0020), so that SMTP's 250 waits for the message's
/// row and not for its words: batch after batch while messages are queued, then a look at the queue every
/// <see cref="Idle"/>. On SQLite each batch is a background transaction, which waits for mail to pause and commits early
/// when mail waits; on
/// PostgreSQL every server runs one and their batches never overlap. Search finds queued messages meanwhile.
/// </summary>
public sealed class SearchIndexWorker(IMessageSearchIndexer indexer, ILogger<SearchIndexWorker> logger) : BackgroundService
{
    /// <summary>Messages a batch indexes: large enough that FTS5 writes few segments, small enough to hold the writer briefly.</summary>
    public const int BatchSize = 256;

    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    // A batch cut short by mail waiting (SQLite) goes on at once: the writer's gate paces it.
                    if (await indexer.AnyQueuedAsync(stoppingToken) && await indexer.IndexQueuedAsync(BatchSize, stoppingToken) > 0) continue;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "indexing stored mail for search failed; trying again later");
                }
                await Task.Delay(Idle, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; what is still queued is indexed at the next start.
        }
    }
}
