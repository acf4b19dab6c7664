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
/// Each route's result is committed as soon as its final reply arrives (before QUIT, before the next route): a
/// receiver's 250 and our commit are two events, and a crash between them is the only way a recipient gets a message twice.
/// </summary>
public sealed class DeliveryProcessor(
    IOutboundDeliveryRepository queue, IMessageRepository messages, NoticeMail notices, IInboxRepository inboxes, IBlobStore blobs, InboundGroupCommit localSpool,
    IDnsResolver dns, EventPublisher events, ITransactionRunner transactions, OutboundOptions options, PlatformSettings platform,
    TimeProvider time, ILogger<DeliveryProcessor> logger, IOrganizationMailRepository organizationMail)
{
    /// <summary>What one route's try did for each of its recipients.</summary>
    private sealed record RecipientOutcome(string Address, SmtpDeliveryStatus Status, string Reply);

    /// <summary>One attempt in progress: the tries not yet recorded, and whether a recipient failed in it yet.</summary>
    private sealed class Pass(OutboundDelivery delivery, Message message, IReadOnlyList<Attachment> attachments)
    {
        public OutboundDelivery Delivery { get; } = delivery;
        public Message Message { get; } = message;
        public IReadOnlyList<Attachment> Attachments { get; } = attachments;
        public List<DeliveryAttempt> Unrecorded { get; } = [];
        public bool Failed { get; set; }
    }

    public async Task ProcessAsync(OutboundDelivery delivery, CancellationToken ct)
    {
        var message = await messages.GetAsync(delivery.OrgId, await InboxOfAsync(delivery, ct), delivery.MessageId, ct)
                      // Mailroom's own notices (approval mail) belong to no inbox.
                      ?? (delivery.MailFrom == notices.SenderAddress ? await messages.FindWithoutInboxAsync(delivery.OrgId, delivery.MessageId, ct) : null)
                      ?? await organizationMail.GetSentWithoutInboxAsync(delivery.OrgId, delivery.MessageId, ct);
        if (message?.RawBlobKey is null)
        {
            delivery.Status = OutboundStatus.Bounced;
            delivery.LastReply = "the message was deleted before it could be delivered";
            await queue.RecordAsync(delivery, [], ct: ct);
            return;
        }

        // Read before any transaction: the status event carries them, and the commit after a 250 should hold no reads.
        var pass = new Pass(delivery, message, await messages.ListAttachmentsAsync(message.Id, ct));
        delivery.Attempts++;
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
            pass.Unrecorded.Add(Attempt(delivery, "local", 250, $"delivered locally to {string.Join(", ", local)}", "delivered"));
            await RecordAsync(pass, local.Select(r => new RecipientOutcome(r, SmtpDeliveryStatus.Delivered, "250 delivered locally")).ToList(), ct);
        }
        if (remote.Count > 0)
        {
            foreach (var (route, recipients) in await RoutesAsync(remote, ct))
                await DeliverRouteAsync(pass, route, recipients, raw, ct);
        }

        if (delivery.Recipients.Count > 0)
            await DeferAsync(pass, ct);
    }

    /// <summary>
    /// Commits one try at once: its recipients that were accepted or refused for good leave the delivery, and the message
    /// status changes (with its event) when this try decides it. While recipients remain, the lease stays with this pass.
    /// </summary>
    private async Task RecordAsync(Pass pass, List<RecipientOutcome> outcomes, CancellationToken ct)
    {
        var delivery = pass.Delivery;
        var failure = outcomes.FirstOrDefault(o => o.Status != SmtpDeliveryStatus.Delivered);
        if (failure is not null) pass.Failed = true;
        delivery.LastReply = failure?.Reply ?? (pass.Failed ? delivery.LastReply : outcomes.LastOrDefault()?.Reply ?? delivery.LastReply);
        var settled = outcomes.Where(o => o.Status != SmtpDeliveryStatus.TransientFailure).Select(o => o.Address).ToHashSet(StringComparer.OrdinalIgnoreCase);
        // A try that settles no recipient changes nothing a crash could repeat: its record waits for the next commit.
        if (settled.Count == 0) return;
        delivery.Recipients = delivery.Recipients.Where(r => !settled.Contains(r)).ToList();
        await CommitAsync(pass, outcomes.Any(o => o.Status == SmtpDeliveryStatus.PermanentFailure), keepLease: delivery.Recipients.Count > 0, ct);
    }

    /// <summary>The end of a pass that left recipients with temporary failures: retry later, or bounce them when the window is over.</summary>
    private async Task DeferAsync(Pass pass, CancellationToken ct)
    {
        var delivery = pass.Delivery;
        var now = time.GetUtcNow();
        var expired = now >= delivery.ExpiresAt;
        if (expired)
        {
            delivery.Recipients = [];
        }
        else
        {
            var delays = options.Delays;
            delivery.NextAttemptAt = now + TimeSpan.FromSeconds(delays[Math.Min(delivery.Attempts - 1, delays.Length - 1)]);
        }
        await CommitAsync(pass, bounced: expired, keepLease: false, ct);
    }

    private async Task CommitAsync(Pass pass, bool bounced, bool keepLease, CancellationToken ct)
    {
        var (delivery, message) = (pass.Delivery, pass.Message);
        var now = time.GetUtcNow();
        delivery.UpdatedAt = now;
        var finished = delivery.Recipients.Count == 0;
        var alreadyBounced = message.Status == MessageStatus.Bounced;
        if (finished) delivery.Status = bounced || alreadyBounced ? OutboundStatus.Bounced : OutboundStatus.Delivered;
        // A bounce is announced as soon as one recipient fails for good; delivery once every recipient took it. Each once.
        var status = bounced && !alreadyBounced ? MessageStatus.Bounced
            : finished && !bounced && !alreadyBounced ? MessageStatus.Delivered
            : null;
        var attempts = pass.Unrecorded.ToList();
        await transactions.InTransactionAsync(async () =>
        {
            await queue.RecordAsync(delivery, attempts, keepLease, ct);
            if (status is null) return true;
            await messages.UpdateStatusAsync(message.Id, status, now, ct);
            message.Status = status;
            // An approval notice carries one-time links: announcing it would hand them to every webhook and stream reader.
            if (message.InboxId is not null || delivery.MailFrom != notices.SenderAddress)
                await events.PublishAsync(status == MessageStatus.Bounced ? new MessageBounced(message, pass.Attachments) : new MessageDelivered(message, pass.Attachments), ct);
            return true;
        }, ct);
        pass.Unrecorded.Clear();
        if (status == MessageStatus.Bounced)
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

    private async Task DeliverRouteAsync(Pass pass, List<(string Host, int Port)> hosts, List<string> recipients, byte[] raw, CancellationToken ct)
    {
        var delivery = pass.Delivery;
        if (hosts.Count == 0)
        {
            pass.Unrecorded.Add(Attempt(delivery, null, null, "no mail host could be found for the recipients' domain (DNS)", "deferred"));
            await RecordAsync(pass, recipients.Select(r => new RecipientOutcome(r, SmtpDeliveryStatus.TransientFailure, "no mail host found")).ToList(), ct);
            return;
        }
        foreach (var (host, port) in hosts)
        {
            var outcomes = new List<RecipientOutcome>();
            await TryHostAsync(host, port, delivery.MailFrom, recipients, raw, async result =>
            {
                pass.Unrecorded.Add(Attempt(delivery, $"{host}:{port}", result.Reply?.Code, $"{result.Reply?.ToString() ?? ""} {result.Message}".Trim(),
                    result.Status switch
                    {
                        SmtpDeliveryStatus.Delivered => "delivered",
                        SmtpDeliveryStatus.PermanentFailure => "failed",
                        _ => "deferred",
                    }));
                outcomes = recipients.Select(r => result.Recipients.FirstOrDefault(x => string.Equals(x.Address, r, StringComparison.OrdinalIgnoreCase)) is { } per
                        ? new RecipientOutcome(r, per.Status, per.Reply?.ToString() ?? result.Message)
                        : new RecipientOutcome(r, result.Status, result.Reply?.ToString() ?? result.Message))
                    .ToList();
                await RecordAsync(pass, outcomes, ct);
            }, ct);
            // Another MX host is only worth trying when this one failed for everybody for a temporary reason.
            if (outcomes.Any(o => o.Status != SmtpDeliveryStatus.TransientFailure)) break;
        }
    }

    /// <summary>One SMTP transaction with one host; <paramref name="outcome"/> is awaited exactly once, before QUIT when the host replied.</summary>
    private async Task TryHostAsync(string host, int port, string mailFrom, List<string> recipients, byte[] raw, Func<SmtpDeliveryResult, Task> outcome,
        CancellationToken ct)
    {
        var reported = false;
        Task ReportAsync(SmtpDeliveryResult result)
        {
            reported = true;
            return outcome(result);
        }
        SmtpDeliveryResult result;
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
                result = await SmtpDeliveryClient.DeliverAsync(stream, ClientOptions(host, implicitTls), mailFrom, recipients, raw, ct, ReportAsync);
            }
        }
        catch (Exception e) when (!reported && e is SocketException or IOException or OperationCanceledException or DnsException
                                      or System.Security.Authentication.AuthenticationException && !ct.IsCancellationRequested)
        {
            result = new SmtpDeliveryResult(SmtpDeliveryStatus.TransientFailure, [], null, $"{host}:{port}: {e.Message}");
        }
        // A connection that failed before any reply (or a fault the client turned into a result) is reported here.
        if (!reported) await ReportAsync(result);
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
