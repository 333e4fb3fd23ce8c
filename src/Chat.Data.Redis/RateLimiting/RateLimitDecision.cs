namespace Chat.Data.Redis.RateLimiting;

/// <summary>The answer of a rate-limit check.</summary>
/// <param name="Allowed">True when the permits were granted (and taken).</param>
/// <param name="Remaining">Permits that could still be taken right after this call.</param>
/// <param name="RetryAfter">When denied: how long until the same request can succeed; zero when allowed.</param>
/// <param name="ResetAfter">How long until the partition is back to its full allowance if nothing more is taken.</param>
/// <param name="IsFallback">True when Redis could not be reached and the answer came from <see cref="RateLimitingOptions.FailureMode"/>.</param>
public sealed record RateLimitDecision(bool Allowed, long Remaining, TimeSpan RetryAfter, TimeSpan ResetAfter, bool IsFallback = false);
