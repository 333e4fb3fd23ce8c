using System.Threading.RateLimiting;
using Chat.Data.Internal;
using Chat.Data.Redis.Internal;

namespace Chat.Data.Redis.RateLimiting;

/// <summary>
/// A <see cref="PartitionedRateLimiter{TResource}"/> over one <see cref="IDistributedRateLimiter"/> policy: the
/// selector picks each resource's partition, for example a user id from an <c>HttpContext</c>. Usable as
/// ASP.NET Core's <c>RateLimiterOptions.GlobalLimiter</c>; it keeps no per-partition state in memory.
/// </summary>
/// <remarks>
/// As with <see cref="RedisRateLimiter"/>, only <c>AcquireAsync</c> asks Redis; <c>AttemptAcquire</c> always
/// fails at once, and ASP.NET Core's middleware then calls <c>AcquireAsync</c>.
/// </remarks>
/// <typeparam name="TResource">What is limited, for example <c>HttpContext</c>.</typeparam>
public sealed class RedisPartitionedRateLimiter<TResource> : PartitionedRateLimiter<TResource>
{
    private readonly IDistributedRateLimiter _limiter;
    private readonly RateLimitPolicy _policy;
    private readonly Func<TResource, string?> _partitionKeySelector;
    private bool _disposed;

    /// <summary>Creates the limiter.</summary>
    /// <param name="limiter">The distributed limiter (from dependency injection).</param>
    /// <param name="policy">The policy to apply to every partition.</param>
    /// <param name="partitionKeySelector">The partition of a resource; null exempts the resource (its lease is granted without asking Redis).</param>
    /// <exception cref="ChatDataValidationException">The policy is not valid.</exception>
    public RedisPartitionedRateLimiter(IDistributedRateLimiter limiter, RateLimitPolicy policy, Func<TResource, string?> partitionKeySelector)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(partitionKeySelector);
        Check.NotNull(policy, nameof(policy)).Prepare();
        _limiter = limiter;
        _policy = policy;
        _partitionKeySelector = partitionKeySelector;
    }

    /// <summary>Always null: the state lives in Redis, and reading it would take I/O.</summary>
    public override RateLimiterStatistics? GetStatistics(TResource resource) => null;

    /// <summary>Always a failed lease: Redis is only asked asynchronously (see the remarks of the class).</summary>
    protected override RateLimitLease AttemptAcquireCore(TResource resource, int permitCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RedisRateLimitLease.SynchronousNotSupported;
    }

    /// <summary>Asks Redis for <paramref name="permitCount"/> permits of the resource's partition (0: whether any is left).</summary>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(TResource resource, int permitCount, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _partitionKeySelector(resource) is { } partitionKey
            ? RedisRateLimitLease.AcquireAsync(_limiter, _policy, partitionKey, permitCount, cancellationToken)
            : new(RedisRateLimitLease.NoLimit);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }
}
