using System.Text.RegularExpressions;
using Mailroom.Core.Agents;
using Mailroom.Core.Common;
using Microsoft.Extensions.Logging;

namespace Mailroom.Core.Sms;

/// <summary>What the operator allows per organization.</summary>
public sealed class SmsSettings
{
    public int PhoneNumbersPerOrganization { get; set; } = 5;
}

/// <summary>A number to add: bought by <see cref="Type"/> (and <see cref="AreaCode"/>), or imported by its E.164 <see cref="Number"/>.</summary>
public sealed record NewPhoneNumber(string? Type, string? AreaCode, string? Number, string? AgentHandle);

/// <summary>Changes to a number; null leaves a field as it is, <see cref="Clear"/> names the fields set to null.</summary>
public sealed record PhoneNumberChanges(string? IncomingCallAction, string? ClientWebsocketUrl, string? IncomingCallWebhookUrl,
    IReadOnlySet<string> Clear);

/// <summary>Numbers come from the carrier: bought or imported, then stored; released at the carrier, then removed.</summary>
public sealed partial class PhoneNumberService(IPhoneNumberRepository numbers, AgentService agentService,
    ISmsCarrier carrier, SmsSettings settings, ITransactionRunner transactions, TimeProvider time, ILogger<PhoneNumberService> logger)
{
    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164Pattern();

    [GeneratedRegex("^[0-9]{3}$")]
    private static partial Regex AreaCodePattern();

    /// <summary>An E.164 number (<c>+14155550100</c>), or a validation error about <paramref name="field"/>.</summary>
    public static string CheckE164(string field, string? value)
    {
        if (string.IsNullOrEmpty(value)) throw new ValidationException(field, "is required");
        return E164Pattern().IsMatch(value) ? value : throw new ValidationException(field, "must be an E.164 number such as +14155550100");
    }

    public async Task<PhoneNumber> AddAsync(string orgId, NewPhoneNumber request, CancellationToken ct = default)
    {
        var type = request.Type ?? PhoneNumberTypes.Local;
        if (!PhoneNumberTypes.IsKnown(type)) throw new ValidationException("type", $"must be {PhoneNumberTypes.Local} or {PhoneNumberTypes.TollFree}");
        if (request.AreaCode is { } areaCode && !AreaCodePattern().IsMatch(areaCode)) throw new ValidationException("area_code", "must be three digits");
        var import = request.Number is null ? null : CheckE164("number", request.Number);
        // Refusals that need no carrier come first, so nothing is bought for a request that fails anyway.
        var agent = request.AgentHandle is null ? null : await agentService.FindAsync(orgId, request.AgentHandle, ct);
        await CheckLimitAsync(orgId, ct);
        if (import is not null && await numbers.FindByNumberAsync(import, ct) is not null)
            throw new ConflictException("number", $"{import} is already a phone number here");

        var held = import is null ? await carrier.BuyAsync(type, request.AreaCode, ct) : await carrier.ImportAsync(import, ct);
        var now = time.GetUtcNow();
        var number = new PhoneNumber
        {
            Id = Ids.New(Ids.PhoneNumber, time), OrgId = orgId, Number = held.Number, Type = type, Carrier = carrier.Name,
            CarrierSid = held.CarrierSid, CreatedAt = now, UpdatedAt = now,
        };
        try
        {
            return await transactions.InTransactionAsync(async () =>
            {
                await CheckLimitAsync(orgId, ct);
                if (!await numbers.CreateAsync(number, ct)) throw new ConflictException("number", $"{number.Number} is already a phone number here");
                // The identity is read again in this transaction: it may have changed (or gone) while the carrier answered.
                if (agent is not null)
                    await agentService.LinkNewPhoneNumberAsync(await agentService.FindAsync(orgId, agent.Handle, ct), number, ct);
                return number;
            }, ct);
        }
        catch (MailroomException) when (import is null)
        {
            // A number bought for a request that then failed is given back, so the account pays for no orphan.
            await ReleaseQuietlyAsync(held);
            throw;
        }
    }

    public async Task<PhoneNumber> GetAsync(string orgId, string id, CancellationToken ct = default) =>
        await numbers.GetAsync(orgId, id, ct) ?? throw new NotFoundException("phone number");

    public Task<Page<PhoneNumber>> ListAsync(string orgId, PageRequest page, CancellationToken ct = default) => numbers.ListAsync(orgId, page, ct);

    public async Task<PhoneNumber> UpdateAsync(string orgId, string id, PhoneNumberChanges changes, CancellationToken ct = default)
    {
        if (changes.IncomingCallAction is { } action && !IncomingCallActions.IsKnown(action))
            throw new ValidationException("incoming_call_action",
                $"must be {IncomingCallActions.AutoAccept}, {IncomingCallActions.AutoReject} or {IncomingCallActions.Webhook}");
        if (changes.Clear.Contains("incoming_call_action")) throw new ValidationException("incoming_call_action", "must not be null");
        var number = await GetAsync(orgId, id, ct);
        number.IncomingCallAction = changes.IncomingCallAction ?? number.IncomingCallAction;
        number.ClientWebsocketUrl = Url("client_websocket_url", changes.ClientWebsocketUrl, changes.Clear, number.ClientWebsocketUrl, "ws", "wss");
        number.IncomingCallWebhookUrl = Url("incoming_call_webhook_url", changes.IncomingCallWebhookUrl, changes.Clear, number.IncomingCallWebhookUrl,
            "http", "https");
        number.UpdatedAt = time.GetUtcNow();
        await numbers.UpdateAsync(number, ct);
        return number;
    }

    /// <summary>Releases the number at the carrier, then removes it with its SMS; an agent that held it keeps its other channel.</summary>
    public async Task ReleaseAsync(string orgId, string id, CancellationToken ct = default)
    {
        var number = await GetAsync(orgId, id, ct);
        if (number.CarrierSid is { } sid) await carrier.ReleaseAsync(sid, ct);
        await numbers.DeleteAsync(orgId, id, ct);
    }

    private async Task CheckLimitAsync(string orgId, CancellationToken ct)
    {
        if (await numbers.CountAsync(orgId, ct) >= settings.PhoneNumbersPerOrganization)
            throw new LimitReachedException("phone_number_limit",
                $"the organization already has its limit of {settings.PhoneNumbersPerOrganization} phone numbers");
    }

    private async Task ReleaseQuietlyAsync(CarrierNumber held)
    {
        try { await carrier.ReleaseAsync(held.CarrierSid, CancellationToken.None); }
        catch (UnavailableException e)
        {
            logger.LogWarning("phone number {Number} ({Sid}) was bought but not stored, and releasing it failed: {Reason}", held.Number, held.CarrierSid, e.Detail);
        }
    }

    private static string? Url(string field, string? value, IReadOnlySet<string> clear, string? current, params string[] schemes)
    {
        if (clear.Contains(field)) return null;
        if (value is null) return current;
        Check.Line(field, value, 2000);
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && schemes.Contains(uri.Scheme)
            ? value
            : throw new ValidationException(field, $"must be an absolute {string.Join(" or ", schemes)} URL");
    }
}
