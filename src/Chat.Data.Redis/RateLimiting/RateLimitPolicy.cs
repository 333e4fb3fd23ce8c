using System.Text.RegularExpressions;
using Chat.Data.Internal;
using Chat.Data.Redis.Internal;
using StackExchange.Redis;

namespace Chat.Data.Redis.RateLimiting;

/// <summary>
/// A named rate limit: its algorithm and numbers. Create one with <see cref="FixedWindow"/>,
/// <see cref="SlidingWindow"/>, <see cref="TokenBucket"/> or <see cref="Gcra"/>, once, and reuse it.
/// The name is part of every key, so two policies never share a counter; changing a policy's numbers
/// under the same name applies to the state already in Redis.
/// </summary>
public abstract partial record RateLimitPolicy
{
    private protected RateLimitPolicy(string name) => Name = name;

    /// <summary>Names the policy in keys: 1 to 64 letters, digits, <c>_</c>, <c>-</c> or <c>.</c>.</summary>
    public string Name { get; init; }

    /// <summary>The most permits one call can take (the limit of a window, the size of a bucket, the burst).</summary>
    public abstract int Capacity { get; }

    /// <summary>A window that opens with the first permit and holds at most <paramref name="permitLimit"/> permits until it closes.</summary>
    public static FixedWindowPolicy FixedWindow(string name, int permitLimit, TimeSpan window) => new(name, permitLimit, window);

    /// <summary>At most <paramref name="permitLimit"/> permits in any <paramref name="window"/>-long span (exact, from a log of permits).</summary>
    public static SlidingWindowPolicy SlidingWindow(string name, int permitLimit, TimeSpan window) => new(name, permitLimit, window);

    /// <summary>A bucket of <paramref name="tokenLimit"/> tokens, refilled continuously at <paramref name="tokensPerPeriod"/> per <paramref name="replenishmentPeriod"/>.</summary>
    public static TokenBucketPolicy TokenBucket(string name, int tokenLimit, int tokensPerPeriod, TimeSpan replenishmentPeriod) =>
        new(name, tokenLimit, tokensPerPeriod, replenishmentPeriod);

    /// <summary>
    /// The generic cell rate algorithm: <paramref name="limit"/> permits per <paramref name="period"/>, evenly
    /// spaced, with bursts of up to <paramref name="burst"/> (default: <paramref name="limit"/>). One small value per partition.
    /// </summary>
    public static GcraPolicy Gcra(string name, int limit, TimeSpan period, int? burst = null) => new(name, limit, period, burst ?? limit);

    /// <summary>The last part of the key, so changing a policy's algorithm never reads the old algorithm's state.</summary>
    internal abstract string KeySuffix { get; }

    /// <summary>
    /// The script. Every one takes KEYS[1] (the partition's state) and, last in ARGV, the permits to take
    /// (0: only look), and replies {allowed 0/1, remaining, retry after µs, reset after µs}.
    /// </summary>
    internal abstract RedisScript Script { get; }

    internal abstract RedisValue[] Arguments(int permits);

    // Checked once per instance, on first use, rather than on every call. A policy cannot change once built
    // (init runs before anyone holds it), and `with` makes a new instance, which the copy constructor below
    // leaves unchecked. Left out of equality (see Equals).
    private Prepared? _prepared;

    /// <summary>Copies <paramref name="original"/> (for <c>with</c>); the copy is checked again on its first use.</summary>
    /// <param name="original">The policy to copy.</param>
    protected RateLimitPolicy(RateLimitPolicy original)
    {
        ArgumentNullException.ThrowIfNull(original);
        Name = original.Name;
    }

    /// <summary>Policies are equal when they are of the same kind, with the same name and numbers.</summary>
    /// <param name="other">The policy to compare with.</param>
    /// <returns>True when they are equal.</returns>
    public virtual bool Equals(RateLimitPolicy? other) =>
        ReferenceEquals(this, other) || (other is not null && EqualityContract == other.EqualityContract && Name == other.Name);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(EqualityContract, Name);

