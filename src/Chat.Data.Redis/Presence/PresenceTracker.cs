using Chat.Data.Internal;
using Chat.Data.Redis.Caches;
using Chat.Data.Redis.Internal;
using StackExchange.Redis;

namespace Chat.Data.Redis.Presence;

/// <summary>
/// Keys: <c>presence:{user}:devices</c> (sorted set: device id scored by its expiry in ms; TTL = the
/// latest expiry), <c>presence:{user}:last-seen</c> (ms; TTL = last-seen retention) and one global
/// <c>presence:{online}:users</c> (sorted set: user id scored by the latest expiry of any of their
/// devices; TTL = the latest expiry), which makes the online count one call.
/// </summary>
/// <remarks>
/// The global set lives in its own Cluster slot, so it cannot join the per-user scripts: a heartbeat
/// sends both scripts at once (one round trip), and a disconnect that takes the user offline makes a
/// second call to remove them. Expired entries are dropped by score, so a device that never says
/// goodbye still goes offline on time.
/// </remarks>
internal sealed class PresenceTracker(RedisConnection redis) : IPresenceTracker
{
    private const int MaxDeviceIdLength = 128;
    private static readonly TimeSpan MaxDeviceTtl = TimeSpan.FromDays(1);

    private readonly PresenceOptions _options = redis.Options.Presence;

    private RedisKey Devices(Guid userId) => redis.Keys.Key("presence", userId, "devices");

    private RedisKey LastSeen(Guid userId) => redis.Keys.Key("presence", userId, "last-seen");

    private RedisKey OnlineUsers => redis.Keys.Key("presence", "online", "users");

    // KEYS[1] devices, KEYS[2] last-seen. ARGV: device, ttl ms, last-seen retention ms.
    // Reply: {went online (0/1), live devices}.
    private static readonly RedisScript HeartbeatScript = new("presence-heartbeat", """
        local now = now_ms()
        -- Devices whose heartbeat lapsed are gone; a score equal to now has just expired.
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local live_before = redis.call('ZCARD', KEYS[1])
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        -- The set lives as long as its longest-lived device: a short heartbeat never cuts another device short.
        local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
        redis.call('PEXPIREAT', KEYS[1], int(tonumber(latest)))
        redis.call('SET', KEYS[2], int(now), 'PX', ARGV[3])
        return {live_before == 0 and 1 or 0, redis.call('ZCARD', KEYS[1])}
        """);

    // KEYS[1] online users. ARGV: user, ttl ms. Raises the user's score to now + ttl (never lowers it).
    private static readonly RedisScript MarkOnlineScript = new("presence-mark-online", """
        local now = now_ms()
        local ttl = tonumber(ARGV[2])
        local current = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]))
        if not current or current < now + ttl then
          redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
        end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        -- Keep the set at least as long as its latest entry.
        if redis.call('PTTL', KEYS[1]) < ttl then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 1
        """);

    public async Task<HeartbeatResult> HeartbeatAsync(Guid userId, string deviceId, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        Check.Required(deviceId, nameof(deviceId), MaxDeviceIdLength);
        var deviceTtl = Check.Positive(ttl ?? _options.DeviceTtl, nameof(ttl), MaxDeviceTtl);
        var ttlMs = (long)Math.Ceiling(deviceTtl.TotalMilliseconds);

        // Both sent before either is awaited: one round trip.
        var device = redis.EvaluateAsync(HeartbeatScript, [Devices(userId), LastSeen(userId)],
            [deviceId, ttlMs, (long)_options.LastSeenRetention.TotalMilliseconds], cancellationToken);
        var online = redis.EvaluateAsync(MarkOnlineScript, [OnlineUsers], [userId.ToString("D"), ttlMs], cancellationToken);
        await Task.WhenAll(device, online).ConfigureAwait(false);

        var result = device.Result;
        var heartbeat = new HeartbeatResult((long)result[0] == 1, (int)result[1]);
        if (RedisTelemetry.PresenceHeartbeats.Enabled)
            RedisTelemetry.PresenceHeartbeats.Add(1, new KeyValuePair<string, object?>("chat_data.presence.went_online", heartbeat.WentOnline));
        return heartbeat;
    }

    // KEYS[1] devices, KEYS[2] last-seen. ARGV: device, last-seen retention ms.
    // Reply: {went offline (0/1), live devices, latest expiry the user had (ms)}.
    private static readonly RedisScript DisconnectScript = new("presence-disconnect", """
        local now = now_ms()
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local live_before = redis.call('ZCARD', KEYS[1])
        local latest = tonumber(redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]) or now
        redis.call('ZREM', KEYS[1], ARGV[1])
        local live_after = redis.call('ZCARD', KEYS[1])
        redis.call('SET', KEYS[2], int(now), 'PX', ARGV[2])
        -- The TTL stays: removing a device never needs a longer life, and Redis deletes an emptied set.
        return {(live_before > 0 and live_after == 0) and 1 or 0, live_after, int(math.max(latest, now))}
        """);

    // KEYS[1] online users. ARGV: user, latest device expiry ms. Removes the user unless a newer heartbeat raised their score.
    private static readonly RedisScript MarkOfflineScript = new("presence-mark-offline", """
        local current = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]))
        if current and current <= tonumber(ARGV[2]) then
          return redis.call('ZREM', KEYS[1], ARGV[1])
        end
        return 0
        """);

