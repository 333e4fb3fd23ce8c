using System.Text.Json.Serialization;
using Chat.Data.Internal;
using Chat.Data.Messages;
using Chat.Data.Redis.Internal;
using StackExchange.Redis;

namespace Chat.Data.Redis.Caches;

/// <summary>What the caches and presence share: id lists and spreading keys over Cluster slots.</summary>
internal static class CacheSupport
{
    public const int MaxIdsPerCall = 10_000;

    /// <summary>The ids, each non-empty, duplicates removed, at most <see cref="MaxIdsPerCall"/>.</summary>
    public static Guid[] DistinctIds(IEnumerable<Guid> ids, string field)
    {
        Check.NotNull(ids, field);
        ids.TryGetNonEnumeratedCount(out var count);
        var distinct = new List<Guid>(Math.Min(count, MaxIdsPerCall + 1));
        var seen = new HashSet<Guid>(distinct.Capacity);
        var index = 0;
        foreach (var id in ids)
        {
            // The field's name (userIds[3]) only for the error: formatting it for every id cost more than the rest.
            if (id == Guid.Empty)
                Check.NotEmpty(id, $"{field}[{index}]");
            index++;
            if (seen.Add(id))
                distinct.Add(id);
            if (distinct.Count > MaxIdsPerCall)
                throw new ChatDataValidationException(field, $"at most {MaxIdsPerCall} ids per call.");
        }
        return [.. distinct];
    }

    /// <summary>
    /// The positions of <paramref name="keys"/> grouped so that each group's keys share a Cluster slot: one
    /// group on a single server; on a Cluster one per slot (in practice one per user or chat, the hash tag).
    /// A multi-key command or script may only take keys of one slot; the callers send one per group, all
    /// before awaiting any, so StackExchange.Redis pipelines them: one round trip to each node, not one per key.
    /// </summary>
    public static int[][] GroupBySlot(IConnectionMultiplexer multiplexer, RedisKey[] keys)
    {
        if (keys.Length == 0)
            return [];
        if (!RedisConnection.IsCluster(multiplexer))
            return [Enumerable.Range(0, keys.Length).ToArray()];
        return Enumerable.Range(0, keys.Length)
            .GroupBy(i => multiplexer.HashSlot(keys[i]))
            .Select(group => group.ToArray())
            .ToArray();
    }

    public static long Milliseconds(TimeSpan value) => (long)Math.Ceiling(value.TotalMilliseconds);
}

/// <summary>
/// The JSON kept in Redis: camelCase properties, enums by name. Source-generated, so no reflection and no
/// global serializer settings. A value that no longer reads (a format from another library version) is a miss.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(MessagePreview))]
[JsonSerializable(typeof(Message))]
internal sealed partial class CacheJson : JsonSerializerContext;