    /// <summary>The policy, checked (throws <see cref="ChatDataValidationException"/> naming the first bad field), with what every call needs.</summary>
    internal Prepared Prepare() => _prepared ??= new Prepared(this);

    /// <summary>A checked policy and the parts of each call that depend on it alone, computed once.</summary>
    internal sealed class Prepared
    {
        private readonly RedisValue[] _look;
        private readonly RedisValue[] _onePermit;

        public Prepared(RateLimitPolicy policy)
        {
            policy.Validate();
            Policy = policy;
            KeyArea = "rate:" + policy.Name;
            _look = policy.Arguments(0);
            _onePermit = policy.Arguments(1);
        }

        public RateLimitPolicy Policy { get; }

        /// <summary>The area of the partitions' keys: the policy name keeps policies apart.</summary>
        public string KeyArea { get; }

        /// <summary>The script's arguments; the usual ones are shared by concurrent calls (StackExchange.Redis only reads them).</summary>
        public RedisValue[] Arguments(int permits) => permits switch
        {
            0 => _look,
            1 => _onePermit,
            _ => Policy.Arguments(permits),
        };
    }

    /// <summary>Throws <see cref="ChatDataValidationException"/> naming the first bad field.</summary>
    internal virtual void Validate()
    {
        if (Name is null || !NamePattern().IsMatch(Name))
            throw new ChatDataValidationException("policy.Name", $"'{Name}' must be 1 to 64 letters, digits, '_', '-' or '.'.");
    }

    private protected static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(366);

    private protected static void Positive(int value, string field) => Check.AtLeastOne(value, "policy." + field);

    private protected static void Positive(TimeSpan value, string field, TimeSpan min)
    {
        if (value < min || value > MaxPeriod)
            throw new ChatDataValidationException("policy." + field, $"must be from {min} to {MaxPeriod} ({value} given).");
    }

    private protected static long Microseconds(TimeSpan value) => value.Ticks / TimeSpan.TicksPerMicrosecond;

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex NamePattern();
}

/// <summary>
/// Fixed window: the window opens with the first permit taken and closes <paramref name="Window"/> later,
/// when its key expires (Redis's own clock); at most <paramref name="PermitLimit"/> permits fit in it.
/// Cheapest of all (one counter), but a client can take up to twice the limit around a window's end.
/// </summary>
/// <param name="Name">Names the policy in keys.</param>
/// <param name="PermitLimit">Permits per window.</param>
/// <param name="Window">Length of a window, at least 1 ms.</param>
public sealed record FixedWindowPolicy(string Name, int PermitLimit, TimeSpan Window) : RateLimitPolicy(Name)
{
    /// <inheritdoc />
    public override int Capacity => PermitLimit;

    internal override string KeySuffix => "fixed-window";

    // KEYS[1] counter (its TTL is the rest of the window). ARGV: limit, window ms, permits.
    private static readonly RedisScript FixedWindowScript = new("rate-fixed-window", """
        local limit, permits = tonumber(ARGV[1]), tonumber(ARGV[3])
        local used = tonumber(redis.call('GET', KEYS[1])) or 0
        local left_ms = redis.call('PTTL', KEYS[1])
        if left_ms <= 0 then
          -- No window yet (or one ending this very millisecond): the next permit opens one.
          used, left_ms = 0, tonumber(ARGV[2])
        end
        local reset_us = used > 0 and left_ms * 1000 or 0
        if used + math.max(permits, 1) > limit then
          return {0, limit - used, left_ms * 1000, reset_us}
        end
        if permits > 0 then
          redis.call('SET', KEYS[1], used + permits, 'PX', int(left_ms))
          used, reset_us = used + permits, left_ms * 1000
        end
        return {1, limit - used, 0, reset_us}
        """);

    internal override RedisScript Script => FixedWindowScript;

    internal override RedisValue[] Arguments(int permits) => [PermitLimit, (long)Math.Ceiling(Window.TotalMilliseconds), permits];

    internal override void Validate()
    {
        base.Validate();
        Positive(PermitLimit, nameof(PermitLimit));
        Positive(Window, nameof(Window), TimeSpan.FromMilliseconds(1));
    }
}

