namespace Chat.Data.Redis.RateLimiting;

/// <summary>Options of the distributed rate limiter (<see cref="IDistributedRateLimiter"/>).</summary>
public sealed class RateLimitingOptions
{
    /// <summary>What a check answers when Redis cannot be reached (default <see cref="RateLimitFailureMode.Allow"/>).</summary>
    public RateLimitFailureMode FailureMode { get; set; } = RateLimitFailureMode.Allow;
}

/// <summary>What a rate-limit check answers when Redis cannot be reached.</summary>
public enum RateLimitFailureMode
{
    /// <summary>Fail open: the call is allowed and the decision says <see cref="RateLimitDecision.IsFallback"/>. An outage of Redis does not take the API down.</summary>
    Allow,

    /// <summary>Fail closed: the call is denied and the decision says <see cref="RateLimitDecision.IsFallback"/>.</summary>
    Deny,

    /// <summary>The check throws <see cref="RedisUnavailableException"/>.</summary>
    Throw,
}
