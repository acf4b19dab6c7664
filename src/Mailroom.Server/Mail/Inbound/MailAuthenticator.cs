using System.Net;
using Mailroom.Core.Delivery;
using Mailroom.Core.Messages;
using Mailroom.Core.Messaging;
using Mailroom.Core.Platform;
using Mailroom.MailAuth;
using Mailroom.MailAuth.Dkim;
using Mailroom.MailAuth.Dmarc;
using Mailroom.MailAuth.Dns;
using Mailroom.MailAuth.Spf;
using Mailroom.Mime;

namespace Mailroom.Server.Mail.Inbound;

/// <summary>
/// SPF for the connecting address and MAIL FROM (or HELO), every DKIM signature, and DMARC for the From domain,
/// with the Authentication-Results text. Nothing here rejects mail: the results are recorded on the message.
/// Mail handed over locally by this server's own outbound path has no connecting address and is not checked.
/// </summary>
public sealed class MailAuthenticator(IDnsResolver dns, PlatformSettings platform, ILogger<MailAuthenticator> logger) : IInboundAuthenticator
{
    private readonly SpfEvaluator _spf = new(dns);
    private readonly DkimVerifier _dkim = new(dns);
    private readonly DmarcEvaluator _dmarc = new(dns);

    public async Task<MessageAuthentication> AuthenticateAsync(byte[] raw, MimeMessage? parsed, InboundEnvelope envelope, CancellationToken ct)
    {
        if (envelope.RemoteAddress is null || !IPAddress.TryParse(envelope.RemoteAddress, out var client))
            return new MessageAuthentication("none", "none", "none", $"{platform.EffectiveMailHost}; none (local delivery)");
        try
        {
            var spf = await _spf.EvaluateMailFromAsync(client, envelope.MailFrom, envelope.HeloName ?? "", ct);
            var dkim = await _dkim.VerifyAsync(raw, ct);
            var fromDomain = parsed?.From.FirstOrDefault()?.Address is { } from && from.LastIndexOf('@') is var at and > 0 ? from[(at + 1)..] : null;
            var dmarc = fromDomain is null ? null : await _dmarc.EvaluateAsync(fromDomain, spf, dkim, ct);
            var results = AuthenticationResults.Format(platform.EffectiveMailHost, spf, dkim, dmarc);
            return new MessageAuthentication(Name(spf.Result), DkimSummary(dkim), dmarc is null ? "none" : Name(dmarc.Result),
                results.Substring(results.IndexOf(':') + 1).Trim());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Authentication is evidence, not a gate: a failure to check is recorded and the mail kept.
            logger.LogWarning(e, "authentication checks failed for mail from {Client}", envelope.RemoteAddress);
            return new MessageAuthentication("temperror", "temperror", "temperror", $"{platform.EffectiveMailHost}; checks failed: {e.Message}");
        }
    }

    private static string Name<T>(T result) where T : struct, Enum => result.ToString().ToLowerInvariant();

    private static string DkimSummary(IReadOnlyList<DkimVerificationResult> results) =>
        results.Count == 0 ? "none"
        : results.Any(r => r.Result == DkimResult.Pass) ? "pass"
        : Name(results[0].Result);
}