    /// <summary>
    /// The global score of a heartbeat is set by another script, maybe on another node, a moment after the
    /// device's own score: it can be later by network jitter and clock offset. A score within this slack of
    /// the device's latest expiry belongs to a heartbeat the disconnect accounts for. A heartbeat from another
    /// device racing the last disconnect within the slack can leave that user out of the count until their
    /// next heartbeat; their own presence is never wrong.
    /// </summary>
    private const long GlobalScoreSlackMs = 1000;

    public async Task<DisconnectResult> DisconnectAsync(Guid userId, string deviceId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        Check.Required(deviceId, nameof(deviceId), MaxDeviceIdLength);

        var result = await redis.EvaluateAsync(DisconnectScript, [Devices(userId), LastSeen(userId)],
            [deviceId, (long)_options.LastSeenRetention.TotalMilliseconds], cancellationToken).ConfigureAwait(false);
        var wentOffline = (long)result[0] == 1;
        if (wentOffline)
        {
            await redis.EvaluateAsync(MarkOfflineScript, [OnlineUsers], [userId.ToString("D"), (long)result[2] + GlobalScoreSlackMs], cancellationToken)
                .ConfigureAwait(false);
        }
        return new DisconnectResult(wentOffline, (int)result[1]);
    }

    public async Task<UserPresence> GetAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        var states = await ReadAsync([userId], cancellationToken).ConfigureAwait(false);
        return ToPresence(userId, states[0]);
    }

    public async Task<IReadOnlyDictionary<Guid, UserPresence>> GetManyAsync(IEnumerable<Guid> userIds, CancellationToken cancellationToken = default)
    {
        var users = CacheSupport.DistinctIds(userIds, nameof(userIds));
        var states = await ReadAsync(users, cancellationToken).ConfigureAwait(false);
        var presence = new Dictionary<Guid, UserPresence>(users.Length);
        for (var i = 0; i < users.Length; i++)
            presence[users[i]] = ToPresence(users[i], states[i]);
        return presence;
    }

    public async Task<IReadOnlyList<UserLastSeen>> GetLastSeenAsync(IEnumerable<Guid> userIds, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        var users = CacheSupport.DistinctIds(userIds, nameof(userIds));
        var states = await ReadAsync(users, cancellationToken).ConfigureAwait(false);
        var lastSeen = new List<UserLastSeen>();
        for (var i = 0; i < users.Length; i++)
        {
            if (states[i].LastSeen is { } seen && (since is null || seen > since))
                lastSeen.Add(new UserLastSeen(users[i], seen));
        }
        return lastSeen;
    }

    // KEYS[1] online users. Reply: live users.
    private static readonly RedisScript CountScript = new("presence-count", """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms())
        return redis.call('ZCARD', KEYS[1])
        """);

    public async Task<long> CountOnlineAsync(CancellationToken cancellationToken = default) =>
        (long)await redis.EvaluateAsync(CountScript, [OnlineUsers], [], cancellationToken).ConfigureAwait(false);

    // KEYS: (devices, last-seen) of each user, all in one slot. Reply: live devices and last-seen (ms or nil) per user.
    // Read only; expired devices are not counted (a score equal to now has expired).
    private static readonly RedisScript ReadScript = new("presence-read", """
        local after_now = '(' .. int(now_ms())
        local reply = {}
        for i = 1, #KEYS, 2 do
          reply[#reply + 1] = redis.call('ZCOUNT', KEYS[i], after_now, '+inf')
          reply[#reply + 1] = redis.call('GET', KEYS[i + 1])
        end
        return reply
        """);

    private async Task<(int Live, DateTimeOffset? LastSeen)[]> ReadAsync(Guid[] users, CancellationToken cancellationToken)
    {
        var multiplexer = await redis.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
        var devices = new RedisKey[users.Length];
        for (var i = 0; i < users.Length; i++)
            devices[i] = Devices(users[i]);

        // One script call cannot take keys from different Cluster slots. On a single server all users go
        // into one call. On a Cluster they are grouped by slot (the hash tag is the user id, so in practice
        // one small call per user), and every call is sent before any is awaited: StackExchange.Redis
        // pipelines them, so the lookup costs one round trip to each node rather than one per user.
        var groups = CacheSupport.GroupBySlot(multiplexer, devices);
        var calls = new Task<RedisResult>[groups.Length];
        for (var g = 0; g < groups.Length; g++)
        {
            var keys = new RedisKey[groups[g].Length * 2];
            for (var j = 0; j < groups[g].Length; j++)
            {
                keys[2 * j] = devices[groups[g][j]];
                keys[2 * j + 1] = LastSeen(users[groups[g][j]]);
            }
            calls[g] = redis.EvaluateAsync(ReadScript, keys, [], cancellationToken);
        }
        await Task.WhenAll(calls).ConfigureAwait(false);

        var states = new (int, DateTimeOffset?)[users.Length];
        for (var g = 0; g < groups.Length; g++)
        {
            var reply = calls[g].Result;
            for (var j = 0; j < groups[g].Length; j++)
            {
                var seen = reply[2 * j + 1];
                states[groups[g][j]] = ((int)reply[2 * j], seen.IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)seen));
            }
        }
        return states;
    }

    private static UserPresence ToPresence(Guid userId, (int Live, DateTimeOffset? LastSeen) state) =>
        new(userId, state.Live > 0, state.Live, state.LastSeen);
}
