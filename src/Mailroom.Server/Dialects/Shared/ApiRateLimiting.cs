using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Mailroom.Server.Hosting;
using Microsoft.AspNetCore.RateLimiting;

namespace Mailroom.Server.Dialects.Shared;

/// <summary>
/// A token bucket per API key (keyed by a hash of the presented token, so the limiter runs before the database
/// is asked); past it the answer is 429 with <c>Retry-After</c>.
/// </summary>
public static class ApiRateLimiting
{
    public const string PerKeyPolicy = "per-api-key";

    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services, RateLimitOptions limits)
    {
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(PerKeyPolicy, context =>
            {
                var token = ApiKeyAuthentication.BearerToken(context.Request) ?? ApiKeyOrServiceTokenAuthentication.HeaderToken(context.Request)
                    ?? "anonymous:" + context.Connection.RemoteIpAddress;
                var partition = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.Burst,
                    TokensPerPeriod = limits.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            options.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ApiDialects.ErrorsOf(http)
                    .Refusal(http, RequestRefusal.RateLimited, StatusCodes.Status429TooManyRequests, seconds.ToString(CultureInfo.InvariantCulture))
                    .ExecuteAsync(http);
            };
        });
        return services;
    }
}
