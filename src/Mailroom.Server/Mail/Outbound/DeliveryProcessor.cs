using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Mailroom.Core.Blobs;
using Mailroom.Core.Common;
using Mailroom.Core.Delivery;
using Mailroom.Core.Events;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Messages;
using Mailroom.Core.Messaging;
using Mailroom.Core.Platform;
using Mailroom.MailAuth.Dns;
using Mailroom.Server.Mail.Inbound;
using Mailroom.Smtp;
using Mailroom.Smtp.Client;

namespace Mailroom.Server.Mail.Outbound;

/// <summary>
/// One delivery attempt of a queued message: route each remaining recipient (an address hosted here goes through
/// the inbound spool without the network; others to the relay, or to their domain's MX hosts in preference order,
/// falling back to the domain's address), speak SMTP, record every try, then retry 4xx and network faults with a
/// growing delay until the window ends, bounce 5xx, and announce the outcome.
/// </summary>
public sealed class DeliveryProcessor(
    IOutboundDeliveryRepository queue, IMessageRepository messages, IInboxRepository inboxes, IBlobStore blobs, InboundGroupCommit localSpool,
    IDnsResolver dns, EventPublisher events, ITransactionRunner transactions, OutboundOptions options, PlatformSettings platform,
    TimeProvider time, ILogger<DeliveryProcessor> logger)
{
    /// <summary>What one route's try did for each of its recipients.</summary>
    private sealed record RecipientOutcome(string Address, SmtpDeliveryStatus Status, string Reply);

    public async Task ProcessAsync(OutboundDelivery delivery, CancellationToken ct)
    {
        var message = await messages.GetAsync(delivery.OrgId, await InboxOfAsync(delivery, ct), delivery.MessageId, ct);
        if (message?.RawBlobKey is null)
        {
            delivery.Status = OutboundStatus.Bounced;
            delivery.LastReply = "the message was deleted before it could be delivered";
            await queue.RecordAsync(delivery, [], ct);
            return;
        }

        var attempts = new List<DeliveryAttempt>();
        var outcomes = new List<RecipientOutcome>();
        var local = new List<string>();
        var remote = new List<string>();
        foreach (var recipient in delivery.Recipients)
            (await inboxes.FindByAddressAsync(recipient, ct) is not null ? local : remote).Add(recipient);

        var raw = await ReadAsync(message.RawBlobKey, ct);
        if (local.Count > 0)
        {
            // The recipients' copy gets its own blob: deleting the sender's thread must not take the recipients' raw message.
            var copy = await blobs.PutAsync(MailReception.RawBlobPrefix, new MemoryStream(raw), ct);
            await localSpool.SpoolAsync(Ids.New(Ids.InboundSpool, time),
                new InboundEnvelope(delivery.MailFrom, local, null, platform.EffectiveMailHost, false, time.GetUtcNow()), copy, ct);
            outcomes.AddRange(local.Select(r => new RecipientOutcome(r, SmtpDeliveryStatus.Delivered, "250 delivered locally")));
            attempts.Add(Attempt(delivery, "local", 250, $"delivered locally to {string.Join(", ", local)}", "delivered"));
        }
        if (remote.Count > 0)
        {
            foreach (var (route, recipients) in await RoutesAsync(remote, ct))
                outcomes.AddRange(await DeliverRouteAsync(delivery, route, recipients, raw, attempts, ct));
        }

        await SettleAsync(delivery, message, outcomes, attempts, ct);
    }

    private async Task SettleAsync(OutboundDelivery delivery, Message message, List<RecipientOutcome> outcomes, List<DeliveryAttempt> attempts,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var permanent = outcomes.Where(o => o.Status == SmtpDeliveryStatus.PermanentFailure).ToList();
        var transient = outcomes.Where(o => o.Status == SmtpDeliveryStatus.TransientFailure).Select(o => o.Address).ToList();
        var expired = transient.Count > 0 && now >= delivery.ExpiresAt;
        delivery.Attempts++;
        delivery.UpdatedAt = now;
        delivery.LastReply = outcomes.LastOrDefault(o => o.Status != SmtpDeliveryStatus.Delivered)?.Reply ?? outcomes.LastOrDefault()?.Reply;
        delivery.Recipients = expired ? [] : transient;
        if (transient.Count > 0 && !expired)
        {
            var delays = options.Delays;
            delivery.NextAttemptAt = now + TimeSpan.FromSeconds(delays[Math.Min(delivery.Attempts - 1, delays.Length - 1)]);
        }

        var bounced = permanent.Count > 0 || expired;
        var finished = delivery.Recipients.Count == 0;
        if (finished) delivery.Status = bounced ? OutboundStatus.Bounced : OutboundStatus.Delivered;
        await transactions.InTransactionAsync(async () =>
        {
            await queue.RecordAsync(delivery, attempts, ct);
            // A bounce is announced as soon as one recipient fails for good; delivery once every recipient took it.
            var status = bounced && message.Status != MessageStatus.Bounced ? MessageStatus.Bounced
                : finished && !bounced ? MessageStatus.Delivered
                : null;
            if (status is null) return true;
            await messages.UpdateStatusAsync(message.Id, status, now, ct);
            message.Status = status;
            var attachments = await messages.ListAttachmentsAsync(message.Id, ct);
            await events.PublishAsync(status == MessageStatus.Bounced ? new MessageBounced(message, attachments) : new MessageDelivered(message, attachments), ct);
            return true;
        }, ct);
        if (bounced)
            logger.LogInformation("message {MessageId} bounced: {Reply}", message.Id, delivery.LastReply);
    }

    /// <summary>Where the remote recipients go: the relay for all of them, or per domain its MX hosts.</summary>
    private async Task<List<(List<(string Host, int Port)> Route, List<string> Recipients)>> RoutesAsync(List<string> recipients, CancellationToken ct)
    {
        if (IsRelay)
            return [([(options.Relay.Host!, options.Relay.Port)], recipients)];
        var routes = new List<(List<(string, int)>, List<string>)>();
        foreach (var group in recipients.GroupBy(r => r[(r.LastIndexOf('@') + 1)..].ToLowerInvariant()))
            routes.Add((await MxHostsAsync(group.Key, ct), group.ToList()));
        return routes;
    }

    private bool IsRelay => string.Equals(options.Mode, "relay", StringComparison.OrdinalIgnoreCase);

    /// <summary>MX hosts by preference; the domain itself when it has none (RFC 5321 §5.1); none for a null MX.</summary>
    private async Task<List<(string Host, int Port)>> MxHostsAsync(string domain, CancellationToken ct)
    {
        try
        {
            var mx = await dns.GetMxAsync(domain, ct);
            if (mx.Count == 0) return [(domain, options.MxPort)];
            return mx.Select(r => r.Exchange.TrimEnd('.')).Where(h => h.Length > 0).Select(h => (h, options.MxPort)).ToList();
        }
        catch (DnsException)
        {
            return []; // a DNS failure is temporary: no host now, try again later
        }
    }

    private async Task<List<RecipientOutcome>> DeliverRouteAsync(OutboundDelivery delivery, List<(string Host, int Port)> hosts,
        List<string> recipients, byte[] raw, List<DeliveryAttempt> attempts, CancellationToken ct)
    {
        if (hosts.Count == 0)
        {
            attempts.Add(Attempt(delivery, null, null, "no mail host could be found for the recipients' domain (DNS)", "deferred"));
            return recipients.Select(r => new RecipientOutcome(r, SmtpDeliveryStatus.TransientFailure, "no mail host found")).ToList();
        }
        var last = new List<RecipientOutcome>();
        foreach (var (host, port) in hosts)
        {
            var result = await TryHostAsync(host, port, delivery.MailFrom, recipients, raw, ct);
            attempts.Add(Attempt(delivery, $"{host}:{port}", result.Reply?.Code, $"{result.Reply?.ToString() ?? ""} {result.Message}".Trim(),
                result.Status switch
                {
                    SmtpDeliveryStatus.Delivered => "delivered",
                    SmtpDeliveryStatus.PermanentFailure => "failed",
                    _ => "deferred",
                }));
            last = recipients.Select(r => result.Recipients.FirstOrDefault(x => string.Equals(x.Address, r, StringComparison.OrdinalIgnoreCase)) is { } per
                    ? new RecipientOutcome(r, per.Status, per.Reply?.ToString() ?? result.Message)
                    : new RecipientOutcome(r, result.Status, result.Reply?.ToString() ?? result.Message))
                .ToList();
            // Another MX host is only worth trying when this one failed for everybody for a temporary reason.
            if (last.Any(o => o.Status != SmtpDeliveryStatus.TransientFailure)) break;
        }
        return last;
    }

    private async Task<SmtpDeliveryResult> TryHostAsync(string host, int port, string mailFrom, List<string> recipients, byte[] raw, CancellationToken ct)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
            connect.CancelAfter(options.ConnectTimeout);
            // MX hosts are resolved with our DNS client (the configured servers); the relay with the system resolver.
            if (!IsRelay && !IPAddress.TryParse(host, out _))
            {
                var addresses = await dns.GetAddressesAsync(host, connect.Token);
                if (addresses.Count == 0) throw new SocketException((int)SocketError.HostNotFound);
                await socket.ConnectAsync(addresses.ToArray(), port, connect.Token);
            }
            else
            {
                await socket.ConnectAsync(host, port, connect.Token);
            }
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            var relay = options.Relay;
            var implicitTls = IsRelay && string.Equals(relay.Tls, "tls", StringComparison.OrdinalIgnoreCase);
            if (implicitTls)
            {
                var tls = new SslStream(stream, false, (_, _, _, errors) => relay.AcceptAnyCertificate || errors == SslPolicyErrors.None);
                await tls.AuthenticateAsClientAsync(host);
                stream = tls;
            }
            await using (stream)
            {
                return await SmtpDeliveryClient.DeliverAsync(stream, ClientOptions(host, implicitTls), mailFrom, recipients, raw, ct);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or DnsException or System.Security.Authentication.AuthenticationException
                                   && !ct.IsCancellationRequested)
        {
            return new SmtpDeliveryResult(SmtpDeliveryStatus.TransientFailure, [], null, $"{host}:{port}: {e.Message}");
        }
    }

    private SmtpClientOptions ClientOptions(string host, bool implicitTls)
    {
        if (!IsRelay)
            return new SmtpClientOptions { HeloName = platform.EffectiveMailHost, TlsMode = SmtpTlsMode.StartTlsOpportunistic, TargetHost = host };
        var relay = options.Relay;
        return new SmtpClientOptions
        {
            HeloName = platform.EffectiveMailHost, TargetHost = host, AcceptAnyCertificate = relay.AcceptAnyCertificate,
            TlsMode = implicitTls ? SmtpTlsMode.ImplicitTls
                : string.Equals(relay.Tls, "none", StringComparison.OrdinalIgnoreCase) ? SmtpTlsMode.None
                : SmtpTlsMode.StartTlsRequired,
            Credentials = relay.Username is { } user ? new SmtpCredentials(user, relay.Password ?? "") : null,
        };
    }

    private DeliveryAttempt Attempt(OutboundDelivery delivery, string? host, int? code, string text, string outcome) =>
        new(Ids.New("dat", time), delivery.Id, time.GetUtcNow(), host, code, text, outcome);

    private async Task<byte[]> ReadAsync(string key, CancellationToken ct)
    {
        await using var stream = await blobs.OpenAsync(key, ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    private async Task<string> InboxOfAsync(OutboundDelivery delivery, CancellationToken ct) =>
        (await inboxes.FindByAddressAsync(delivery.MailFrom, ct))?.Id ?? "";
}
