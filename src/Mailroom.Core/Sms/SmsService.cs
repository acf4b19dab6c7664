using Mailroom.Core.Agents;
using Mailroom.Core.Common;
using Mailroom.Core.Events;
using Microsoft.Extensions.Logging;

namespace Mailroom.Core.Sms;

/// <summary>An SMS the carrier brought in: its id there, the sender, the organization's number and the text.</summary>
public sealed record InboundSms(string CarrierSid, string From, string To, string Text);

/// <summary>The number exists but may not send now (its identity is paused).</summary>
public sealed class SmsRefusedException(string field, string detail) : MailroomException(ErrorKind.NotActive, field, detail);

/// <summary>
/// Sending and receiving SMS through the carrier. Inbound SMS are stored once per carrier id and announced as
/// <c>sms.received</c>; an outbound SMS is stored before the carrier is asked, so that a status callback that
/// overtakes the carrier's answer still finds it, and each status the carrier reports moves it on once
/// (<c>sms.sent</c>, <c>sms.delivered</c>, <c>sms.failed</c>).
/// </summary>
public sealed class SmsService(ISmsMessageRepository messages, IPhoneNumberRepository numbers, IAgentRepository agents, ISmsCarrier carrier,
    EventPublisher events, ITransactionRunner transactions, TimeProvider time, ILogger<SmsService> logger)
{
    public const int MaxTextLength = 1600;

    public async Task<SmsMessage> SendAsync(string orgId, string phoneNumberId, string? to, string? text, CancellationToken ct = default)
    {
        var recipient = PhoneNumberService.CheckE164("to", to);
        if (string.IsNullOrEmpty(text)) throw new ValidationException("text", "is required");
        if (text.Length > MaxTextLength) throw new ValidationException("text", $"must be at most {MaxTextLength} characters");
        var number = await numbers.GetAsync(orgId, phoneNumberId, ct) ?? throw new NotFoundException("phone number");
        if (await agents.FindByPhoneNumberAsync(orgId, number.Id, ct) is { Status: AgentStatus.Paused } agent)
            throw new SmsRefusedException("phone_number_id", $"identity {agent.Handle} is paused and sends no SMS");
        var now = time.GetUtcNow();
        var message = new SmsMessage
        {
            Id = Ids.New(Ids.SmsMessage, time), OrgId = orgId, PhoneNumberId = number.Id, Direction = SmsDirection.Outbound,
            LocalNumber = number.Number, RemoteNumber = recipient, Text = text, Status = SmsStatus.Queued, CreatedAt = now, UpdatedAt = now,
        };
        await messages.CreateAsync(message, ct);
        string carrierSid;
        try
        {
            carrierSid = await carrier.SendAsync(message.Id, number.Number, recipient, text, ct);
        }
        catch
        {
            // Nothing went out: the message is not kept.
            await messages.DeleteAsync(orgId, message.Id, CancellationToken.None);
            throw;
        }
        return await transactions.InTransactionAsync(async () =>
        {
            // A status callback may have moved it on already: keep its status, add the carrier's id.
            var current = await messages.GetAsync(orgId, message.Id, ct) ?? message;
            current.CarrierSid = carrierSid;
            current.UpdatedAt = time.GetUtcNow();
            await messages.UpdateAsync(current, ct);
            return current;
        }, ct);
    }

    /// <summary>A number's messages, both directions, grouped by the other party.</summary>
    public async Task<Page<SmsMessage>> ListAsync(string orgId, string phoneNumberId, PageRequest page, CancellationToken ct = default)
    {
        if (await numbers.GetAsync(orgId, phoneNumberId, ct) is null) throw new NotFoundException("phone number");
        return await messages.ListAsync(orgId, phoneNumberId, page, ct);
    }

    /// <summary>
    /// Stores an inbound SMS and announces it; a carrier retry of one stored already changes nothing. An SMS to a
    /// number no organization holds is logged and dropped.
    /// </summary>
    public async Task ReceiveAsync(InboundSms sms, CancellationToken ct = default)
    {
        var number = await numbers.FindByNumberAsync(sms.To, ct);
        if (number is null)
        {
            logger.LogWarning("SMS {Sid} to {Number}, which no organization holds, was dropped", sms.CarrierSid, sms.To);
            return;
        }
        var now = time.GetUtcNow();
        var message = new SmsMessage
        {
            Id = Ids.New(Ids.SmsMessage, time), OrgId = number.OrgId, PhoneNumberId = number.Id, Direction = SmsDirection.Inbound,
            LocalNumber = number.Number, RemoteNumber = sms.From, Text = sms.Text, Status = SmsStatus.Received, CarrierSid = sms.CarrierSid,
            CreatedAt = now, UpdatedAt = now,
        };
        await transactions.InTransactionAsync(async () =>
        {
            if (await messages.CreateAsync(message, ct)) await events.PublishAsync(new SmsReceived(message), ct);
            return true;
        }, ct);
    }

    /// <summary>
    /// A status the carrier reported for an outbound message: moves it on (never back) and announces the move.
    /// Statuses Mailroom does not tell apart (<c>sending</c>, <c>accepted</c>) and unknown messages change nothing.
    /// </summary>
    public Task ReportStatusAsync(string messageId, string carrierStatus, string? error, CancellationToken ct = default)
    {
        var status = carrierStatus switch
        {
            "sent" => SmsStatus.Sent,
            "delivered" => SmsStatus.Delivered,
            "failed" or "undelivered" => SmsStatus.Failed,
            _ => null,
        };
        if (status is null) return Task.CompletedTask;
        return transactions.InTransactionAsync(async () =>
        {
            var message = await messages.FindAsync(messageId, ct);
            if (message is null || message.Direction != SmsDirection.Outbound || SmsStatus.Rank(status) <= SmsStatus.Rank(message.Status)) return false;
            message.Status = status;
            message.Error = status == SmsStatus.Failed ? error : null;
            message.UpdatedAt = time.GetUtcNow();
            await messages.UpdateAsync(message, ct);
            await events.PublishAsync(status switch
            {
                SmsStatus.Sent => new SmsSent(message),
                SmsStatus.Delivered => new SmsDelivered(message),
                _ => (DomainEvent)new SmsFailed(message),
            }, ct);
            return true;
        }, ct);
    }
}
