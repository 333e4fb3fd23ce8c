using System.Threading.RateLimiting;

namespace Chat.Data.Redis.RateLimiting;

/// <summary>A lease carrying the decision; it holds nothing, so disposing it releases nothing.</summary>
internal sealed class RedisRateLimitLease(bool isAcquired, RateLimitDecision? decision, string? reason) : RateLimitLease
{
    /// <summary>
    /// What the synchronous path answers. Redis cannot be asked without I/O, and blocking a thread on it
    /// is exactly what the async API exists to avoid. ASP.NET Core's middleware tries the synchronous path
    /// first and, when it fails, calls <c>AcquireAsync</c>, so it still gets the real answer.
    /// </summary>
    public static readonly RedisRateLimitLease SynchronousNotSupported =
        new(false, null, "Redis rate limiters only acquire asynchronously: use AcquireAsync.");

    public static readonly RedisRateLimitLease NoLimit = new(true, null, null);

    public override bool IsAcquired { get; } = isAcquired;

    public override IEnumerable<string> MetadataNames
    {
        get
        {
            if (decision is not null)
                yield return RedisRateLimiter.DecisionMetadataName.Name;
            if (decision is { Allowed: false })
                yield return MetadataName.RetryAfter.Name;
            if (reason is not null)
                yield return MetadataName.ReasonPhrase.Name;
        }
    }

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName switch
        {
            _ when metadataName == RedisRateLimiter.DecisionMetadataName.Name => decision,
            _ when metadataName == MetadataName.RetryAfter.Name && decision is { Allowed: false } => decision.RetryAfter,
            _ when metadataName == MetadataName.ReasonPhrase.Name => reason,
            _ => null,
        };
        return metadata is not null;
    }

    /// <summary>Runs one asynchronous acquire for an adapter.</summary>
    public static async ValueTask<RateLimitLease> AcquireAsync(
        IDistributedRateLimiter limiter, RateLimitPolicy policy, string partitionKey, int permitCount, CancellationToken cancellationToken)
    {
        if (permitCount > policy.Capacity)
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, $"Policy '{policy.Name}' gives at most {policy.Capacity} permits per call.");

        // permitCount 0 asks "is anything left?" without taking it, as System.Threading.RateLimiting defines.
        var decision = permitCount == 0
            ? await limiter.PeekAsync(policy, partitionKey, cancellationToken).ConfigureAwait(false)
            : await limiter.AcquireAsync(policy, partitionKey, permitCount, cancellationToken).ConfigureAwait(false);
        return new RedisRateLimitLease(decision.Allowed, decision, decision.Allowed ? null : $"Rate limit '{policy.Name}' reached.");
    }
}
