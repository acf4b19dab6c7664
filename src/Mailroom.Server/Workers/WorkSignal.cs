namespace Mailroom.Server.Workers;

/// <summary>Wakes a polling worker as soon as work is queued in this process, instead of at its next poll.</summary>
public abstract class WorkSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Notify()
    {
        try { if (_semaphore.CurrentCount == 0) _semaphore.Release(); }
        catch (SemaphoreFullException) { /* already signalled */ }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _semaphore.WaitAsync(timeout, ct);
}

/// <summary>Something was spooled for local delivery.</summary>
public sealed class InboundSignal : WorkSignal;

/// <summary>An outbound message was queued.</summary>
public sealed class DeliverySignal : WorkSignal, Core.Messaging.IOutboundQueueSignal;
