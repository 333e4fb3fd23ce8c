using System.Globalization;
using Chat.Data.Chats;
using Chat.Data.Internal;
using Chat.Data.ReadState;
using Chat.Data.Redis.Internal;
using StackExchange.Redis;

namespace Chat.Data.Redis.Caches;

/// <summary>
/// One key per user: <c>unread:{user}:chats</c>, a hash of chat id to unread count (a whole chat list in one <c>HGETALL</c>), with a
/// TTL of <see cref="CacheOptions.UnreadTtl"/> set when the hash is created or rebuilt in full, and never
/// extended by increments, so a drifted count lives at most that long.
/// </summary>
/// <remarks>
/// <para>
/// The field <c>*</c> is <c>1</c> when the hash holds every chat of the user's chat list (after a full
/// rebuild), so <see cref="GetAllAsync"/> can answer from it. A field whose value starts with <c>~</c> is a
/// lease: a rebuild from PostgreSQL is in flight (<c>*</c> for the full one, a chat id for one chat). The
/// lease is taken before PostgreSQL is read, and the rebuilt value is written only if the lease is still
/// there; an increment, set or invalidation in between removes it, because PostgreSQL may have been read
/// before that change. Values written by PostgreSQL are never older than a change the cache has seen.
/// </para>
/// <para>
/// Increments and invalidations touch many users, each in their own Cluster slot: one script call per
/// slot, all sent before any is awaited (one call with every key on a single server).
/// </para>
/// </remarks>
internal sealed class UnreadCounterCache(RedisConnection redis, IReadStateRepository readState, IChatRepository chats) : IUnreadCounterCache
{
    private const string CompleteField = "*";
    private const int RebuildPageSize = 200;

    private readonly long _ttlMs = CacheSupport.Milliseconds(redis.Options.Caches.UnreadTtl);

    private RedisKey Counts(Guid userId) => redis.Keys.Key("unread", userId, "chats");

    private static string Field(Guid chatId) => chatId.ToString("D");

    private static string NewLease() => "~" + Guid.NewGuid().ToString("N");

    // KEYS[1] counts. ARGV: chat, lease, ttl ms. Reply: the count (a hit), or nil after taking the lease (a miss).
    private static readonly RedisScript GetOrLeaseScript = new("unread-get", """
        local v = redis.call('HGET', KEYS[1], ARGV[1])
        if v and string.sub(v, 1, 1) ~= '~' then
          return v
        end
        -- A miss, or another rebuild in flight: this one takes the lease (the other's write will not land).
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        if redis.call('PTTL', KEYS[1]) < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
        end
        return false
        """);

    // KEYS[1] counts. ARGV: field, lease, value. Writes the rebuilt value only if the lease survived. Reply: 1 when written.
    private static readonly RedisScript FillScript = new("unread-fill", """
        if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
          return 0
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        return 1
        """);

    public async Task<long> GetAsync(Guid userId, Guid chatId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        Check.NotEmpty(chatId, nameof(chatId));

        var lease = NewLease();
        var cached = await GetOrLeaseAsync(userId, chatId, lease, cancellationToken).ConfigureAwait(false);
        if (cached is { } hit)
            return hit;

        // A miss: PostgreSQL's watermark arithmetic, cached unless a change reached Redis meanwhile.
        var count = await readState.GetUnreadCountAsync(chatId, userId, cancellationToken).ConfigureAwait(false);
        await FillAsync(userId, Field(chatId), lease, count, cancellationToken).ConfigureAwait(false);
        return count;
    }

    /// <summary>The cached count, or null after taking <paramref name="lease"/> for a rebuild.</summary>
    internal async Task<long?> GetOrLeaseAsync(Guid userId, Guid chatId, string lease, CancellationToken cancellationToken)
    {
        var result = await redis.EvaluateAsync(GetOrLeaseScript, [Counts(userId)], [Field(chatId), lease, _ttlMs], cancellationToken)
            .ConfigureAwait(false);
        return result.IsNull ? null : (long)result;
    }

