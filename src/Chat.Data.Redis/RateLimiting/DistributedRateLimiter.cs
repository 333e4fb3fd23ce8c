using System.Collections.Concurrent;
using System.Diagnostics;
using Chat.Data.Internal;
using Chat.Data.Redis.Internal;
using StackExchange.Redis;

namespace Chat.Data.Redis.RateLimiting;

/// <summary>
/// Keys: <c>rate:{policy}:{partition hash}:{algorithm}</c>, one per partition and policy, each with a
/// TTL that ends when the partition is back to its full allowance (a missing key means exactly that).
/// </summary>
internal sealed class DistributedRateLimiter(RedisConnection redis) : IDistributedRateLimiter
{
    private const int MaxPartitionKeyLength = 512;

    /// <summary>What a denied fallback decision tells the caller to wait.</summary>
    private static readonly TimeSpan FallbackRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>How many partitions' hashes are kept; past it the cache starts again empty.</summary>
    private const int MaxCachedTags = 10_000;

    private readonly RateLimitFailureMode _failureMode = redis.Options.RateLimiting.FailureMode;

    // A partition's SHA-256 costs about 0.5 µs (OpenSSL's per-call set-up, not the hashing), a twentieth of
    // a check, and the same partitions come back with every request of their user: recent ones are kept.
    private readonly ConcurrentDictionary<string, string> _tags = new(StringComparer.Ordinal);
    private int _cachedTags;

    public Task<RateLimitDecision> AcquireAsync(RateLimitPolicy policy, string partitionKey, int permits = 1, CancellationToken cancellationToken = default) =>
        CheckAsync(policy, partitionKey, permits, cancellationToken);

    public Task<RateLimitDecision> PeekAsync(RateLimitPolicy policy, string partitionKey, CancellationToken cancellationToken = default) =>
        CheckAsync(policy, partitionKey, null, cancellationToken);

    /// <summary>Validates, then runs the policy's script; <paramref name="permits"/> null only looks.</summary>
    /// <remarks>
    /// Bad input gives a faulted task rather than an exception at the call, as an async method would, while a
    /// valid check goes to Redis without a state machine of its own.
    /// </remarks>
    private Task<RateLimitDecision> CheckAsync(RateLimitPolicy policy, string partitionKey, int? permits, CancellationToken cancellationToken)
    {
        RateLimitPolicy.Prepared prepared;
        try
        {
            prepared = Prepare(policy, partitionKey);
            if (permits is { } wanted)
            {
                Check.AtLeastOne(wanted, nameof(permits));
                if (wanted > policy.Capacity)
                    throw new ChatDataValidationException(nameof(permits), $"policy '{policy.Name}' gives at most {policy.Capacity} permits per call ({wanted} given).");
            }
        }
        catch (ChatDataValidationException ex)
        {
            return Task.FromException<RateLimitDecision>(ex);
        }
        return EvaluateAsync(prepared, partitionKey, permits ?? 0, cancellationToken);
    }

    public async Task ResetAsync(RateLimitPolicy policy, string partitionKey, CancellationToken cancellationToken = default)
    {
        var key = Key(Prepare(policy, partitionKey), partitionKey);
        await redis.ExecuteAsync(db => db.KeyDeleteAsync(key), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the policy's script; <paramref name="permits"/> 0 only looks.</summary>
    private async Task<RateLimitDecision> EvaluateAsync(RateLimitPolicy.Prepared prepared, string partitionKey, int permits, CancellationToken cancellationToken)
    {
        var policy = prepared.Policy;
        RateLimitDecision decision;
        try
        {
            var reply = await redis.EvaluateAsync(policy.Script, [Key(prepared, partitionKey)], prepared.Arguments(permits), cancellationToken)
                .ConfigureAwait(false);
            decision = new RateLimitDecision(
                Allowed: (long)reply[0] == 1,
                Remaining: Math.Max(0, (long)reply[1]),
                RetryAfter: TimeSpan.FromMicroseconds(Math.Max(0, (long)reply[2])),
                ResetAfter: TimeSpan.FromMicroseconds(Math.Max(0, (long)reply[3])));
        }
        catch (RedisUnavailableException) when (_failureMode == RateLimitFailureMode.Allow)
        {
            decision = new RateLimitDecision(true, Math.Max(0, policy.Capacity - permits), TimeSpan.Zero, TimeSpan.Zero, IsFallback: true);
        }
        catch (RedisUnavailableException) when (_failureMode == RateLimitFailureMode.Deny)
        {
            decision = new RateLimitDecision(false, 0, FallbackRetryAfter, FallbackRetryAfter, IsFallback: true);
        }

        if (permits > 0 && RedisTelemetry.RateLimitDecisions.Enabled)
        {
            RedisTelemetry.RateLimitDecisions.Add(1, new TagList
            {
                { "chat_data.rate_limit.policy", policy.Name },
                { "chat_data.rate_limit.decision", decision.Allowed ? "allowed" : "rejected" },
                { "chat_data.rate_limit.fallback", decision.IsFallback },
            });
        }
        return decision;
    }

    // The partition key is hashed (it may be personal data, and may hold braces), the policy's name and algorithm are not.
    private RedisKey Key(RateLimitPolicy.Prepared prepared, string partitionKey) =>
        redis.Keys.Key(prepared.KeyArea, Tag(partitionKey), prepared.Policy.KeySuffix);

    private string Tag(string partitionKey)
    {
        if (_tags.TryGetValue(partitionKey, out var tag))
            return tag;
        tag = RedisKeys.Hash(partitionKey);
        if (_tags.TryAdd(partitionKey, tag) && Interlocked.Increment(ref _cachedTags) > MaxCachedTags)
        {
            // Approximate under races (a tag added meanwhile may go uncounted), never unbounded.
            _tags.Clear();
            Volatile.Write(ref _cachedTags, 0);
        }
        return tag;
    }

    private static RateLimitPolicy.Prepared Prepare(RateLimitPolicy policy, string partitionKey)
    {
        var prepared = Check.NotNull(policy, nameof(policy)).Prepare();
        Check.Required(partitionKey, nameof(partitionKey), MaxPartitionKeyLength);
        return prepared;
    }
}
