using Chat.Data.Messages;
using Chat.Data.Redis.Caches;
using Chat.Data.Redis.Events;
using Chat.Data.Redis.Otp;
using Chat.Data.Redis.Presence;
using Chat.Data.Redis.RateLimiting;
using Chat.Data.Redis.Sessions;
using Chat.Data.Redis.Tests.Caches;
using Chat.Data.Redis.Typing;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Redis.Tests;

/// <summary>
/// Bad input is refused before Redis with a <see cref="ChatDataValidationException"/> naming the parameter.
/// Cross-cutting: one check shared by every helper, so its cases for all of them sit together here.
/// </summary>
public abstract class ValidationTests(RedisFixture fixture) : RedisTestBase(fixture)
{
    public sealed class Single(SingleRedisFixture fixture) : ValidationTests(fixture), IClassFixture<SingleRedisFixture>;

    public sealed class Cluster(ClusterRedisFixture fixture) : ValidationTests(fixture), IClassFixture<ClusterRedisFixture>;

    private static readonly Guid Id = Guid.CreateVersion7();
    private static readonly RateLimitPolicy Policy = RateLimitPolicy.FixedWindow("valid", 5, TimeSpan.FromMinutes(1));

    private static async Task Rejects(string field, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<ChatDataValidationException>(call);
        Assert.Equal(field, error.Field);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task Otp()
    {
        var otp = Get<IOtpStore>();
        await Rejects("purpose", () => otp.IssueAsync("", "+62811"));
        await Rejects("purpose", () => otp.IssueAsync(new string('p', 65), "+62811"));
        await Rejects("subject", () => otp.IssueAsync("login", null!));
        await Rejects("subject", () => otp.IssueAsync("login", "+62\0811"));
        await Rejects("subject", () => otp.VerifyAsync("login", new string('1', 257), "123456"));
        await Rejects("code", () => otp.VerifyAsync("login", "+62811", " "));
        await Rejects("code", () => otp.VerifyAsync("login", "+62811", new string('1', 33)));
    }

    [Fact]
    public async Task Presence()
    {
        var presence = Get<IPresenceTracker>();
        await Rejects("userId", () => presence.HeartbeatAsync(Guid.Empty, "phone"));
        await Rejects("deviceId", () => presence.HeartbeatAsync(Id, ""));
        await Rejects("deviceId", () => presence.DisconnectAsync(Id, new string('d', 129)));
        await Rejects("ttl", () => presence.HeartbeatAsync(Id, "phone", TimeSpan.Zero));
        await Rejects("ttl", () => presence.HeartbeatAsync(Id, "phone", TimeSpan.FromDays(2)));
        await Rejects("userId", () => presence.GetAsync(Guid.Empty));
        await Rejects("userIds", () => presence.GetManyAsync(null!));
        await Rejects("userIds[1]", () => presence.GetManyAsync([Id, Guid.Empty]));
        await Rejects("userIds", () => presence.GetManyAsync(Enumerable.Range(0, 10_001).Select(_ => Guid.NewGuid())));
        await Rejects("userIds[0]", () => presence.GetLastSeenAsync([Guid.Empty]));
    }

    [Fact]
    public async Task Rate_limiting()
    {
        var limiter = Get<IDistributedRateLimiter>();
        await Rejects("policy", () => limiter.AcquireAsync(null!, "key"));
        await Rejects("partitionKey", () => limiter.AcquireAsync(Policy, ""));
        await Rejects("partitionKey", () => limiter.PeekAsync(Policy, new string('k', 513)));
        await Rejects("permits", () => limiter.AcquireAsync(Policy, "key", 0));
        await Rejects("permits", () => limiter.AcquireAsync(Policy, "key", -1));
        await Rejects("permits", () => limiter.AcquireAsync(Policy, "key", 6));
        await Rejects("policy.Name", () => limiter.AcquireAsync(RateLimitPolicy.FixedWindow("has space", 1, TimeSpan.FromSeconds(1)), "key"));
        await Rejects("policy.Name", () => limiter.ResetAsync(RateLimitPolicy.Gcra("{tag}", 1, TimeSpan.FromSeconds(1)), "key"));
        await Rejects("policy.PermitLimit", () => limiter.AcquireAsync(RateLimitPolicy.SlidingWindow("zero", 0, TimeSpan.FromSeconds(1)), "key"));
        await Rejects("policy.PermitLimit", () => limiter.AcquireAsync(RateLimitPolicy.SlidingWindow("huge", 100_001, TimeSpan.FromSeconds(1)), "key"));
        await Rejects("policy.Window", () => limiter.AcquireAsync(RateLimitPolicy.FixedWindow("instant", 1, TimeSpan.Zero), "key"));
        await Rejects("policy.TokensPerPeriod", () => limiter.AcquireAsync(RateLimitPolicy.TokenBucket("dry", 5, 0, TimeSpan.FromSeconds(1)), "key"));
        await Rejects("policy.Burst", () => limiter.AcquireAsync(RateLimitPolicy.Gcra("no-burst", 5, TimeSpan.FromSeconds(1), 0), "key"));
        await Rejects("policy.Limit", () => limiter.AcquireAsync(RateLimitPolicy.Gcra("too-fast", 2_000_000, TimeSpan.FromSeconds(1)), "key"));
        Assert.Throws<ChatDataValidationException>(() => new RedisRateLimiter(limiter, Policy, " "));
        Assert.Throws<ChatDataValidationException>(() => new RedisPartitionedRateLimiter<string>(limiter, Policy with { Name = "" }, s => s));
    }

    [Fact]
    public async Task Caches()
    {
        var unread = Get<IUnreadCounterCache>();
        await Rejects("userId", () => unread.GetAsync(Guid.Empty, Id));
        await Rejects("chatId", () => unread.GetAsync(Id, Guid.Empty));
        await Rejects("userId", () => unread.GetAllAsync(Guid.Empty));
        await Rejects("chatId", () => unread.IncrementAsync(Guid.Empty, [Id]));
        await Rejects("recipientIds", () => unread.IncrementAsync(Id, null!));
        await Rejects("recipientIds[1]", () => unread.IncrementAsync(Id, [Id, Guid.Empty]));
        await Rejects("recipientIds", () => unread.IncrementAsync(Id, Enumerable.Range(0, 10_001).Select(_ => Guid.NewGuid())));
        await Rejects("senderId", () => unread.IncrementAsync(Id, [Id], Guid.Empty));
        await Rejects("unreadCount", () => unread.SetAsync(Id, Id, -1));
        await Rejects("userId", () => unread.ResetAsync(Guid.Empty, Id));
        await Rejects("userIds[0]", () => unread.InvalidateAsync(Id, [Guid.Empty]));
        await Rejects("userId", () => unread.InvalidateUserAsync(Guid.Empty));

        var last = Get<ILastMessageCache>();
        var preview = new MessagePreview(Id, 1, Id, MessageType.Text, "hi", DateTimeOffset.UtcNow, false);
        await Rejects("chatId", () => last.SetAsync(Guid.Empty, preview));
        await Rejects("preview", () => last.SetAsync(Id, null!));
        await Rejects("preview.Id", () => last.SetAsync(Id, preview with { Id = Guid.Empty }));
        await Rejects("preview.Seq", () => last.SetAsync(Id, preview with { Seq = 0 }));
        await Rejects("preview.Content", () => last.SetAsync(Id, preview with { Content = new string('c', 10_001) }));
        await Rejects("message", () => last.SetAsync((Message)null!));
        await Rejects("message.ChatId", () => last.SetAsync(CacheTestData.Message(Guid.Empty, 1)));
        await Rejects("chatId", () => last.GetAsync(Guid.Empty));
        await Rejects("chatIds", () => last.GetManyAsync(null!));
        await Rejects("chatIds[2]", () => last.GetManyAsync([Id, Id, Guid.Empty]));
        await Rejects("chatId", () => last.InvalidateAsync(Guid.Empty));

        var recent = Get<IRecentMessagesCache>();
        await Rejects("message", () => recent.AddAsync(null!));
        await Rejects("message.Id", () => recent.AddAsync(CacheTestData.Message(Id, 1) with { Id = Guid.Empty }));
        await Rejects("message.Seq", () => recent.AddAsync(CacheTestData.Message(Id, 1) with { Seq = -5 }));
        await Rejects("chatId", () => recent.GetNewestAsync(Guid.Empty));
        await Rejects("count", () => recent.GetNewestAsync(Id, 0));
        await Rejects("count", () => recent.GetNewestAsync(Id, 51));
        await Rejects("seq", () => recent.RemoveAsync(Id, 0));
        await Rejects("chatId", () => recent.InvalidateAsync(Guid.Empty));

        var presence = Get<IPresenceTracker>();
        await Rejects("userIds[0]", () => presence.FlushLastSeenAsync(Services().GetRequiredService<Chat.Data.Users.IUserRepository>(), [Guid.Empty]));
    }

    [Fact]
    public async Task Typing_sessions_and_events()
    {
        var typing = Get<ITypingIndicator>();
        await Rejects("chatId", () => typing.StartAsync(Guid.Empty, Id));
        await Rejects("userId", () => typing.StopAsync(Id, Guid.Empty));
        await Rejects("ttl", () => typing.StartAsync(Id, Id, TimeSpan.FromMinutes(11)));
        await Rejects("chatId", () => typing.GetTypingAsync(Guid.Empty));
        await Rejects("handler", () => typing.SubscribeAsync(Id, null!));

        var sessions = Get<ISessionRevocationList>();
        await Rejects("issuer", () => sessions.RevokeTokenAsync("", "jti", DateTimeOffset.UtcNow.AddHours(1)));
        await Rejects("tokenId", () => sessions.RevokeTokenAsync("iss", "a\0b", DateTimeOffset.UtcNow.AddHours(1)));
        await Rejects("userId", () => sessions.RevokeAllBeforeAsync(Guid.Empty, DateTimeOffset.UtcNow));
        await Rejects("userId", () => sessions.CheckAsync("iss", "jti", Guid.Empty, DateTimeOffset.UtcNow));

        var bus = Get<IChatEventBus>();
        await Rejects("userId", () => bus.PublishToUserAsync(Guid.Empty, "x"));
        await Rejects("payload", () => bus.PublishToChatAsync(Id, (string)null!));
        await Rejects("chatId", () => bus.SubscribeToChatAsync(Guid.Empty, _ => Task.CompletedTask));
        await Rejects("handler", () => bus.SubscribeToUserAsync(Id, null!));
    }
}
