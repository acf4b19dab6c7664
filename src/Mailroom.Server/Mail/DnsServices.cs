using Mailroom.Core.Domains;
using Mailroom.MailAuth.Dns;

namespace Mailroom.Server.Mail;

/// <summary>
/// One DNS client for the process, on <c>Mailroom:Dns:Servers</c> (a list, or one comma-separated string of
/// <c>address[:port]</c>), or the system resolvers when none are configured.
/// </summary>
public static class DnsServices
{
    public static IServiceCollection AddMailroomDns(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Mailroom:Dns:Servers");
        var servers = section.Value is { } single
            ? single.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : section.GetChildren().Select(c => c.Value).OfType<string>().ToArray();
        var options = DnsClientOptions.FromServers(servers);
        services.AddSingleton<IDnsResolver>(sp => new DnsClient(options, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IDomainDnsLookup, DomainDnsLookup>();
        return services;
    }

    private sealed class DomainDnsLookup(IDnsResolver dns) : IDomainDnsLookup
    {
        public async Task<IReadOnlyList<string>> GetMxHostsAsync(string domain, CancellationToken ct) =>
            (await dns.GetMxAsync(domain, ct)).Select(mx => mx.Exchange.TrimEnd('.').ToLowerInvariant()).ToList();

        public Task<IReadOnlyList<string>> GetTxtAsync(string name, CancellationToken ct) => dns.GetTxtAsync(name, ct);
    }
}
