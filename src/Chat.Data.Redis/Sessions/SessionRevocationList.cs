using System.Security.Cryptography;
using System.Text;
using Chat.Data.Internal;
using Chat.Data.Redis.Internal;
using StackExchange.Redis;
using ChatDatabase = Chat.Data.Internal.ChatDatabase;

namespace Chat.Data.Redis.Sessions;

/// <summary>
/// PostgreSQL is the record; Redis answers checks. Keys: <c>revoked:{hash of issuer and token id}:token</c>
/// ("1" revoked until the token's expiry plus clock skew; "0" not revoked, for
/// <see cref="SessionRevocationOptions.CacheLifetime"/>) and <c>revoked:{user}:before</c> (ms, or 0 for none;
/// kept until every token it covers has expired, or for the cache lifetime).
/// </summary>
/// <remarks>
/// A check that finds a key missing (never asked, expired from the cache, or lost with Redis's data) reads
/// PostgreSQL and stores the answer with <c>SET NX</c>, while a revocation overwrites: so a revocation that
/// lands between a check's read and its write is never hidden by the check's older answer.
/// </remarks>
internal sealed class SessionRevocationList(RedisConnection redis, ChatDatabase db) : ISessionRevocationList
{
    private const int MaxIssuerLength = 256;
    private const int MaxTokenIdLength = 256;

    private static readonly RedisValue Revoked = 1;
    private static readonly RedisValue NotRevoked = 0;

    private readonly SessionRevocationOptions _options = redis.Options.Sessions;

    private RedisKey TokenKey(string issuer, string tokenId) => redis.Keys.Key("revoked", RedisKeys.Hash(issuer, tokenId), "token");

    private RedisKey UserKey(Guid userId) => redis.Keys.Key("revoked", userId, "before");

    /// <summary>The token as PostgreSQL records it: SHA-256 of issuer and id, so the id itself is never stored.</summary>
    private static byte[] TokenHash(string issuer, string tokenId) => SHA256.HashData(Encoding.UTF8.GetBytes($"{issuer}\0{tokenId}"));

    // Also purges a few revocations whose tokens have all expired, so the table stays as small as the list.
    private const string RevokeTokenSql = """
        WITH purged AS (
            DELETE FROM {schema}.revoked_tokens
            WHERE token_hash IN (SELECT token_hash FROM {schema}.revoked_tokens WHERE expires_at < now() LIMIT 10)
        )
        INSERT INTO {schema}.revoked_tokens AS r (token_hash, expires_at)
        VALUES (@Hash, @ExpiresAt)
        ON CONFLICT (token_hash) DO UPDATE SET expires_at = greatest(r.expires_at, excluded.expires_at)
        """;

    public async Task RevokeTokenAsync(string issuer, string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        Check.Required(issuer, nameof(issuer), MaxIssuerLength);
        Check.Required(tokenId, nameof(tokenId), MaxTokenIdLength);

        // Token expiry is judged by the validating app's clock, so this one is too.
        var keepUntil = expiresAt + _options.ClockSkew;
        var keep = keepUntil - DateTimeOffset.UtcNow;
        if (keep <= TimeSpan.Zero)
            return;
        await db.ExecuteAsync(RevokeTokenSql, new { Hash = TokenHash(issuer, tokenId), ExpiresAt = keepUntil }, cancellationToken).ConfigureAwait(false);
        await redis.ExecuteAsync(d => d.StringSetAsync(TokenKey(issuer, tokenId), Revoked, keep), cancellationToken).ConfigureAwait(false);
    }

    private const string RevokeAllSql = """
        WITH purged AS (
            DELETE FROM {schema}.user_token_revocations
            WHERE user_id IN (SELECT user_id FROM {schema}.user_token_revocations WHERE expires_at < now() LIMIT 10)
        )
        INSERT INTO {schema}.user_token_revocations AS r (user_id, issued_before, expires_at)
        VALUES (@UserId, @IssuedBefore, @ExpiresAt)
        ON CONFLICT (user_id) DO UPDATE SET
            issued_before = greatest(r.issued_before, excluded.issued_before),
            expires_at = greatest(r.expires_at, excluded.expires_at)
        """;

    // KEYS[1] user's marker. ARGV: issued-before ms, expire-at ms. Only moves forward (a cached 0 is "none").
    private static readonly RedisScript RevokeAllScript = new("revoke-all-before", """
        local current = tonumber(redis.call('GET', KEYS[1]))
        if current and current >= tonumber(ARGV[1]) then
          return 0
        end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('PEXPIREAT', KEYS[1], ARGV[2])
        return 1
        """);

