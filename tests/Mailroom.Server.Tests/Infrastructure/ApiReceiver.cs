using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>An outside API on 127.0.0.1 for ApiCall actions: records every request; <c>/fail</c> answers 500, anything else the JSON set in <see cref="Answer"/>.</summary>
public sealed class ApiReceiver : IAsyncDisposable
{
    public sealed record Received(string Method, string Path, string Authorization, string ContentType, string Body);

    private readonly WebApplication _app;

    private ApiReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Received> Requests { get; } = new();
    public string Answer { get; set; } = """{"ok":true}""";
    public string BaseUrl { get; private set; } = "";

    public static async Task<ApiReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new ApiReceiver(app);
        app.Map("/{**path}", async (HttpContext http) =>
        {
            var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            receiver.Requests.Enqueue(new Received(http.Request.Method, http.Request.Path, http.Request.Headers.Authorization.ToString(),
                http.Request.ContentType ?? "", body));
            return http.Request.Path.StartsWithSegments("/fail") ? Results.StatusCode(500) : Results.Text(receiver.Answer, "application/json");
        });
        await app.StartAsync();
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    public async Task<IReadOnlyList<Received>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Requests.Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        return Requests.ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
