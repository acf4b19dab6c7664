namespace Mailroom.Core.Common;

/// <summary>
/// Runs work in one database transaction: repository calls made inside it share the transaction,
/// so a state change and the events it causes commit together.
/// </summary>
public interface ITransactionRunner
{
    Task<T> InTransactionAsync<T>(Func<Task<T>> work, CancellationToken ct = default);

    /// <summary>
    /// As <see cref="InTransactionAsync{T}"/>, for background work that nobody waits on and that is done again if lost
    /// (automation jobs): it may wait while other writers go first, and its commit is atomic but need not reach the disk
    /// before it returns (the next ordinary commit takes it there), so a power failure may undo it.
    /// </summary>
    Task<T> InBackgroundTransactionAsync<T>(Func<Task<T>> work, CancellationToken ct = default) => InTransactionAsync(work, ct);

    /// <summary>
    /// Asked between the steps of a background transaction: true when other writers wait for the database it holds and
    /// it has had its share, so it should commit what it has done and continue in a later transaction.
    /// </summary>
    bool BackgroundShouldYield => false;

    /// <summary>
    /// Runs reads together (a batch's preparation reads the same few rows for every job): the database may give them
    /// one connection and prepare each statement once. Nothing in it may write.
    /// </summary>
    Task<T> ReadTogetherAsync<T>(Func<Task<T>> work, CancellationToken ct = default) => work();
}
