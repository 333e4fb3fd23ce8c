using Chat.Data.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chat.Data.DependencyInjection;

/// <summary>Healthy when PostgreSQL answers a query through Chat.Data's data source.</summary>
internal sealed class ChatDataHealthCheck(ChatDatabase db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await db.ExecuteScalarAsync<int>("SELECT 1", null, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is Chat.Data.ChatDataException or Npgsql.NpgsqlException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "PostgreSQL did not answer.", ex);
        }
    }
}