    public async Task RevokeAllBeforeAsync(Guid userId, DateTimeOffset issuedBefore, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));

        var expireAt = issuedBefore + _options.MaxTokenLifetime + _options.ClockSkew;
        if (expireAt <= DateTimeOffset.UtcNow)
            return; // every token it would cover has expired already
        await db.ExecuteAsync(RevokeAllSql, new { UserId = userId, IssuedBefore = issuedBefore, ExpiresAt = expireAt }, cancellationToken).ConfigureAwait(false);
        await redis.EvaluateAsync(RevokeAllScript, [UserKey(userId)],
            [issuedBefore.ToUnixTimeMilliseconds(), expireAt.ToUnixTimeMilliseconds()], cancellationToken).ConfigureAwait(false);
    }

    public async Task<RevocationStatus> CheckAsync(string issuer, string tokenId, Guid userId, DateTimeOffset issuedAt, CancellationToken cancellationToken = default)
    {
        Check.Required(issuer, nameof(issuer), MaxIssuerLength);
        Check.Required(tokenId, nameof(tokenId), MaxTokenIdLength);
        Check.NotEmpty(userId, nameof(userId));

        var (tokenKey, userKey) = (TokenKey(issuer, tokenId), UserKey(userId));
        try
        {
            var cached = await ReadAsync(tokenKey, userKey, cancellationToken).ConfigureAwait(false);
            if (cached.Token.IsNull || cached.Before.IsNull)
                cached = await RefillAsync(TokenHash(issuer, tokenId), userId, tokenKey, userKey, cached, cancellationToken).ConfigureAwait(false);

            if ((long)cached.Token == 1)
                return new RevocationStatus(true, RevocationReason.TokenRevoked);
            if (issuedAt.ToUnixTimeMilliseconds() < (long)cached.Before)
                return new RevocationStatus(true, RevocationReason.UserTokensRevoked);
            return new RevocationStatus(false, RevocationReason.None);
        }
        catch (RedisUnavailableException) when (_options.FailureMode != RevocationFailureMode.Throw)
        {
            return new RevocationStatus(_options.FailureMode == RevocationFailureMode.TreatAsRevoked, RevocationReason.RedisUnavailable);
        }
    }

    /// <summary>Both keys: two Cluster slots, so two reads, sent together before either is awaited (one round trip).</summary>
    private Task<(RedisValue Token, RedisValue Before)> ReadAsync(RedisKey tokenKey, RedisKey userKey, CancellationToken cancellationToken) =>
        redis.ExecuteAsync(async d =>
        {
            var token = d.StringGetAsync(tokenKey);
            var before = d.StringGetAsync(userKey);
            return (await token.ConfigureAwait(false), await before.ConfigureAwait(false));
        }, cancellationToken);

    private const string FindSql = """
        SELECT (SELECT expires_at FROM {schema}.revoked_tokens WHERE token_hash = @Hash AND expires_at > now()) AS token_until,
               r.issued_before, r.expires_at AS before_until
        FROM (SELECT) AS one
        LEFT JOIN {schema}.user_token_revocations r ON r.user_id = @UserId AND r.expires_at > now()
        """;

    /// <summary>Reads what Redis lacks from PostgreSQL and stores it there, unless a revocation got there first.</summary>
    private async Task<(RedisValue Token, RedisValue Before)> RefillAsync(
        byte[] tokenHash, Guid userId, RedisKey tokenKey, RedisKey userKey, (RedisValue Token, RedisValue Before) cached, CancellationToken cancellationToken)
    {
        var record = (await db.QuerySingleOrDefaultAsync(FindSql, new { Hash = tokenHash, UserId = userId }, static r => new RevocationRecord(
            r.IsDBNull(0) ? null : r.GetFieldValue<DateTimeOffset>(0),
            r.IsDBNull(1) ? null : r.GetFieldValue<DateTimeOffset>(1),
            r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2)), cancellationToken).ConfigureAwait(false))!;
        var now = DateTimeOffset.UtcNow;
        var token = cached.Token.IsNull ? (record.TokenUntil is null ? NotRevoked : Revoked) : cached.Token;
        var before = cached.Before.IsNull ? record.IssuedBefore?.ToUnixTimeMilliseconds() ?? 0 : cached.Before;

        var stored = await redis.ExecuteAsync(d => Task.WhenAll(
            cached.Token.IsNull ? d.StringSetAsync(tokenKey, token, Lifetime(record.TokenUntil, now), When.NotExists) : Task.FromResult(true),
            cached.Before.IsNull ? d.StringSetAsync(userKey, before, Lifetime(record.BeforeUntil, now), When.NotExists) : Task.FromResult(true)),
            cancellationToken).ConfigureAwait(false);
        if (stored.All(s => s))
            return (token, before);

        // Refused by NX: a revocation was stored meanwhile, and it outranks what was read here.
        var fresh = await ReadAsync(tokenKey, userKey, cancellationToken).ConfigureAwait(false);
        return (fresh.Token.IsNull ? token : fresh.Token, fresh.Before.IsNull ? before : fresh.Before);
    }

    /// <summary>A revocation is cached until it lapses; the absence of one for <see cref="SessionRevocationOptions.CacheLifetime"/>.</summary>
    private TimeSpan Lifetime(DateTimeOffset? until, DateTimeOffset now) =>
        until is { } u ? TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, (u - now).Ticks)) : _options.CacheLifetime;

    private sealed record RevocationRecord(DateTimeOffset? TokenUntil, DateTimeOffset? IssuedBefore, DateTimeOffset? BeforeUntil);
}
