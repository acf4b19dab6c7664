using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mailroom.Core.Common;
using Mailroom.Core.Security;
using Mailroom.Core.Webhooks;
using Mailroom.Server.Net;

namespace Mailroom.Server.Webhooks;

/// <summary>
/// Sends due deliveries: claim with a lease, sign, POST, record the attempt, schedule the next one or give up,
/// and disable an endpoint that has failed for too long. At least once: the <c>webhook-id</c> (the event id)
/// lets receivers drop repeats.
/// </summary>
public sealed class WebhookDispatcher(
    IWebhookDeliveryRepository deliveries, IWebhookRepository webhooks, SecretBox secrets, IHttpClientFactory http,
    WebhookOptions options, Data.Repositories.LeaseOwner owner, Data.Repositories.WorkInHand inHand, Hosting.LeaseOptions leases, TimeProvider time,
    ILogger<WebhookDispatcher> logger)
{

    /// <summary>Sends one batch of due deliveries; returns how many were attempted.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = await deliveries.ClaimDueAsync(owner.Name, now, now + leases.Duration, options.Concurrency, ct);
        using (inHand.Hold(Data.Repositories.WorkQueues.WebhookDeliveries, due.Select(d => d.Delivery.Id)))
            await Task.WhenAll(due.Select(d => AttemptAsync(d, ct)));
        return due.Count;
    }

    private async Task AttemptAsync(DueWebhookDelivery due, CancellationToken ct)
    {
        var (delivery, webhook, _, payload) = due;
        var started = time.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        int? statusCode = null;
        string? error = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
            {
                Content = new StringContent(payload, Encoding.UTF8, "application/json"),
            };
            var timestamp = started.ToUnixTimeSeconds();
            var secret = secrets.OpenString(webhook.SecretSealed, SecretPurpose.WebhookSecret);
            request.Headers.Add("webhook-id", delivery.EventId);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", WebhookSignature.Sign(secret, delivery.EventId, timestamp, payload));
            using var response = await http.CreateClient(GuardedHttp.ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            statusCode = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode) error = $"HTTP {statusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !ct.IsCancellationRequested)
        {
            error = e.InnerException?.Message ?? e.Message;
        }
        stopwatch.Stop();

        var now = time.GetUtcNow();
        delivery.Attempts++;
        delivery.LastStatusCode = statusCode;
        delivery.LastError = error;
        delivery.UpdatedAt = now;
        if (error is null)
        {
            delivery.Status = WebhookDeliveryStatus.Delivered;
            delivery.DeliveredAt = now;
        }
        else if (delivery.Attempts < options.Schedule.Length)
        {
            delivery.NextAttemptAt = now + TimeSpan.FromSeconds(options.Schedule[delivery.Attempts]);
        }
        else
        {
            delivery.Status = WebhookDeliveryStatus.Failed;
        }
        await deliveries.RecordAttemptAsync(delivery,
            new WebhookAttempt(Ids.New("wha", time), delivery.Id, started, statusCode, stopwatch.ElapsedMilliseconds, error), ct);
        await TrackEndpointHealthAsync(webhook, error is null, now, ct);
    }

    private async Task TrackEndpointHealthAsync(Webhook webhook, bool succeeded, DateTimeOffset now, CancellationToken ct)
    {
        var current = await webhooks.GetAsync(webhook.OrgId, webhook.Id, ct);
        if (current is null) return;
        if (succeeded)
        {
            if (current.FailingSince is null) return;
            current.FailingSince = null;
        }
        else if (current.FailingSince is null)
        {
            current.FailingSince = now;
        }
        else if (now - current.FailingSince >= options.DisableAfter && current.Enabled)
        {
            current.Enabled = false;
            logger.LogWarning("webhook {WebhookId} disabled after failing since {Since}", current.Id, current.FailingSince);
        }
        else return;
        current.UpdatedAt = now;
        await webhooks.UpdateAsync(current, ct);
    }
}

/// <summary>Runs the dispatcher on every node; leases keep two nodes from sending the same attempt.</summary>
public sealed class WebhookWorker(WebhookDispatcher dispatcher, WebhookOptions options, ILogger<WebhookWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await dispatcher.DispatchDueAsync(stoppingToken) > 0) continue;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "webhook dispatch failed; retrying");
            }
            try { await Task.Delay(options.PollInterval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
