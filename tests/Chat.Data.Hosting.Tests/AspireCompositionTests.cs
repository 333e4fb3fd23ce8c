using Chat.Data.Redis.Internal;
using Chat.Data.Redis.Presence;
using Chat.Data.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;
using StackExchange.Redis;

namespace Chat.Data.Hosting.Tests;

/// <summary>
/// A host composed the Aspire way: Aspire.Npgsql and Aspire.StackExchange.Redis register the data source
/// and the multiplexer (with their health checks and telemetry), then AddChatData().AddRedis() joins them.
/// </summary>
public sealed class AspireCompositionTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Chat_data_uses_the_Aspire_data_source_and_multiplexer_reports_health_beside_them_and_shuts_down_cleanly()
    {
        var redis = TestServers.Redis;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:chat"] = database.ConnectionString,
            ["ConnectionStrings:cache"] = redis,
        });
        builder.AddNpgsqlDataSource("chat");
        builder.AddRedisClient("cache");
        builder.Services.AddChatData(_ => { }).AddRedis(o =>
        {
            o.KeyPrefix = $"aspire:{Guid.NewGuid():N}:";
            o.Otp.HmacKey = new byte[32];
        });

        var host = builder.Build();
        await host.StartAsync();
        var services = host.Services;
        var hostDataSource = services.GetRequiredService<NpgsqlDataSource>();
        var hostMultiplexer = services.GetRequiredService<IConnectionMultiplexer>();

        Assert.Same(hostDataSource, services.GetRequiredService<Chat.Data.Internal.ChatDatabase>().DataSource);
        Assert.Same(hostMultiplexer, await services.GetRequiredService<RedisConnection>().GetMultiplexerAsync(CancellationToken.None));
        var user = await services.GetRequiredService<IUserRepository>().CreateAsync(new NewUser { Username = "aspire_" + Random.Shared.Next(1_000_000), DisplayName = "Aspire" });
        Assert.True((await services.GetRequiredService<IPresenceTracker>().HeartbeatAsync(user.Id, "web")).WentOnline);

        var health = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Contains("chat-data", health.Entries.Keys);
        Assert.Contains("chat-data-redis", health.Entries.Keys);
        Assert.True(health.Entries.Count >= 4, "Aspire's own PostgreSQL and Redis checks run beside ours: " + string.Join(", ", health.Entries.Keys));

        await host.StopAsync();
        // The multiplexer is the host's: still connected after Chat.Data's services stopped.
        Assert.True(hostMultiplexer.IsConnected);
        if (host is IAsyncDisposable disposable)
            await disposable.DisposeAsync();
        else
            host.Dispose();
    }

    [Fact]
    public async Task Connection_hooks_beside_the_Aspire_data_source_and_multiplexer_stop_the_host_at_start_naming_both()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:chat"] = database.ConnectionString,
            ["ConnectionStrings:cache"] = TestServers.Redis,
        });
        builder.AddNpgsqlDataSource("chat");
        builder.AddRedisClient("cache");
        builder.Services.AddChatData(o => o.ConfigureDataSource = b => b.ConnectionStringBuilder.ApplicationName = "never").AddRedis(o =>
        {
            o.Otp.HmacKey = new byte[32];
            o.ConfigureConnection = c => c.ClientName = "never";
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<AggregateException>(() => host.StartAsync());

        Assert.Contains("ChatDataOptions.ConfigureDataSource", error.Message);
        Assert.Contains("ChatDataRedisOptions.ConfigureConnection", error.Message);
    }
}
