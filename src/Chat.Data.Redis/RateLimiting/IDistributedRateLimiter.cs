namespace Chat.Data.Redis.RateLimiting;

/// <summary>
/// Rate limits shared by every instance of the app, kept in Redis: each check is one atomic script
/// that reads the clock of the Redis server. A partition (a user id, an IP address, a phone number)
/// gets its own allowance under each policy; the policy name is part of the key, so one partition
/// under two policies never shares a counter. For ASP.NET Core, wrap it in
/// <see cref="RedisRateLimiter"/> or <see cref="RedisPartitionedRateLimiter{TResource}"/>.
/// </summary>
public interface IDistributedRateLimiter
{
    /// <summary>Takes <paramref name="permits"/> permits from the partition if it has them; takes nothing otherwise.</summary>
    /// <param name="policy">The algorithm and its limits, for example <c>RateLimitPolicy.FixedWindow("send-message", 30, TimeSpan.FromMinutes(1))</c>.</param>
    /// <param name="partitionKey">Whose allowance (up to 512 characters; stored only as a hash).</param>
    /// <param name="permits">How many permits, from 1 to the policy's <see cref="RateLimitPolicy.Capacity"/>.</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <exception cref="ChatDataValidationException">The policy or a parameter is not valid.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached and <see cref="RateLimitingOptions.FailureMode"/> is <see cref="RateLimitFailureMode.Throw"/>.</exception>
    Task<RateLimitDecision> AcquireAsync(RateLimitPolicy policy, string partitionKey, int permits = 1, CancellationToken cancellationToken = default);

    /// <summary>The decision a one-permit <see cref="AcquireAsync"/> would get now, without taking anything.</summary>
    /// <inheritdoc cref="AcquireAsync" path="/param[@name='policy']"/>
    /// <inheritdoc cref="AcquireAsync" path="/param[@name='partitionKey']"/>
    /// <inheritdoc cref="AcquireAsync" path="/param[@name='cancellationToken']"/>
    /// <inheritdoc cref="AcquireAsync" path="/exception"/>
    Task<RateLimitDecision> PeekAsync(RateLimitPolicy policy, string partitionKey, CancellationToken cancellationToken = default);

    /// <summary>Gives the partition its full allowance back (for example after a successful login).</summary>
    /// <inheritdoc cref="AcquireAsync" path="/param[@name='policy']"/>
    /// <inheritdoc cref="AcquireAsync" path="/param[@name='partitionKey']"/>
    /// <inheritdoc cref="AcquireAsync" path="/param[@name='cancellationToken']"/>
    /// <exception cref="ChatDataValidationException">The policy or a parameter is not valid.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task ResetAsync(RateLimitPolicy policy, string partitionKey, CancellationToken cancellationToken = default);
}
