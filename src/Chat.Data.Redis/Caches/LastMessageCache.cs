using System.Text.Json;
using Chat.Data.Internal;
using Chat.Data.Messages;
using Chat.Data.Redis.Internal;
using StackExchange.Redis;

namespace Chat.Data.Redis.Caches;

/// <summary>
/// One key per chat: <c>last-message:{chat}:preview</c>, a string holding the preview as JSON (camelCase,
/// the type by name), with a TTL of <see cref="CacheOptions.LastMessageTtl"/> renewed by every set.
/// </summary>
/// <remarks>
/// A string rather than a hash, so many chats are read with one <c>MGET</c>. Reads are plain commands;
/// only the set, which compares seqs, is a script.
/// </remarks>
internal sealed class LastMessageCache(RedisConnection redis) : ILastMessageCache
{
    private const int MaxContentLength = 10_000;

    private readonly long _ttlMs = CacheSupport.Milliseconds(redis.Options.Caches.LastMessageTtl);

    private RedisKey Preview(Guid chatId) => redis.Keys.Key("last-message", chatId, "preview");

    // KEYS[1] preview. ARGV: json, seq, ttl ms. Reply: 1 when stored, 0 when a higher seq is cached.
    // A value that does not decode (another format) is replaced.
    private static readonly RedisScript SetScript = new("last-message-set", """
        local current = redis.call('GET', KEYS[1])
        if current then
          local ok, cached = pcall(cjson.decode, current)
          if ok and type(cached) == 'table' and tonumber(cached.seq) and tonumber(cached.seq) > tonumber(ARGV[2]) then
            return 0
          end
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
        return 1
        """);

    public async Task<bool> SetAsync(Guid chatId, MessagePreview preview, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        Check.NotNull(preview, nameof(preview));
        Check.NotEmpty(preview.Id, "preview.Id");
        if (preview.Seq < 1)
            throw new ChatDataValidationException("preview.Seq", $"a seq is 1 or more ({preview.Seq} given).");
        if (preview.Content?.Length > MaxContentLength)
            throw new ChatDataValidationException("preview.Content", $"at most {MaxContentLength} characters are allowed ({preview.Content.Length} given).");

        var json = JsonSerializer.Serialize(preview, CacheJson.Default.MessagePreview);
        var stored = await redis.EvaluateAsync(SetScript, [Preview(chatId)], [json, preview.Seq, _ttlMs], cancellationToken).ConfigureAwait(false);
        return (long)stored == 1;
    }

    public Task<bool> SetAsync(Message message, CancellationToken cancellationToken = default)
    {
        Check.NotNull(message, nameof(message));
        Check.NotEmpty(message.ChatId, "message.ChatId");
        Check.NotEmpty(message.Id, "message.Id");
        if (message.Seq < 1)
            throw new ChatDataValidationException("message.Seq", $"a seq is 1 or more ({message.Seq} given).");
        if (message.Content?.Length > MaxContentLength)
            throw new ChatDataValidationException("message.Content", $"at most {MaxContentLength} characters are allowed ({message.Content.Length} given).");
        var preview = new MessagePreview(message.Id, message.Seq, message.SenderId, message.Type, message.Content, message.CreatedAt, message.DeletedAt is not null);
        return SetAsync(message.ChatId, preview, cancellationToken);
    }

    public async Task<MessagePreview?> GetAsync(Guid chatId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        var value = await redis.ExecuteAsync(db => db.StringGetAsync(Preview(chatId)), cancellationToken).ConfigureAwait(false);
        return Read(value);
    }

    public async Task<IReadOnlyDictionary<Guid, MessagePreview>> GetManyAsync(IEnumerable<Guid> chatIds, CancellationToken cancellationToken = default)
    {
        var ids = CacheSupport.DistinctIds(chatIds, nameof(chatIds));
        var previews = new Dictionary<Guid, MessagePreview>(ids.Length);
        if (ids.Length == 0)
            return previews;

        var multiplexer = await redis.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
        var keys = Array.ConvertAll(ids, Preview);
        var groups = CacheSupport.GroupBySlot(multiplexer, keys);
        // Every MGET is sent before any is awaited: pipelined, one round trip to each node.
        var reads = Array.ConvertAll(groups, group =>
            redis.ExecuteAsync(db => db.StringGetAsync(Array.ConvertAll(group, i => keys[i])), cancellationToken));
        await Task.WhenAll(reads).ConfigureAwait(false);

        for (var g = 0; g < groups.Length; g++)
        {
            var values = reads[g].Result;
            for (var j = 0; j < groups[g].Length; j++)
            {
                if (Read(values[j]) is { } preview)
                    previews[ids[groups[g][j]]] = preview;
            }
        }
        return previews;
    }

    public async Task<bool> InvalidateAsync(Guid chatId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        return await redis.ExecuteAsync(db => db.KeyDeleteAsync(Preview(chatId)), cancellationToken).ConfigureAwait(false);
    }

    private static MessagePreview? Read(RedisValue value)
    {
        if (value.IsNull)
            return null;
        try
        {
            return JsonSerializer.Deserialize((string)value!, CacheJson.Default.MessagePreview);
        }
        catch (JsonException)
        {
            return null; // another format (another library version): a miss, replaced by the next set
        }
    }
}
