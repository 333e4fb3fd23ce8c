namespace Chat.Data.Redis.Sessions;

/// <summary>Options of the session revocation list (<see cref="ISessionRevocationList"/>).</summary>
public sealed class SessionRevocationOptions
{
    /// <summary>What a check answers when Redis cannot be reached (default <see cref="RevocationFailureMode.TreatAsRevoked"/>: fail closed).</summary>
    public RevocationFailureMode FailureMode { get; set; } = RevocationFailureMode.TreatAsRevoked;

    /// <summary>
    /// The longest lifetime of any token the host issues (default 30 days). A "revoke all before" marker
    /// is kept this long after its time, by when every token it covers has expired.
    /// </summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Extra time a revoked token is remembered after its expiry (default 5 minutes, the JWT bearer
    /// handler's default clock skew), so a token still accepted because of clock skew is still revoked.
    /// </summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long Redis remembers that a token or user has no revocation, after reading it from PostgreSQL
    /// (default 5 minutes). Revoking overwrites that answer at once; this bounds only how long a check can
    /// miss a revocation whose write to Redis failed (the revocation itself is recorded in PostgreSQL first).
    /// </summary>
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>What a revocation check answers when Redis cannot be reached.</summary>
public enum RevocationFailureMode
{
    /// <summary>Fail closed: every token is reported revoked, with <see cref="RevocationReason.RedisUnavailable"/>.</summary>
    TreatAsRevoked,

    /// <summary>The check throws <see cref="RedisUnavailableException"/>.</summary>
    Throw,

    /// <summary>Fail open: tokens are reported valid, with <see cref="RevocationReason.RedisUnavailable"/>.</summary>
    TreatAsValid,
}
