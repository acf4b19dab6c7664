using Mailroom.Data.Repositories;
using Mailroom.Server.Hosting;

namespace Mailroom.Server.Workers;

/// <summary>
/// Renews, every third of a lease, the leases on the rows this process is working on (<see cref="WorkInHand"/>): work
/// that runs longer than a lease (a slow SMTP peer, a big batch) stays this process's, while a process that dies stops
/// renewing and its rows are free for the other nodes a lease later.
/// </summary>
public sealed class LeaseHeartbeatWorker(WorkInHand inHand, LeaseRenewal renewal, LeaseOwner owner, LeaseOptions leases, TimeProvider time,
    ILogger<LeaseHeartbeatWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(leases.RenewEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var (queue, ids) in inHand.Snapshot())
                {
                    try { await renewal.RenewAsync(queue, ids, owner.Name, time.GetUtcNow() + leases.Duration, stoppingToken); }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // The next tick tries again; if renewals keep failing the leases lapse and another node may repeat the work.
                        logger.LogWarning(e, "renewing {Count} leases on {Queue} failed", ids.Count, queue);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the leases run out on their own.
        }
    }
}
