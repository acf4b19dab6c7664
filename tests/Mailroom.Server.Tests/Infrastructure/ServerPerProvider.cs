using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// One running server per database provider shared by a test class; each test makes its own organizations,
/// so tests stay independent. A subclass can pass configuration that every one of its servers starts with.
/// </summary>
public class ServerPerProvider : IAsyncDisposable
{
    private readonly Dictionary<string, Task<MailroomTestServer>> _servers = [];
    private readonly Lock _gate = new();
    private readonly string[] _configuration;

    public ServerPerProvider() : this([]) { }

    protected ServerPerProvider(string[] configuration) => _configuration = configuration;

    public static TheoryData<string> Providers() => TestDatabase.Providers();

    public Task<MailroomTestServer> For(string provider)
    {
        lock (_gate)
        {
            if (!_servers.TryGetValue(provider, out var server))
                _servers[provider] = server = MailroomTestServer.StartAsync(provider, _configuration);
            return server;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values) await (await server).DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