    /// <summary>Writes a rebuilt value if <paramref name="lease"/> is still held; true when written.</summary>
    internal async Task<bool> FillAsync(Guid userId, string field, string lease, long count, CancellationToken cancellationToken) =>
        (long)await redis.EvaluateAsync(FillScript, [Counts(userId)], [field, lease, count], cancellationToken).ConfigureAwait(false) == 1;

    // KEYS[1] counts. ARGV: lease, ttl ms. Reply: every field and value when the hash is complete; else an
    // empty list after taking the lease for a full rebuild.
    private static readonly RedisScript GetAllOrLeaseScript = new("unread-get-all", """
        if redis.call('HGET', KEYS[1], '*') == '1' then
          return redis.call('HGETALL', KEYS[1])
        end
        redis.call('HSET', KEYS[1], '*', ARGV[1])
        if redis.call('PTTL', KEYS[1]) < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return {}
        """);

    // KEYS[1] counts. ARGV: lease, ttl ms, then chat and count pairs. Replaces the hash with the rebuilt counts,
    // marked complete, if the lease survived. Reply: 1 when written.
    private static readonly RedisScript FillAllScript = new("unread-fill-all", """
        if redis.call('HGET', KEYS[1], '*') ~= ARGV[1] then
          return 0
        end
        redis.call('DEL', KEYS[1])
        for i = 3, #ARGV, 2 do
          redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
        end
        redis.call('HSET', KEYS[1], '*', '1')
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """);

