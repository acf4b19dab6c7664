using Mailroom.Core.Approvals;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Api.V1;

/// <summary>One server per provider for a test class, with a <see cref="RecordingChannel"/> registered beside the product's channels.</summary>
public class V1Servers : IAsyncDisposable
{
    private readonly Dictionary<string, Task<MailroomTestServer>> _servers = [];
    private readonly Lock _gate = new();
    private readonly string[] _configuration;

    public V1Servers() : this([]) { }

    protected V1Servers(string[] configuration) => _configuration = configuration;

    public RecordingChannel Channel { get; } = new();

    public static TheoryData<string> Providers() => TestDatabase.Providers();

    public Task<MailroomTestServer> For(string provider)
    {
        lock (_gate)
        {
            if (!_servers.TryGetValue(provider, out var server))
                _servers[provider] = server = MailroomTestServer.StartAsync(provider, services => services.AddSingleton<IApprovalChannel>(Channel),
                    ["--Mailroom:Webhooks:AllowPrivateTargets=true", "--Mailroom:Limits:IdentitiesPerOrganization=4", .. _configuration]);
            return server;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values) await (await server).DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
