using Mailroom.Core.Automation;
using Mailroom.Core.Common;

namespace Mailroom.Server.Workers;

/// <summary>An automation job was queued.</summary>
public sealed class AutomationSignal : WorkSignal, IAutomationQueueSignal;

/// <summary>
/// Claims due automation jobs with a lease (any number of nodes can run it) and advances them in batches: the local steps
/// of a whole batch commit in one transaction (cut short, the rest following in the next, when mail being stored waits for
/// SQLite's writer); calls outside (spamd, ApiCall) are made between transactions, in parallel,
/// and their jobs advanced again. A batch that fails is retried job by job, so one bad job cannot hold up the others.
/// </summary>
public sealed class AutomationWorker(IAutomationJobRepository queue, AutomationProcessor processor, ITransactionRunner transactions, AutomationSignal signal,
    Data.Repositories.LeaseOwner owner, Data.Repositories.WorkInHand inHand, Hosting.LeaseOptions leases, TimeProvider time,
    ILogger<AutomationWorker> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private const int BatchSize = 64;
    /// <summary>
    /// After a batch that was not full, jobs are left to gather this long: under a stream of mail the worker then commits a
    /// few full batches instead of many small ones, each taking SQLite's one writer (and an fsync) from the mail being stored.
    /// </summary>
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(250);
    private const int MaxAttempts = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow();
                var due = await queue.ClaimDueAsync(owner.Name, now, now + leases.Duration, BatchSize, stoppingToken);
                if (due.Count > 0)
                    using (inHand.Hold(Data.Repositories.WorkQueues.AutomationJobs, due.Select(j => j.Id)))
                        await RunAsync(due, stoppingToken);
                if (due.Count == 0) await signal.WaitAsync(PollInterval, stoppingToken);
                else if (due.Count < BatchSize) await Task.Delay(Gather, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "automation poll failed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task RunAsync(IReadOnlyList<AutomationJob> jobs, CancellationToken ct)
    {
        var pending = jobs;
        while (pending.Count > 0)
        {
            var (calling, untouched) = await AdvanceAsync(pending, ct);
            await Task.WhenAll(calling.Select(async job =>
            {
                job.OutsideAnswer = await job.OutsideCall!(ct);
                job.OutsideCall = null;
            }));
            pending = [.. untouched, .. calling];
        }
    }

    /// <returns>The jobs that stopped for a call outside, and those left for the next transaction because mail wanted the writer.</returns>
    private async Task<(IReadOnlyList<AutomationJob> Calling, IReadOnlyList<AutomationJob> Untouched)> AdvanceAsync(IReadOnlyList<AutomationJob> jobs,
        CancellationToken ct)
    {
        await transactions.ReadTogetherAsync(async () =>
        {
            foreach (var job in jobs)
                if (job.Prepared is null) await processor.PrepareAsync(job, ct);
            return true;
        }, ct);
        try
        {
            return await transactions.InBackgroundTransactionAsync(async () =>
            {
                var calling = new List<AutomationJob>();
                for (var i = 0; i < jobs.Count; i++)
                {
                    // At least one job a transaction, so that the batch always moves.
                    if (i > 0 && transactions.BackgroundShouldYield) return (calling, jobs.Skip(i).ToList());
                    if (await processor.AdvanceAsync(jobs[i], ct) == JobStop.NeedsCall) calling.Add(jobs[i]);
                }
                return ((IReadOnlyList<AutomationJob>)calling, (IReadOnlyList<AutomationJob>)[]);
            }, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException && jobs.Count > 1)
        {
            logger.LogWarning(e, "an automation batch failed; running its jobs one by one");
        }
        var alone = new List<AutomationJob>();
        foreach (var job in jobs)
        {
            try
            {
                if (await transactions.InBackgroundTransactionAsync(() => processor.AdvanceAsync(job, ct), ct) == JobStop.NeedsCall) alone.Add(job);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                job.Attempts++;
                job.State = job.Attempts >= MaxAttempts ? JobStates.Failed : JobStates.Queued;
                job.DueAt = time.GetUtcNow().AddSeconds(30 * job.Attempts);
                job.OutsideAnswer = null;
                logger.LogError(e, "automation job {JobId} failed (attempt {Attempt})", job.Id, job.Attempts);
                await queue.SaveAsync(job, keepLease: false, ct);
            }
        }
        return (alone, []);
    }
}