    public async Task<IReadOnlyDictionary<Guid, long>> GetAllAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));

        var lease = NewLease();
        var cached = await GetAllOrLeaseAsync(userId, lease, cancellationToken).ConfigureAwait(false);
        if (cached is not null)
            return cached;

        var counts = await ReadAllFromPostgresAsync(userId, cancellationToken).ConfigureAwait(false);
        await FillAllAsync(userId, lease, counts, cancellationToken).ConfigureAwait(false);
        return counts;
    }

    /// <summary>Every cached count when the hash is complete, or null after taking <paramref name="lease"/> for a full rebuild.</summary>
    internal async Task<IReadOnlyDictionary<Guid, long>?> GetAllOrLeaseAsync(Guid userId, string lease, CancellationToken cancellationToken)
    {
        var result = await redis.EvaluateAsync(GetAllOrLeaseScript, [Counts(userId)], [lease, _ttlMs], cancellationToken)
            .ConfigureAwait(false);
        var entries = ((RedisValue[]?)result)!;
        if (entries.Length == 0)
            return null;

        var counts = new Dictionary<Guid, long>(entries.Length / 2);
        for (var i = 0; i < entries.Length; i += 2)
        {
            var value = (string)entries[i + 1]!;
            // Skip the marker and the leases of single-chat rebuilds in flight (chats outside the list).
            if (Guid.TryParseExact((string?)entries[i], "D", out var chatId) && !value.StartsWith('~'))
                counts[chatId] = long.Parse(value, CultureInfo.InvariantCulture);
        }
        return counts;
    }

    /// <summary>Replaces the hash with <paramref name="counts"/> if <paramref name="lease"/> is still held; true when written.</summary>
    internal async Task<bool> FillAllAsync(Guid userId, string lease, IReadOnlyDictionary<Guid, long> counts, CancellationToken cancellationToken)
    {
        var arguments = new RedisValue[2 + 2 * counts.Count];
        arguments[0] = lease;
        arguments[1] = _ttlMs;
        var i = 2;
        foreach (var (chatId, count) in counts)
        {
            arguments[i++] = Field(chatId);
            arguments[i++] = count;
        }
        return (long)await redis.EvaluateAsync(FillAllScript, [Counts(userId)], arguments, cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>The unread count of every chat in the user's chat list, page by page.</summary>
    private async Task<Dictionary<Guid, long>> ReadAllFromPostgresAsync(Guid userId, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<Guid, long>();
        string? cursor = null;
        do
        {
            var page = await chats.ListForUserAsync(userId, cursor, RebuildPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
                counts[item.Chat.Id] = item.UnreadCount;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return counts;
    }

    // KEYS: counts of users. ARGV: chat. For each user: +1 where the count is cached; a lease on the chat or
    // on the full list is cancelled (its PostgreSQL read may predate the message); a complete hash that does
    // not know the chat (joined since the rebuild) is complete no longer.
    private static readonly RedisScript IncrementScript = new("unread-increment", """
        for i = 1, #KEYS do
          local all = redis.call('HGET', KEYS[i], '*')
          local v = redis.call('HGET', KEYS[i], ARGV[1])
          local counted = v and string.sub(v, 1, 1) ~= '~'
          if counted then
            redis.call('HINCRBY', KEYS[i], ARGV[1], 1)
          elseif v then
            redis.call('HDEL', KEYS[i], ARGV[1])
          end
          if all and (all ~= '1' or not counted) then
            redis.call('HDEL', KEYS[i], '*')
          end
        end
        return #KEYS
        """);

    public async Task IncrementAsync(Guid chatId, IEnumerable<Guid> recipientIds, Guid? senderId = null, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        var recipients = CacheSupport.DistinctIds(recipientIds, nameof(recipientIds));
        if (senderId is { } sender)
        {
            Check.NotEmpty(sender, nameof(senderId));
            recipients = Array.FindAll(recipients, id => id != sender);
        }

        var reset = senderId is { } s ? SetCoreAsync(s, chatId, 0, cancellationToken) : Task.CompletedTask;
        var increment = PerUserAsync(IncrementScript, recipients, Field(chatId), cancellationToken);
        await Task.WhenAll(reset, increment).ConfigureAwait(false);
    }

    // KEYS[1] counts. ARGV: chat, count, ttl ms. Sets the count and cancels a full rebuild in flight.
    private static readonly RedisScript SetScript = new("unread-set", """
        local all = redis.call('HGET', KEYS[1], '*')
        if all and all ~= '1' then
          redis.call('HDEL', KEYS[1], '*')
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        if redis.call('PTTL', KEYS[1]) < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
        end
        return 1
        """);

    public Task SetAsync(Guid userId, Guid chatId, long unreadCount, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        Check.NotEmpty(chatId, nameof(chatId));
        if (unreadCount < 0)
            throw new ChatDataValidationException(nameof(unreadCount), $"must be 0 or more ({unreadCount} given).");
        return SetCoreAsync(userId, chatId, unreadCount, cancellationToken);
    }

    public Task ResetAsync(Guid userId, Guid chatId, CancellationToken cancellationToken = default) =>
        SetAsync(userId, chatId, 0, cancellationToken);

    private Task SetCoreAsync(Guid userId, Guid chatId, long unreadCount, CancellationToken cancellationToken) =>
        redis.EvaluateAsync(SetScript, [Counts(userId)], [Field(chatId), unreadCount, _ttlMs], cancellationToken);

    // KEYS: counts of users. ARGV: chat. Drops the chat's count (and any lease on it) and the complete marker
    // (or a full rebuild in flight): the next read of either goes to PostgreSQL.
    private static readonly RedisScript InvalidateScript = new("unread-invalidate", """
        for i = 1, #KEYS do
          redis.call('HDEL', KEYS[i], ARGV[1], '*')
        end
        return #KEYS
        """);

    public Task InvalidateAsync(Guid chatId, IEnumerable<Guid> userIds, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        var users = CacheSupport.DistinctIds(userIds, nameof(userIds));
        return PerUserAsync(InvalidateScript, users, Field(chatId), cancellationToken);
    }

    public async Task InvalidateUserAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        await redis.ExecuteAsync(db => db.KeyDeleteAsync(Counts(userId)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a script over many users' hashes: one call per Cluster slot, all pipelined.</summary>
    private async Task PerUserAsync(RedisScript script, Guid[] users, string chatField, CancellationToken cancellationToken)
    {
        if (users.Length == 0)
            return;
        var multiplexer = await redis.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
        var keys = Array.ConvertAll(users, Counts);
        var calls = CacheSupport.GroupBySlot(multiplexer, keys)
            .Select(group => redis.EvaluateAsync(script, Array.ConvertAll(group, i => keys[i]), [chatField], cancellationToken))
            .ToArray();
        await Task.WhenAll(calls).ConfigureAwait(false);
    }
}