/// <summary>
/// Sliding window, exact: a sorted-set log of the permits taken in the last <paramref name="Window"/>
/// (one entry per permit, scored by its time in µs), so no span of that length ever holds more than
/// <paramref name="PermitLimit"/>. Memory grows with the limit; for large limits prefer
/// <see cref="GcraPolicy"/> or <see cref="TokenBucketPolicy"/>, which keep one value per partition.
/// </summary>
/// <param name="Name">Names the policy in keys.</param>
/// <param name="PermitLimit">Permits per window, up to 100,000.</param>
/// <param name="Window">Length of the window, at least 1 ms.</param>
public sealed record SlidingWindowPolicy(string Name, int PermitLimit, TimeSpan Window) : RateLimitPolicy(Name)
{
    private const int MaxPermitLimit = 100_000;

    /// <inheritdoc />
    public override int Capacity => PermitLimit;

    internal override string KeySuffix => "sliding-window";

    // KEYS[1] log. ARGV: limit, window µs, permits.
    private static readonly RedisScript SlidingWindowScript = new("rate-sliding-window", """
        local now = now_us()
        local limit, window, permits = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        -- Permits taken a full window ago (or earlier) no longer count.
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        local used = redis.call('ZCARD', KEYS[1])
        -- µs until the n-th oldest permit in the log leaves the window.
        local function leaves(n)
          if n <= 0 then return 0 end
          return tonumber(redis.call('ZRANGE', KEYS[1], n - 1, n - 1, 'WITHSCORES')[2]) + window - now
        end
        local need = math.max(permits, 1)
        if used + need > limit then
          return {0, limit - used, leaves(used + need - limit), leaves(used)}
        end
        if permits == 0 then
          return {1, limit - used, 0, leaves(used)}
        end
        for i = 1, permits do
          -- Members must be unique: the time plus a number that only grows within one microsecond.
          redis.call('ZADD', KEYS[1], now, int(now) .. ':' .. (used + i))
        end
        redis.call('PEXPIRE', KEYS[1], int(math.ceil(window / 1000)))
        return {1, limit - used - permits, 0, window}
        """);

    internal override RedisScript Script => SlidingWindowScript;

    internal override RedisValue[] Arguments(int permits) => [PermitLimit, Microseconds(Window), permits];

    internal override void Validate()
    {
        base.Validate();
        Positive(PermitLimit, nameof(PermitLimit));
        if (PermitLimit > MaxPermitLimit)
            throw new ChatDataValidationException("policy.PermitLimit", $"a sliding window keeps one entry per permit: at most {MaxPermitLimit} ({PermitLimit} given); use GCRA or a token bucket for larger limits.");
        Positive(Window, nameof(Window), TimeSpan.FromMilliseconds(1));
    }
}

/// <summary>
/// Token bucket: holds up to <paramref name="TokenLimit"/> tokens and refills continuously at
/// <paramref name="TokensPerPeriod"/> per <paramref name="ReplenishmentPeriod"/> (not in steps); each permit takes a token.
/// A missing key is a full bucket, so the key expires as soon as the bucket would be full again.
/// </summary>
/// <param name="Name">Names the policy in keys.</param>
/// <param name="TokenLimit">Size of the bucket: the largest burst.</param>
/// <param name="TokensPerPeriod">Tokens added per <paramref name="ReplenishmentPeriod"/>.</param>
/// <param name="ReplenishmentPeriod">The period of <paramref name="TokensPerPeriod"/>, at least 1 ms.</param>
public sealed record TokenBucketPolicy(string Name, int TokenLimit, int TokensPerPeriod, TimeSpan ReplenishmentPeriod) : RateLimitPolicy(Name)
{
    /// <inheritdoc />
    public override int Capacity => TokenLimit;

    internal override string KeySuffix => "token-bucket";

