using System.Diagnostics;
using System.Threading.RateLimiting;
using Chat.Data.Internal;
using Chat.Data.Redis.Internal;

namespace Chat.Data.Redis.RateLimiting;

/// <summary>
/// A <see cref="RateLimiter"/> for one partition of an <see cref="IDistributedRateLimiter"/> policy, for code
/// written against System.Threading.RateLimiting (for example ASP.NET Core's
/// <c>RateLimitPartition.Get(key, key =&gt; new RedisRateLimiter(limiter, policy, key))</c>).
/// </summary>
/// <remarks>
/// Only <see cref="RateLimiter.AcquireAsync"/> asks Redis. <see cref="RateLimiter.AttemptAcquire"/> cannot
/// do I/O without blocking a thread, so it always returns a failed lease at once (with a reason phrase);
/// ASP.NET Core's rate-limiting middleware then calls <c>AcquireAsync</c>. Nothing is queued: a denied
/// lease carries <see cref="MetadataName.RetryAfter"/> and the full <see cref="DecisionMetadataName"/>.
/// Leases hold nothing, so disposing them releases nothing. When Redis is down, the lease follows
/// <see cref="RateLimitingOptions.FailureMode"/>.
/// </remarks>
public sealed class RedisRateLimiter : RateLimiter
{
    private readonly IDistributedRateLimiter _limiter;
    private readonly RateLimitPolicy _policy;
    private readonly string _partitionKey;
    private long _lastUsed = Stopwatch.GetTimestamp();
    private long _lastRemaining;
    private long _successful;
    private long _failed;
    private int _inFlight;
    private bool _disposed;

    /// <summary>Creates the limiter.</summary>
    /// <param name="limiter">The distributed limiter (from dependency injection).</param>
    /// <param name="policy">The policy to apply.</param>
    /// <param name="partitionKey">Whose allowance, for example a user id.</param>
    /// <exception cref="ChatDataValidationException">The policy or the partition key is not valid.</exception>
    public RedisRateLimiter(IDistributedRateLimiter limiter, RateLimitPolicy policy, string partitionKey)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        Check.NotNull(policy, nameof(policy)).Prepare();
        _limiter = limiter;
        _policy = policy;
        _partitionKey = Check.Required(partitionKey, nameof(partitionKey), 512);
        _lastRemaining = policy.Capacity;
    }

    /// <summary>Lease metadata holding the whole <see cref="RateLimitDecision"/> (for <c>X-RateLimit-*</c> headers).</summary>
    public static MetadataName<RateLimitDecision> DecisionMetadataName { get; } = new("CHAT_DATA_RATE_LIMIT_DECISION");

    /// <summary>Time since the last acquire, or null while one runs; lets a partition manager drop unused limiters (they keep no state).</summary>
    public override TimeSpan? IdleDuration =>
        Volatile.Read(ref _inFlight) > 0 ? null : Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    /// <summary>Counts of this instance's leases; the available permits are as of the last answer from Redis.</summary>
    public override RateLimiterStatistics? GetStatistics() => new()
    {
        CurrentAvailablePermits = Interlocked.Read(ref _lastRemaining),
        CurrentQueuedCount = 0,
        TotalSuccessfulLeases = Interlocked.Read(ref _successful),
        TotalFailedLeases = Interlocked.Read(ref _failed),
    };

    /// <summary>Always a failed lease: Redis is only asked asynchronously (see the remarks of the class).</summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RedisRateLimitLease.SynchronousNotSupported;
    }

    /// <summary>Asks Redis for <paramref name="permitCount"/> permits (0: whether any is left).</summary>
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Increment(ref _inFlight);
        try
        {
            var lease = await RedisRateLimitLease.AcquireAsync(_limiter, _policy, _partitionKey, permitCount, cancellationToken).ConfigureAwait(false);
            if (lease.TryGetMetadata(DecisionMetadataName, out var decision) && decision is not null)
                Interlocked.Exchange(ref _lastRemaining, decision.Remaining);
            Interlocked.Increment(ref lease.IsAcquired ? ref _successful : ref _failed);
            return lease;
        }
        finally
        {
            Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }
}
