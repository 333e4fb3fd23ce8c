using Chat.Data.Redis.Caches;
using Chat.Data.Redis.Events;
using Chat.Data.Redis.Internal;
using Chat.Data.Redis.Otp;
using Chat.Data.Redis.Presence;
using Chat.Data.Redis.RateLimiting;
using Chat.Data.Redis.Sessions;
using Chat.Data.Redis.Tests.Caches;
using Chat.Data.Redis.Typing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Data.Redis.Tests.Internal;

/// <summary>What every helper shares: the script cache retry, TTLs on every key, the health check.</summary>
public abstract class InfrastructureTests(RedisFixture fixture, PostgresDatabaseFixture database) : RedisTestBase(fixture)
{
    public sealed class Single(SingleRedisFixture fixture, PostgresDatabaseFixture database)
        : InfrastructureTests(fixture, database), IClassFixture<SingleRedisFixture>, IClassFixture<PostgresDatabaseFixture>;

    public sealed class Cluster(ClusterRedisFixture fixture, PostgresDatabaseFixture database)
        : InfrastructureTests(fixture, database), IClassFixture<ClusterRedisFixture>, IClassFixture<PostgresDatabaseFixture>;

    /// <summary>The helpers on a migrated database: the revocation list keeps its record there.</summary>
    private IServiceProvider Services(Action<ChatDataRedisOptions>? configure = null) => Services(configure, database.ConnectionString);

    private static readonly RateLimitPolicy[] Policies =
    [
        RateLimitPolicy.FixedWindow("fw", 10, TimeSpan.FromMinutes(1)),
        RateLimitPolicy.SlidingWindow("sw", 10, TimeSpan.FromMinutes(1)),
        RateLimitPolicy.TokenBucket("tb", 10, 1, TimeSpan.FromSeconds(1)),
        RateLimitPolicy.Gcra("gcra", 10, TimeSpan.FromMinutes(1)),
    ];

