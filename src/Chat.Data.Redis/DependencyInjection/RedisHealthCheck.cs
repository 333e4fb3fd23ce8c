using Chat.Data.Redis.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chat.Data.Redis.DependencyInjection;

/// <summary>Healthy when Redis answers a PING through Chat.Data's connection.</summary>
internal sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.ExecuteAsync(db => db.PingAsync(), cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0.0} ms.");
        }
        catch (RedisUnavailableException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis did not answer.", ex);
        }
    }
}
