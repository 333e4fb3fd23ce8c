using Chat.Data.Internal;
using Chat.Data.Redis.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Chat.Data.Redis.Typing;

/// <summary>
/// Keys per chat: <c>typing:{chat}:members</c> (sorted set: member scored by expiry in ms; TTL = the
/// latest expiry) and <c>typing:{chat}:events</c> (sorted set: member scored by their last event; TTL =
/// the throttle). Events go to the channel <c>typing:{chat id}</c> as <c>1:{user id}</c> (started) or
/// <c>0:{user id}</c> (stopped).
/// </summary>
internal sealed class TypingIndicator(RedisConnection redis, ILogger<TypingIndicator>? logger = null) : ITypingIndicator
{
    private static readonly TimeSpan MaxTtl = TimeSpan.FromMinutes(10);

    private readonly TypingOptions _options = redis.Options.Typing;
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    private RedisKey Members(Guid chatId) => redis.Keys.Key("typing", chatId, "members");

    private RedisKey Events(Guid chatId) => redis.Keys.Key("typing", chatId, "events");

    private RedisChannel Channel(Guid chatId) => redis.Keys.Channel("typing", chatId);

    // KEYS[1] members, KEYS[2] events. ARGV: user, ttl ms, throttle ms, channel, payload. Reply: 1 when published.
    private static readonly RedisScript StartScript = new("typing-start", """
        local now = now_ms()
        local throttle = tonumber(ARGV[3])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        -- The set lives as long as its longest-lived member; each member still expires by its own score.
        local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
        redis.call('PEXPIREAT', KEYS[1], int(tonumber(latest)))
        -- At most one event per member per throttle interval; listeners keep showing the member meanwhile.
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - throttle)
        if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
          return 0
        end
        redis.call('ZADD', KEYS[2], now, ARGV[1])
        redis.call('PEXPIRE', KEYS[2], ARGV[3])
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        return 1
        """);

    public async Task<bool> StartAsync(Guid chatId, Guid userId, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        Check.NotEmpty(userId, nameof(userId));
        var typingTtl = Check.Positive(ttl ?? _options.Ttl, nameof(ttl), MaxTtl);

        var published = await redis.EvaluateAsync(StartScript, [Members(chatId), Events(chatId)],
        [
            userId.ToString("D"),
            (long)Math.Ceiling(typingTtl.TotalMilliseconds),
            (long)Math.Ceiling(_options.EventThrottle.TotalMilliseconds),
            (string)Channel(chatId)!,
            "1:" + userId.ToString("D"),
        ], cancellationToken).ConfigureAwait(false);
        return (long)published == 1;
    }

    // KEYS[1] members, KEYS[2] events. ARGV: user, channel, payload. Reply: 1 when the member was typing.
    private static readonly RedisScript StopScript = new("typing-stop", """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms())
        local was_typing = redis.call('ZREM', KEYS[1], ARGV[1])
        -- The next start is news again, whatever the throttle says.
        redis.call('ZREM', KEYS[2], ARGV[1])
        if was_typing == 1 then
          redis.call('PUBLISH', ARGV[2], ARGV[3])
        end
        return was_typing
        """);

    public async Task<bool> StopAsync(Guid chatId, Guid userId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        Check.NotEmpty(userId, nameof(userId));

        var wasTyping = await redis.EvaluateAsync(StopScript, [Members(chatId), Events(chatId)],
            [userId.ToString("D"), (string)Channel(chatId)!, "0:" + userId.ToString("D")], cancellationToken).ConfigureAwait(false);
        return (long)wasTyping == 1;
    }

    // KEYS[1] members. Reply: members whose entry has not expired. Read only.
    private static readonly RedisScript ListScript = new("typing-list", """
        return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. int(now_ms()), '+inf')
        """);

    public async Task<IReadOnlyList<Guid>> GetTypingAsync(Guid chatId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        var members = (RedisValue[]?)await redis.EvaluateAsync(ListScript, [Members(chatId)], [], cancellationToken).ConfigureAwait(false);
        return Array.ConvertAll(members!, member => Guid.Parse((string)member!));
    }

    public async Task<IAsyncDisposable> SubscribeAsync(Guid chatId, Func<TypingEvent, Task> handler, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        Check.NotNull(handler, nameof(handler));
        return await PubSub.SubscribeAsync(redis, Channel(chatId), message =>
        {
            var text = (string)message!;
            return handler(new TypingEvent(chatId, Guid.Parse(text.AsSpan(2)), text[0] == '1'));
        }, _logger, cancellationToken).ConfigureAwait(false);
    }
}
