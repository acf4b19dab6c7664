using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Mailroom.Core.Approvals;
using Mailroom.Core.Common;
using Mailroom.Core.Links;
using Mailroom.Core.Security;
using Microsoft.AspNetCore.WebUtilities;

namespace Mailroom.Server.Approvals.Slack;

/// <summary>A click on a card's button, checked and waiting to be applied.</summary>
public sealed record SlackClick(string HookId, string Action, string Token, string UserId, string ResponseUrl, JsonArray? PostedBlocks);

/// <summary>
/// <c>POST /hooks/slack/actions</c>, the app's interactivity request URL. The request is taken only when
/// <c>X-Slack-Signature</c> is <c>v0=</c> HMAC-SHA256, under the signing secret of the hook the button names, over
/// <c>v0:{X-Slack-Request-Timestamp}:{body}</c>, and the timestamp is within the window. It is answered at once (Slack
/// waits 3 seconds); the decision is applied after, and the card replaced through the click's <c>response_url</c>.
/// </summary>
public static class SlackActions
{
    public const string Route = "/hooks/slack/actions";
    /// <summary>Interaction payloads are a few kilobytes; anything far larger is not Slack's.</summary>
    private const int MaxBody = 256 * 1024;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(Route, async (HttpContext http, IChatApprovalHookRepository hooks, SecretBox secrets, SlackOptions options,
            SlackClickQueue queue, TimeProvider time) =>
        {
            var ct = http.RequestAborted;
            if (http.Request.ContentLength > MaxBody) return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, ct);
            if (buffer.Length > MaxBody) return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            var body = buffer.ToArray();

            var timestamp = http.Request.Headers["X-Slack-Request-Timestamp"].ToString();
            if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                || Math.Abs(time.GetUtcNow().ToUnixTimeSeconds() - seconds) > options.SignatureWindow.TotalSeconds)
                return Results.Unauthorized();
            var payload = Payload(body);
            // The signing secret is per Slack app, so the button says which hook's secret checks it; nothing else in the
            // payload is believed before the signature is.
            if (payload?["actions"] is not JsonArray { Count: > 0 } actions || actions[0] is not JsonObject action
                || (string?)action["block_id"] is not { } blockId || !blockId.StartsWith(SlackCards.BlockIdPrefix, StringComparison.Ordinal))
                return Results.Unauthorized();
            var hook = await hooks.GetAsync(blockId[SlackCards.BlockIdPrefix.Length..], ct);
            if (hook is null || hook.Type != ApprovalChannelTypes.Slack) return Results.Unauthorized();
            var secret = secrets.OpenString(hook.SecretSealed, SlackApprovalChannel.SigningSecretPurpose);
            if (!SignatureMatches(secret, timestamp, body, http.Request.Headers["X-Slack-Signature"].ToString())) return Results.Unauthorized();

            if ((string?)action["action_id"] is { } actionId && (string?)action["value"] is { } token
                && (string?)payload["response_url"] is { } responseUrl && (string?)payload["user"]?["id"] is { } userId)
                queue.Add(new SlackClick(hook.Id, actionId, token, userId, responseUrl, payload["message"]?["blocks"] as JsonArray));
            return Results.Ok();
        });

    public static string Sign(string signingSecret, string timestamp, byte[] body)
    {
        var signed = Encoding.UTF8.GetBytes($"v0:{timestamp}:").Concat(body).ToArray();
        return "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), signed));
    }

    private static bool SignatureMatches(string signingSecret, string timestamp, byte[] body, string given) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(signingSecret, timestamp, body)), Encoding.ASCII.GetBytes(given));

    private static JsonObject? Payload(byte[] body)
    {
        try
        {
            var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
            return form.TryGetValue("payload", out var payload) ? JsonNode.Parse(payload.ToString()) as JsonObject : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>Clicks taken but not yet applied; bounded, so that a flood of signed requests cannot grow it without end.</summary>
public sealed class SlackClickQueue
{
    private readonly Channel<SlackClick> _clicks = Channel.CreateBounded<SlackClick>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Add(SlackClick click) => _clicks.Writer.TryWrite(click);

    public IAsyncEnumerable<SlackClick> ReadAllAsync(CancellationToken ct) => _clicks.Reader.ReadAllAsync(ct);
}

/// <summary>Applies clicks: the token must be live and signed for the hook the click came through; the card is replaced with the decision, or the person told why not.</summary>
public sealed class SlackClickWorker(SlackClickQueue queue, SlackApi slack, OneTimeLinks links, IDraftReviews reviews, ILogger<SlackClickWorker> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var click in queue.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await ApplyAsync(click, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    log.LogWarning(e, "A Slack click for hook {HookId} could not be applied", click.HookId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ApplyAsync(SlackClick click, CancellationToken ct)
    {
        var link = await links.FindUsableAsync(click.Token, SlackCards.Purpose(click.HookId), ct);
        if (link is null || link.Action != click.Action || link.Action is not (ButtonActions.Approve or ButtonActions.Reject))
        {
            await TellAsync(click, "This card no longer acts: the draft was decided, edited, or the card expired.", ct);
            return;
        }
        var person = "slack:" + click.UserId;
        ApprovalOutcome outcome;
        try
        {
            outcome = link.Action == ButtonActions.Approve
                ? await reviews.ApproveAsync(link.OrgId, link.SubjectId, person, ct)
                : await reviews.RejectAsync(link.OrgId, link.SubjectId, person, null, ct);
        }
        catch (MailroomException e)
        {
            await TellAsync(click, "Nothing was done: " + e.Detail, ct);
            return;
        }
        await links.VoidGroupAsync(link.GroupId, ct);
        await slack.PostAsync(click.ResponseUrl, new JsonObject
        {
            ["replace_original"] = true, ["text"] = ApprovalWording.Outcome(outcome), ["blocks"] = SlackCards.Closed(click.PostedBlocks, outcome),
        }, ct);
    }

    /// <summary>Only the person who clicked sees it; the card stays.</summary>
    private Task TellAsync(SlackClick click, string text, CancellationToken ct) => slack.PostAsync(click.ResponseUrl, new JsonObject
    {
        ["response_type"] = "ephemeral", ["replace_original"] = false, ["text"] = text,
    }, ct);
}
