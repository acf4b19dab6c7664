namespace Mailroom.Core.Messages;

/// <summary>
/// Search's index rows for stored messages, written after the commit that stored them (issue 16, migration 0020): storing
/// mail queues the message, and this indexes the queue in batches. Until then search finds a message through the queue.
/// </summary>
public interface IMessageSearchIndexer
{
    /// <summary>Whether any stored message waits to be indexed (a read, without taking the writer).</summary>
    Task<bool> AnyQueuedAsync(CancellationToken ct = default);

    /// <summary>Indexes up to <paramref name="batchSize"/> queued messages in one background transaction; how many it indexed.</summary>
    Task<int> IndexQueuedAsync(int batchSize, CancellationToken ct = default);
}
