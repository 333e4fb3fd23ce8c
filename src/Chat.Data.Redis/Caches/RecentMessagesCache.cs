using System.Globalization;
using System.Text.Json;
using Chat.Data.Internal;
using Chat.Data.Messages;
using Chat.Data.Redis.Internal;
using StackExchange.Redis;

namespace Chat.Data.Redis.Caches;

/// <summary>
/// One key per chat: <c>recent:{chat}:messages</c>, a sorted set of messages as JSON scored by seq, at most
/// <see cref="CacheOptions.RecentMessagesCapacity"/> entries, with a TTL of
/// <see cref="CacheOptions.RecentMessagesTtl"/> renewed by every add.
/// </summary>
/// <remarks>
/// A removed message leaves a marker <c>~{seq}</c> at its seq, so its seq stays accounted for and a late add
/// cannot bring it back. Each seq has at most one entry: a replace removes the old entry by score first.
/// </remarks>
internal sealed class RecentMessagesCache(RedisConnection redis) : IRecentMessagesCache
{
    private readonly int _capacity = redis.Options.Caches.RecentMessagesCapacity;
    private readonly long _ttlMs = CacheSupport.Milliseconds(redis.Options.Caches.RecentMessagesTtl);

    private RedisKey Messages(Guid chatId) => redis.Keys.Key("recent", chatId, "messages");

    // KEYS[1] messages. ARGV: seq, json, capacity, ttl ms. Reply: 1 when stored.
    private static readonly RedisScript AddScript = new("recent-add", """
        local seq = tonumber(ARGV[1])
        local capacity = tonumber(ARGV[3])
        local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
        if newest and seq <= tonumber(newest) - capacity then
          return 0 -- older than any newest-N window
        end
        local at = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])[1]
        if at and string.sub(at, 1, 1) == '~' then
          return 0 -- removed for good
        end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
        redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
        redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -capacity - 1)
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return 1
        """);

    public async Task<bool> AddAsync(Message message, CancellationToken cancellationToken = default)
    {
        Check.NotNull(message, nameof(message));
        Check.NotEmpty(message.ChatId, "message.ChatId");
        Check.NotEmpty(message.Id, "message.Id");
        if (message.Seq < 1)
            throw new ChatDataValidationException("message.Seq", $"a seq is 1 or more ({message.Seq} given).");

        var json = JsonSerializer.Serialize(message, CacheJson.Default.Message);
        var stored = await redis.EvaluateAsync(AddScript, [Messages(message.ChatId)], [message.Seq, json, _capacity, _ttlMs], cancellationToken)
            .ConfigureAwait(false);
        return (long)stored == 1;
    }

    public async Task<RecentMessages> GetNewestAsync(Guid chatId, int? count = null, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        var take = count ?? _capacity;
        if (take < 1 || take > _capacity)
            throw new ChatDataValidationException(nameof(count), $"use 1 to {_capacity}, the cache's capacity ({take} given).");

        // Read only, so a plain command: the newest `take` entries, messages and removal markers alike.
        var entries = await redis.ExecuteAsync(db => db.SortedSetRangeByRankWithScoresAsync(Messages(chatId), -take, -1), cancellationToken)
            .ConfigureAwait(false);
        if (entries.Length == 0)
            return new RecentMessages([], false);

        // Entries come ascending by seq, one per seq. The answer covers the seqs from `from` to the newest;
        // it is complete when each of them is there (holes below `from` do not matter).
        var newest = (long)entries[^1].Score;
        var from = Math.Max(newest - take + 1, 1);
        var messages = new List<Message>(entries.Length);
        var accounted = 0L;
        foreach (var entry in entries)
        {
            if ((long)entry.Score < from)
                continue;
            accounted++;
            var text = (string)entry.Element!;
            if (text.StartsWith('~'))
                continue; // removed
            try
            {
                messages.Add(JsonSerializer.Deserialize(text, CacheJson.Default.Message)!);
            }
            catch (JsonException)
            {
                accounted--; // another format (another library version): missing, so the answer is incomplete
            }
        }
        return new RecentMessages(messages, accounted == newest - from + 1);
    }

    // KEYS[1] messages. ARGV: seq, capacity. Reply: 1 when a cached message was removed.
    private static readonly RedisScript RemoveScript = new("recent-remove", """
        local seq = tonumber(ARGV[1])
        local capacity = tonumber(ARGV[2])
        local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
        if not newest or seq <= tonumber(newest) - capacity then
          return 0 -- nothing cached, or older than the window
        end
        local at = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])[1]
        redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
        redis.call('ZADD', KEYS[1], ARGV[1], '~' .. ARGV[1])
        redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -capacity - 1)
        -- The key keeps the TTL of its last add.
        if at and string.sub(at, 1, 1) ~= '~' then
          return 1
        end
        return 0
        """);

    public async Task<bool> RemoveAsync(Guid chatId, long seq, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        if (seq < 1)
            throw new ChatDataValidationException(nameof(seq), $"a seq is 1 or more ({seq} given).");
        var removed = await redis.EvaluateAsync(RemoveScript, [Messages(chatId)], [seq.ToString(CultureInfo.InvariantCulture), _capacity], cancellationToken)
            .ConfigureAwait(false);
        return (long)removed == 1;
    }

    public async Task<bool> InvalidateAsync(Guid chatId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        return await redis.ExecuteAsync(db => db.KeyDeleteAsync(Messages(chatId)), cancellationToken).ConfigureAwait(false);
    }
}
