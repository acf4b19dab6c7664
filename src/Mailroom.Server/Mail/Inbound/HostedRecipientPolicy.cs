using Mailroom.Core.Domains;
using Mailroom.Core.Inboxes;
using Mailroom.Core.Platform;
using Mailroom.Smtp.Server;

namespace Mailroom.Server.Mail.Inbound;

/// <summary>
/// RCPT TO: an address an inbox holds is accepted; another address at a domain we host is <c>550 5.1.1</c>; any
/// other domain is <c>550 5.7.1</c> (never an open relay); a database fault is <c>451</c>.
/// </summary>
public sealed class HostedRecipientPolicy(IInboxRepository inboxes, IDomainRepository domains, PlatformSettings platform,
    ILogger<HostedRecipientPolicy> logger) : ISmtpRecipientPolicy
{
    public async ValueTask<SmtpRecipientDecision> CheckRecipientAsync(SmtpSessionInfo info, string address, CancellationToken ct)
    {
        try
        {
            if (await inboxes.AddressExistsAsync(address, ct)) return SmtpRecipientDecision.Accept;
            var at = address.LastIndexOf('@');
            var domain = at < 0 ? "" : address[(at + 1)..].ToLowerInvariant();
            return domain == platform.DefaultDomain || await domains.FindByNameAsync(domain, ct) is not null
                ? SmtpRecipientDecision.UnknownMailbox
                : SmtpRecipientDecision.RelayDenied;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "recipient check failed for {Address}", address);
            return SmtpRecipientDecision.TemporaryFailure;
        }
    }
}
