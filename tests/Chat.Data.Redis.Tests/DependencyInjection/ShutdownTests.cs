using Chat.Data.Redis.Events;
using Chat.Data.Redis.Internal;
using Chat.Data.Redis.Presence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Chat.Data.Redis.Tests.DependencyInjection;

/// <summary>
/// A host starts, uses the helpers (with a subscription still open) and shuts down, on the library's own
/// multiplexer and on one the host registered: no exception, and the host's multiplexer stays the host's.
/// </summary>
public sealed class ShutdownTests(SingleRedisFixture fixture) : IClassFixture<SingleRedisFixture>
{
    private void AddChatDataRedis(IServiceCollection services, string? configuration) =>
        services.AddChatData(o => o.ConnectionString = RedisFixture.PostgresConnectionString).AddRedis(o =>
        {
            o.Configuration = configuration;
            o.KeyPrefix = fixture.KeyPrefix + "shutdown:";
            o.Otp.HmacKey = RedisFixture.TestHmacKey;
        });

    private static async Task UseAsync(IServiceProvider services)
    {
        var user = Guid.CreateVersion7();
        Assert.True((await services.GetRequiredService<IPresenceTracker>().HeartbeatAsync(user, "web")).WentOnline);
        var bus = services.GetRequiredService<IChatEventBus>();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Left open on purpose: a host shuts down with its subscriptions live.
        await bus.SubscribeToUserAsync(user, e => { received.TrySetResult(e.GetText()); return Task.CompletedTask; });
        await bus.PublishToUserAsync(user, "hello");
        Assert.Equal("hello", await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Its_own_multiplexer_is_disposed_with_the_container_once()
    {
        var services = RedisFixture.NewHostServices();
        AddChatDataRedis(services, fixture.Configuration);
        var provider = services.BuildServiceProvider();
        await UseAsync(provider);
        var connection = provider.GetRequiredService<RedisConnection>();
        var own = await connection.GetMultiplexerAsync(CancellationToken.None);

        await provider.DisposeAsync();
        await connection.DisposeAsync(); // a second dispose does nothing

        Assert.False(own.IsConnected);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await connection.GetMultiplexerAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_registered_multiplexer_outlives_the_container()
    {
        await using var hostMultiplexer = await ConnectionMultiplexer.ConnectAsync(fixture.Configuration);
        var services = RedisFixture.NewHostServices();
        services.AddSingleton<IConnectionMultiplexer>(hostMultiplexer);
        AddChatDataRedis(services, configuration: null);
        var provider = services.BuildServiceProvider();
        await UseAsync(provider);

        await provider.DisposeAsync();

        Assert.True(hostMultiplexer.IsConnected);
        await hostMultiplexer.GetDatabase().PingAsync();
    }

    [Fact]
    public async Task A_host_on_its_own_multiplexer_starts_and_stops()
    {
        var builder = Host.CreateApplicationBuilder();
        AddChatDataRedis(builder.Services, fixture.Configuration);
        var host = builder.Build();

        await host.StartAsync();
        await UseAsync(host.Services);
        var own = await host.Services.GetRequiredService<RedisConnection>().GetMultiplexerAsync(CancellationToken.None);
        await host.StopAsync();
        await ((IAsyncDisposable)host).DisposeAsync();

        Assert.False(own.IsConnected);
    }

    [Fact]
    public async Task A_host_on_a_registered_multiplexer_starts_and_stops_and_keeps_it()
    {
        await using var hostMultiplexer = await ConnectionMultiplexer.ConnectAsync(fixture.Configuration);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IConnectionMultiplexer>(hostMultiplexer);
        AddChatDataRedis(builder.Services, configuration: null);
        var host = builder.Build();

        await host.StartAsync();
        await UseAsync(host.Services);
        await host.StopAsync();
        await ((IAsyncDisposable)host).DisposeAsync();

        Assert.True(hostMultiplexer.IsConnected);
        await hostMultiplexer.GetDatabase().PingAsync();
    }
}