    /// <summary>Calls every script of every helper once, and checks what each call returned.</summary>
    private static async Task UseEveryHelperAsync(IServiceProvider services)
    {
        var (user, chat, phone) = (Guid.CreateVersion7(), Guid.CreateVersion7(), "+628" + Random.Shared.Next());
        var otp = services.GetRequiredService<IOtpStore>();
        var issued = await otp.IssueAsync("login", phone);
        Assert.True(issued.IsIssued);
        var code = Assert.IsType<string>(issued.Code);
        Assert.Equal(OtpVerifyResult.Invalid, await otp.VerifyAsync("login", phone, code + "0"));
        var presence = services.GetRequiredService<IPresenceTracker>();
        Assert.Equal(new HeartbeatResult(WentOnline: true, DeviceCount: 1), await presence.HeartbeatAsync(user, "phone"));
        Assert.Equal(new HeartbeatResult(WentOnline: false, DeviceCount: 2), await presence.HeartbeatAsync(user, "laptop"));
        Assert.Equal(new DisconnectResult(WentOffline: false, DeviceCount: 1), await presence.DisconnectAsync(user, "phone"));
        var now = await presence.GetAsync(user);
        Assert.True(now.IsOnline);
        Assert.Equal(1, now.DeviceCount);
        Assert.Equal(new UserPresence(chat, false, 0, null), await presence.GetAsync(chat)); // never seen: a nil in the reply
        Assert.True(await presence.CountOnlineAsync() >= 1);
        var limiter = services.GetRequiredService<IDistributedRateLimiter>();
        foreach (var policy in Policies)
        {
            var decision = await limiter.AcquireAsync(policy, user.ToString(), 2);
            Assert.True(decision.Allowed, policy.Name);
            Assert.Equal(8, decision.Remaining);
        }
        var typing = services.GetRequiredService<ITypingIndicator>();
        Assert.True(await typing.StartAsync(chat, user));
        Assert.Equal([user], await typing.GetTypingAsync(chat));
        var sessions = services.GetRequiredService<ISessionRevocationList>();
        await sessions.RevokeTokenAsync("issuer", user.ToString(), DateTimeOffset.UtcNow.AddHours(1));
        await sessions.RevokeAllBeforeAsync(user, DateTimeOffset.UtcNow);
        // The token's own revocation is checked first.
        Assert.Equal(new RevocationStatus(true, RevocationReason.TokenRevoked), await sessions.CheckAsync("issuer", user.ToString(), user, DateTimeOffset.UtcNow));
        // The cache scripts that need no PostgreSQL (the rebuild-on-miss path is in UnreadCounterCacheTests).
        var unread = services.GetRequiredService<IUnreadCounterCache>();
        await unread.SetAsync(user, chat, 2);
        await unread.IncrementAsync(chat, [user]);
        Assert.Equal(3, await unread.GetAsync(user, chat));
        await unread.InvalidateAsync(Guid.CreateVersion7(), [user]);
        Assert.Equal(3, await unread.GetAsync(user, chat)); // another chat's invalidation leaves this count
        var message = CacheTestData.Message(chat, 1);
        var last = services.GetRequiredService<ILastMessageCache>();
        Assert.True(await last.SetAsync(message));
        var preview = Assert.Single(await last.GetManyAsync([chat, user]));
        Assert.Equal((chat, message.Id, message.Seq), (preview.Key, preview.Value.Id, preview.Value.Seq));
        var recent = services.GetRequiredService<IRecentMessagesCache>();
        Assert.True(await recent.AddAsync(message));
        Assert.True(await recent.AddAsync(CacheTestData.Message(chat, 2)));
        Assert.True(await recent.RemoveAsync(chat, 2));
        var newest = await recent.GetNewestAsync(chat);
        Assert.True(newest.IsComplete);
        Assert.Equal([message.Id], newest.Messages.Select(m => m.Id));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task Every_helper_and_the_event_bus_work_over_either_protocol(RedisProtocol protocol)
    {
        var services = RedisFixture.NewHostServices();
        services.AddChatData(o => o.ConnectionString = database.ConnectionString).AddRedis(o =>
        {
            o.Configuration = Fixture.Configuration;
            o.ConfigureConnection = c => c.Protocol = protocol;
            o.KeyPrefix = Fixture.KeyPrefix + "resp:";
            o.Otp.HmacKey = RedisFixture.TestHmacKey;
        });
        await using var provider = services.BuildServiceProvider();

        await UseEveryHelperAsync(provider);
        var bus = provider.GetRequiredService<IChatEventBus>();
        var (chat, received) = (Guid.CreateVersion7(), new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        await using var subscription = await bus.SubscribeToChatAsync(chat, e => { received.TrySetResult(e.GetText()); return Task.CompletedTask; });
        await bus.PublishToChatAsync(chat, "over " + protocol);

        Assert.Equal("over " + protocol, await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var multiplexer = await provider.GetRequiredService<RedisConnection>().GetMultiplexerAsync(CancellationToken.None);
        Assert.All(multiplexer.GetEndPoints(), e => Assert.Equal(protocol, multiplexer.GetServer(e).Protocol));
    }

    [Fact]
    public async Task Every_key_carries_a_ttl()
    {
        var prefix = Fixture.KeyPrefix + "ttl:";
        await UseEveryHelperAsync(Services(o => o.KeyPrefix = prefix));

        var keys = Fixture.Masters().SelectMany(s => s.Keys(pattern: prefix + "*", pageSize: 1000)).ToArray();

        // otp code + sends, presence devices + last-seen + online, 4 rate limits, typing members + events, 2 revocations,
        // unread counts, last message, recent messages
        Assert.True(keys.Length == 16, "keys: " + string.Join(", ", keys));
        foreach (var key in keys)
        {
            var ttl = await Db.KeyTimeToLiveAsync(key);
            Assert.True(ttl > TimeSpan.Zero, $"{key} has no TTL");
        }
    }

    [Fact]
    public async Task Scripts_survive_SCRIPT_FLUSH()
    {
        var services = Services();
        await UseEveryHelperAsync(services);

        foreach (var server in Fixture.Masters())
            await server.ScriptFlushAsync();

        // Each call now gets NOSCRIPT for EVALSHA, and retries once with the script text: the answers are the same.
        await UseEveryHelperAsync(services);
    }

    [Fact]
    public async Task The_health_check_is_registered_and_healthy()
    {
        var services = Services();
        var registration = services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations
            .Single(r => r.Name == "chat-data-redis");

        var result = await registration.Factory(services).CheckHealthAsync(new HealthCheckContext { Registration = registration });

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Contains("redis", registration.Tags);
    }

    [Fact]
    public async Task The_host_multiplexer_is_shared()
    {
        var services = Services();
        var connection = services.GetRequiredService<RedisConnection>();

        Assert.Same(Fixture.Multiplexer, await connection.GetMultiplexerAsync(CancellationToken.None));
        await services.GetRequiredService<IChatEventBus>().PublishToUserAsync(Guid.CreateVersion7(), "ping");
    }

    [Fact]
    public async Task Keys_use_the_prefix_and_a_hash_tag_and_never_hold_user_text()
    {
        var prefix = Fixture.KeyPrefix + "shape:";
        var services = Services(o => o.KeyPrefix = prefix);
        await services.GetRequiredService<IOtpStore>().IssueAsync("login", "+6281234567890");
        await services.GetRequiredService<IDistributedRateLimiter>().AcquireAsync(Policies[0], "alice@example.com");

        var keys = Fixture.Masters().SelectMany(s => s.Keys(pattern: prefix + "*")).Select(k => (string)k!).ToArray();

        Assert.Equal(3, keys.Length);
        Assert.All(keys, k => Assert.Matches(@"^test:[0-9a-f]{12}:shape:[a-z:-]+\{[0-9a-f]{32}\}:[a-z-]+$", k));
        Assert.DoesNotContain(keys, k => k.Contains("6281234567890") || k.Contains("alice"));
    }
}
