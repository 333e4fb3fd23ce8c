using Chat.Data.Redis.Caches;
using Chat.Data.Redis.Events;
using Chat.Data.Redis.Internal;
using Chat.Data.Redis.Otp;
using Chat.Data.Redis.Presence;
using Chat.Data.Redis.RateLimiting;
using Chat.Data.Redis.Sessions;
using Chat.Data.Redis.Typing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Chat.Data.Redis.Tests.DependencyInjection;

/// <summary>AddChatData(...).AddRedis(...) as a host uses it, with Chat.Data.Redis making its own connection.</summary>
public sealed class RegistrationTests(SingleRedisFixture fixture) : IClassFixture<SingleRedisFixture>
{
    private static ServiceProvider Build(Action<ChatDataRedisOptions> configure)
    {
        var services = RedisFixture.NewHostServices();
        services.AddChatData(o => o.ConnectionString = RedisFixture.PostgresConnectionString).AddRedis(configure);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public async Task Every_public_service_resolves_and_works_through_its_own_connection()
    {
        await using var services = Build(o =>
        {
            o.Configuration = fixture.Configuration;
            o.KeyPrefix = fixture.KeyPrefix + "di:";
            o.Otp.HmacKey = RedisFixture.TestHmacKey;
        });
        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.NotNull(services.GetRequiredService<IOtpStore>());
        Assert.NotNull(services.GetRequiredService<ITypingIndicator>());
        Assert.NotNull(services.GetRequiredService<ISessionRevocationList>());
        Assert.NotNull(services.GetRequiredService<IChatEventBus>());
        Assert.NotNull(services.GetRequiredService<IDistributedRateLimiter>());
        Assert.NotNull(services.GetRequiredService<IUnreadCounterCache>());
        Assert.NotNull(services.GetRequiredService<ILastMessageCache>());
        Assert.Same(services.GetRequiredService<IRecentMessagesCache>(), services.GetRequiredService<IRecentMessagesCache>());
        Assert.Same(services.GetRequiredService<IPresenceTracker>(), services.GetRequiredService<IPresenceTracker>());

        var user = Guid.CreateVersion7();
        Assert.True((await services.GetRequiredService<IPresenceTracker>().HeartbeatAsync(user, "web")).WentOnline);
        var registration = services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Single(r => r.Name == "chat-data-redis");
        var health = await registration.Factory(services).CheckHealthAsync(new HealthCheckContext { Registration = registration });
        Assert.Equal(HealthStatus.Healthy, health.Status);
    }

    [Fact]
    public void Missing_configuration_fails_at_start_with_messages_that_say_what_to_set()
    {
        using var services = Build(_ => { });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("set ChatDataRedisOptions.Configuration", error.Message);
        Assert.Contains("register an IConnectionMultiplexer", error.Message);
        Assert.Contains("ChatDataRedisOptions.Otp.HmacKey", error.Message);
    }

    [Fact]
    public void Bad_options_are_named()
    {
        using var services = Build(o =>
        {
            o.Configuration = "127.0.0.1:6379";
            o.Otp.HmacKey = new byte[16];
            o.KeyPrefix = "chat{";
            o.Otp.Digits = 3;
            o.Otp.ResendCooldown = TimeSpan.FromHours(2);
            o.Typing.Ttl = TimeSpan.Zero;
            o.RateLimiting.FailureMode = (RateLimitFailureMode)42;
            o.Caches.UnreadTtl = TimeSpan.Zero;
            o.Caches.LastMessageTtl = TimeSpan.FromSeconds(-1);
            o.Caches.RecentMessagesTtl = TimeSpan.FromTicks(1);
            o.Caches.RecentMessagesCapacity = 0;
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Otp.HmacKey", error.Message);
        Assert.Contains("KeyPrefix", error.Message);
        Assert.Contains("Otp.Digits", error.Message);
        Assert.Contains("Otp.SendWindow", error.Message);
        Assert.Contains("Typing.Ttl", error.Message);
        Assert.Contains("RateLimiting.FailureMode", error.Message);
        Assert.Contains("Caches.UnreadTtl", error.Message);
        Assert.Contains("Caches.LastMessageTtl", error.Message);
        Assert.Contains("Caches.RecentMessagesTtl", error.Message);
        Assert.Contains("Caches.RecentMessagesCapacity", error.Message);
        Assert.DoesNotContain("set ChatDataRedisOptions.Configuration", error.Message);
    }

    [Fact]
    public void A_registered_multiplexer_makes_the_configuration_optional_and_AddRedis_twice_adds_one_health_check()
    {
        var services = RedisFixture.NewHostServices();
        services.AddSingleton(fixture.Multiplexer);
        var builder = services.AddChatData(o => o.ConnectionString = RedisFixture.PostgresConnectionString);
        builder.AddRedis(o => o.Otp.HmacKey = RedisFixture.TestHmacKey).AddRedis(o => o.KeyPrefix = fixture.KeyPrefix);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations, r => r.Name == "chat-data-redis");
        Assert.Equal(fixture.KeyPrefix, provider.GetRequiredService<IOptions<ChatDataRedisOptions>>().Value.KeyPrefix);
    }

    [Fact]
    public async Task A_configuration_wins_over_a_registered_multiplexer_which_stays_the_hosts()
    {
        var services = RedisFixture.NewHostServices();
        services.AddSingleton(fixture.Multiplexer);
        services.AddChatData(o => o.ConnectionString = RedisFixture.PostgresConnectionString).AddRedis(o =>
        {
            o.Configuration = fixture.Configuration;
            o.KeyPrefix = fixture.KeyPrefix + "wins:";
            o.Otp.HmacKey = RedisFixture.TestHmacKey;
        });
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var own = await provider.GetRequiredService<RedisConnection>().GetMultiplexerAsync(CancellationToken.None);
        Assert.NotSame(fixture.Multiplexer, own);
        Assert.True((await provider.GetRequiredService<IPresenceTracker>().HeartbeatAsync(Guid.CreateVersion7(), "web")).WentOnline);
        await provider.DisposeAsync();
        Assert.False(own.IsConnected);
        Assert.True(fixture.Multiplexer.IsConnected);
    }

    [Fact]
    public void ConfigureConnection_with_only_a_registered_multiplexer_fails_at_start_naming_both()
    {
        var services = RedisFixture.NewHostServices();
        services.AddSingleton(fixture.Multiplexer);
        services.AddChatData(o => o.ConnectionString = RedisFixture.PostgresConnectionString).AddRedis(o =>
        {
            o.Otp.HmacKey = RedisFixture.TestHmacKey;
            o.ConfigureConnection = c => c.ClientName = "never";
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ChatDataRedisOptions.ConfigureConnection", error.Message);
        Assert.Contains("registered IConnectionMultiplexer", error.Message);
        Assert.Contains("set ChatDataRedisOptions.Configuration", error.Message);
    }
}
