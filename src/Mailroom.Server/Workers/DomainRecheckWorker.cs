using Mailroom.Core.Domains;

namespace Mailroom.Server.Workers;

/// <summary>Re-checks every domain's DNS records periodically, so a domain verifies without a call and a broken one is noticed.</summary>
public sealed class DomainRecheckWorker(IDomainRepository domains, DomainVerifier verifier, Hosting.MailroomOptions options,
    TimeProvider time, ILogger<DomainRecheckWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.DomainRecheckInterval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        try
        {
            do
            {
                try
                {
                    foreach (var domain in await domains.ListDueForCheckAsync(time.GetUtcNow() - options.DomainRecheckInterval, 50, stoppingToken))
                        await verifier.VerifyAsync(domain, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "domain re-check failed; trying again later");
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