    // KEYS[1] bucket (hash: tokens, at µs). ARGV: capacity, tokens per period, period µs, permits.
    private static readonly RedisScript TokenBucketScript = new("rate-token-bucket", """
        local now = now_us()
        local capacity, per_period, period = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local permits = tonumber(ARGV[4])
        -- µs until the bucket holds `tokens` more than now (multiply before dividing: exact for whole numbers).
        local function refill_time(tokens)
          return math.max(0, math.ceil(tokens * period / per_period))
        end
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = capacity
        if state[1] then
          local elapsed = math.max(0, now - tonumber(state[2]))
          tokens = math.min(capacity, tonumber(state[1]) + elapsed * per_period / period)
        end
        local need = math.max(permits, 1)
        if tokens < need then
          return {0, math.floor(tokens), refill_time(need - tokens), refill_time(capacity - tokens)}
        end
        if permits > 0 then
          tokens = tokens - permits
          redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', int(now))
          redis.call('PEXPIRE', KEYS[1], int(math.max(1, math.ceil(refill_time(capacity - tokens) / 1000))))
        end
        return {1, math.floor(tokens), 0, refill_time(capacity - tokens)}
        """);

    internal override RedisScript Script => TokenBucketScript;

    internal override RedisValue[] Arguments(int permits) => [TokenLimit, TokensPerPeriod, Microseconds(ReplenishmentPeriod), permits];

    internal override void Validate()
    {
        base.Validate();
        Positive(TokenLimit, nameof(TokenLimit));
        Positive(TokensPerPeriod, nameof(TokensPerPeriod));
        Positive(ReplenishmentPeriod, nameof(ReplenishmentPeriod), TimeSpan.FromMilliseconds(1));
    }
}

/// <summary>
/// GCRA (generic cell rate algorithm): permits are spaced <paramref name="Period"/> / <paramref name="Limit"/>
/// apart, with up to <paramref name="Burst"/> at once after a quiet spell. Stores one number per
/// partition (the theoretical arrival time) and gives an exact retry-after.
/// </summary>
/// <param name="Name">Names the policy in keys.</param>
/// <param name="Limit">Permits per <paramref name="Period"/> at the sustained rate (at most one per µs).</param>
/// <param name="Period">The period of <paramref name="Limit"/>, at least 1 ms.</param>
/// <param name="Burst">Permits that can be taken at once from an idle partition.</param>
public sealed record GcraPolicy(string Name, int Limit, TimeSpan Period, int Burst) : RateLimitPolicy(Name)
{
    /// <inheritdoc />
    public override int Capacity => Burst;

    internal override string KeySuffix => "gcra";

    // KEYS[1] theoretical arrival time (TAT, µs). ARGV: emission interval µs, burst, permits.
    private static readonly RedisScript GcraScript = new("rate-gcra", """
        local now = now_us()
        local interval, permits = tonumber(ARGV[1]), tonumber(ARGV[3])
        -- How far the TAT may run ahead of now: room for `burst` permits.
        local tolerance = interval * tonumber(ARGV[2])
        local tat = math.max(tonumber(redis.call('GET', KEYS[1])) or now, now)
        local function available(at)
          return math.floor((tolerance - (at - now)) / interval)
        end
        local new_tat = tat + interval * math.max(permits, 1)
        local allow_at = new_tat - tolerance
        if now < allow_at then
          return {0, available(tat), math.ceil(allow_at - now), math.ceil(tat - now)}
        end
        if permits == 0 then
          return {1, available(tat), 0, math.ceil(tat - now)}
        end
        redis.call('SET', KEYS[1], new_tat, 'PX', int(math.max(1, math.ceil((new_tat - now) / 1000))))
        return {1, available(new_tat), 0, math.ceil(new_tat - now)}
        """);

    internal override RedisScript Script => GcraScript;

    internal override RedisValue[] Arguments(int permits) => [Period.Ticks / 10.0 / Limit, Burst, permits];

    internal override void Validate()
    {
        base.Validate();
        Positive(Limit, nameof(Limit));
        Positive(Burst, nameof(Burst));
        Positive(Period, nameof(Period), TimeSpan.FromMilliseconds(1));
        if (Period.Ticks / 10.0 / Limit < 1)
            throw new ChatDataValidationException("policy.Limit", $"at most one permit per microsecond ({Limit} per {Period} given).");
    }
}
