using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Core.Links;
using Mailroom.Core.Security;

namespace Mailroom.Server.Approvals.Slack;

/// <summary>
/// Approval on Slack, in three steps of setup: <c>webhook_url</c> alone posts a card whose buttons open the
/// confirmation pages; <c>signing_secret</c> makes them real buttons whose clicks Slack posts to
/// <c>/hooks/slack/actions</c>; <c>bot_token</c> (with <c>channel</c>) posts through <c>chat.postMessage</c> so that the
/// card can be kept current with <c>chat.update</c>.
/// </summary>
public sealed class SlackApprovalChannel(SlackApi slack, SlackOptions options, IChatApprovalHookRepository hooks, OneTimeLinks links,
    ITransactionRunner transactions, SecretBox secrets, TimeProvider time) : IApprovalChannel
{
    private const string Field = "approval_channel.config.";
    public const string HookIdKey = "hook_id";
    internal const string SigningSecretPurpose = "approval_channel.slack.signing_secret";

    public string Type => ApprovalChannelTypes.Slack;

    public IReadOnlySet<string> SecretKeys { get; } = new HashSet<string>(StringComparer.Ordinal) { "webhook_url", "signing_secret", "bot_token" };

    public async Task<ApprovalChannelConfig> PrepareAsync(string orgId, ApprovalChannelConfig config, CancellationToken ct)
    {
        var webhook = Value(config, "webhook_url");
        var botToken = Value(config, "bot_token");
        var signingSecret = Value(config, "signing_secret");
        if (webhook is null && botToken is null) throw new ValidationException(Field + "webhook_url", "is required (or bot_token with channel)");
        if (webhook is not null && (!Uri.TryCreate(webhook, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http")))
            throw new ValidationException(Field + "webhook_url", "is not an http(s) URL");
        if (botToken is not null)
        {
            if (Value(config, "channel") is null) throw new ValidationException(Field + "channel", "is required with bot_token: the channel the cards go to");
            try
            {
                await slack.CallAsync("auth.test", botToken, [], ct);
            }
            catch (SlackCallFailedException e)
            {
                throw new ValidationException(Field + "bot_token", "Slack refused the bot token: " + e.Message);
            }
        }

        var values = new Dictionary<string, string>(config.Values, StringComparer.Ordinal);
        values.Remove(HookIdKey);
        if (signingSecret is not null)
        {
            var hook = await hooks.SaveAsync(new ChatApprovalHook
            {
                Id = ApprovalWording.NewId("sl_"), OrgId = orgId, Type = Type,
                // A digest names the app without keeping the secret in the clear.
                Account = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signingSecret)))[..32],
                SecretSealed = secrets.Seal(signingSecret, SigningSecretPurpose),
            }, time.GetUtcNow(), ct);
            values[HookIdKey] = hook.Id;
        }
        return config with { Values = values };
    }

    public async Task<ChannelNotice> AnnounceAsync(ApprovalChannelConfig config, ApprovalCard card, CancellationToken ct)
    {
        var hookId = config[HookIdKey];
        IReadOnlyDictionary<string, string>? tokens = null;
        var group = "";
        if (hookId is not null)
        {
            tokens = await transactions.InTransactionAsync(() => links.IssueAsync(card.OrgId, SlackCards.Purpose(hookId), card.DraftId,
                [ButtonActions.Approve, ButtonActions.Reject], options.ButtonLifetime, ct), ct);
            group = (await links.FindUsableAsync(tokens[ButtonActions.Approve], SlackCards.Purpose(hookId), ct))!.GroupId;
        }
        var message = new JsonObject { ["text"] = SlackCards.Summary(card), ["blocks"] = SlackCards.Card(card, hookId, tokens) };
        if (Value(config, "bot_token") is { } botToken)
        {
            message["channel"] = config["channel"];
            message["unfurl_links"] = false;
            var posted = await slack.CallAsync("chat.postMessage", botToken, message, ct);
            return new ChannelNotice(Type, new SlackCardReference((string)posted["channel"]!, (string)posted["ts"]!, group).ToString());
        }
        await slack.PostAsync(config["webhook_url"]!, message, ct);
        return new ChannelNotice(Type, new SlackCardReference("", "", group).ToString());
    }

    public async Task CloseAsync(ApprovalChannelConfig config, ChannelNotice notice, ApprovalCard card, ApprovalOutcome outcome, CancellationToken ct)
    {
        var reference = SlackCardReference.Parse(notice.Reference);
        if (reference.LinkGroupId.Length > 0) await links.VoidGroupAsync(reference.LinkGroupId, ct);
        if (Value(config, "bot_token") is { } botToken && reference.Channel.Length > 0)
        {
            await slack.CallAsync("chat.update", botToken, new JsonObject
            {
                ["channel"] = reference.Channel, ["ts"] = reference.Ts, ["text"] = SlackCards.Summary(card), ["blocks"] = SlackCards.Closed(card, outcome),
            }, ct);
            return;
        }
        // An incoming webhook cannot edit what it posted. A click on the card replaced it already (through its
        // response_url); a decision taken anywhere else is told in a short follow-up.
        if (outcome.DecidedBy.StartsWith("slack:", StringComparison.Ordinal) || Value(config, "webhook_url") is not { } webhook) return;
        await slack.PostAsync(webhook, new JsonObject
        {
            ["text"] = $"{SlackCards.Summary(card)}: {ApprovalWording.Outcome(outcome)}",
            ["blocks"] = SlackCards.Closed(card, outcome),
        }, ct);
    }

    private static string? Value(ApprovalChannelConfig config, string key) => config[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;
}

/// <summary>Where a Slack card is (its channel id and ts, empty when posted by webhook) and its buttons' link group (empty without buttons of ours).</summary>
internal sealed record SlackCardReference(string Channel, string Ts, string LinkGroupId)
{
    public override string ToString() => $"{Channel}|{Ts}|{LinkGroupId}";

    public static SlackCardReference Parse(string reference)
    {
        var parts = reference.Split('|', 3);
        return parts.Length == 3 ? new SlackCardReference(parts[0], parts[1], parts[2]) : new SlackCardReference("", "", "");
    }
}
