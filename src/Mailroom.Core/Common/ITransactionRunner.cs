namespace Mailroom.Core.Common;

/// <summary>
/// Runs work in one database transaction: repository calls made inside it share the transaction,
/// so a state change and the events it causes commit together.
/// </summary>
public interface ITransactionRunner
{
    Task<T> InTransactionAsync<T>(Func<Task<T>> work, CancellationToken ct = default);
}
