using Mailroom.Server.Workers;
using Mailroom.Core.Delivery;

namespace Mailroom.Server.Mail.Outbound;

/// <summary>Claims due deliveries with a lease (any number of nodes can run it) and hands each to the processor.</summary>
public sealed class DeliveryWorker(IOutboundDeliveryRepository queue, DeliveryProcessor processor, DeliverySignal signal, OutboundOptions options, Data.Repositories.LeaseOwner owner,
    Data.Repositories.WorkInHand inHand, Hosting.LeaseOptions leases, TimeProvider time, ILogger<DeliveryWorker> logger) : BackgroundService
{

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow();
                var due = await queue.ClaimDueAsync(owner.Name, now, now + leases.Duration, 8, stoppingToken);
                using (inHand.Hold(Data.Repositories.WorkQueues.OutboundDeliveries, due.Select(d => d.Id)))
                    await Task.WhenAll(due.Select(d => ProcessOneAsync(d, stoppingToken)));
                if (due.Count == 0) await signal.WaitAsync(options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "delivery poll failed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ProcessOneAsync(OutboundDelivery delivery, CancellationToken ct)
    {
        try { await processor.ProcessAsync(delivery, ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // No longer renewed, the lease runs out and another pass tries again; nothing is lost.
            logger.LogError(e, "delivery {DeliveryId} failed unexpectedly", delivery.Id);
        }
    }
}
