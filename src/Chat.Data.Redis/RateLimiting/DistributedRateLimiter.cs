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

    private readonly RateLimitFailureMode _failureMode = redis.Options.RateLimiting.FailureMode;

    public async Task<RateLimitDecision> AcquireAsync(RateLimitPolicy policy, string partitionKey, int permits = 1, CancellationToken cancellationToken = default)
    {
        Validate(policy, partitionKey);
        Check.AtLeastOne(permits, nameof(permits));
        if (permits > policy.Capacity)
            throw new ChatDataValidationException(nameof(permits), $"policy '{policy.Name}' gives at most {policy.Capacity} permits per call ({permits} given).");
        return await EvaluateAsync(policy, partitionKey, permits, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RateLimitDecision> PeekAsync(RateLimitPolicy policy, string partitionKey, CancellationToken cancellationToken = default)
    {
        Validate(policy, partitionKey);
        return await EvaluateAsync(policy, partitionKey, 0, cancellationToken).ConfigureAwait(false);
    }

    public async Task ResetAsync(RateLimitPolicy policy, string partitionKey, CancellationToken cancellationToken = default)
    {
        Validate(policy, partitionKey);
        await redis.ExecuteAsync(db => db.KeyDeleteAsync(Key(policy, partitionKey)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the policy's script; <paramref name="permits"/> 0 only looks.</summary>
    private async Task<RateLimitDecision> EvaluateAsync(RateLimitPolicy policy, string partitionKey, int permits, CancellationToken cancellationToken)
    {
        RedisResult[] reply;
        try
        {
            reply = (RedisResult[])await redis.EvaluateAsync(policy.Script, [Key(policy, partitionKey)], policy.Arguments(permits), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RedisUnavailableException) when (_failureMode == RateLimitFailureMode.Allow)
        {
            return new RateLimitDecision(true, Math.Max(0, policy.Capacity - permits), TimeSpan.Zero, TimeSpan.Zero, IsFallback: true);
        }
        catch (RedisUnavailableException) when (_failureMode == RateLimitFailureMode.Deny)
        {
            return new RateLimitDecision(false, 0, FallbackRetryAfter, FallbackRetryAfter, IsFallback: true);
        }

        return new RateLimitDecision(
            Allowed: (long)reply[0] == 1,
            Remaining: Math.Max(0, (long)reply[1]),
            RetryAfter: TimeSpan.FromMicroseconds(Math.Max(0, (long)reply[2])),
            ResetAfter: TimeSpan.FromMicroseconds(Math.Max(0, (long)reply[3])));
    }

    private RedisKey Key(RateLimitPolicy policy, string partitionKey) =>
        redis.Keys.Key("rate:" + policy.Name, RedisKeys.Hash(partitionKey), policy.KeySuffix);

    private static void Validate(RateLimitPolicy policy, string partitionKey)
    {
        Check.NotNull(policy, nameof(policy)).Validate();
        Check.Required(partitionKey, nameof(partitionKey), MaxPartitionKeyLength);
    }
}
