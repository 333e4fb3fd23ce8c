using Chat.Data.Redis.Internal;
using StackExchange.Redis;

namespace Chat.Data.Redis.Sessions;

/// <summary>
/// Keys: <c>revoked:{hash of issuer and token id}:token</c> (TTL: the token's expiry plus clock skew) and
/// <c>revoked:{user}:before</c> (ms; TTL: that time plus the longest token lifetime, when every token it
/// covers has expired).
/// </summary>
internal sealed class SessionRevocationList(RedisConnection redis) : ISessionRevocationList
{
    private const int MaxIssuerLength = 256;
    private const int MaxTokenIdLength = 256;

    private readonly SessionRevocationOptions _options = redis.Options.Sessions;

    private RedisKey TokenKey(string issuer, string tokenId) => redis.Keys.Key("revoked", RedisKeys.Hash(issuer, tokenId), "token");

    private RedisKey UserKey(Guid userId) => redis.Keys.Key("revoked", userId, "before");

    public async Task RevokeTokenAsync(string issuer, string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        Check.Required(issuer, nameof(issuer), MaxIssuerLength);
        Check.Required(tokenId, nameof(tokenId), MaxTokenIdLength);

        // Token expiry is judged by the validating app's clock, so this one is too.
        var keep = expiresAt + _options.ClockSkew - DateTimeOffset.UtcNow;
        if (keep <= TimeSpan.Zero)
            return;
        await redis.ExecuteAsync(db => db.StringSetAsync(TokenKey(issuer, tokenId), 1, keep), cancellationToken).ConfigureAwait(false);
    }

    // KEYS[1] user's marker. ARGV: issued-before ms, expire-at ms. Only moves forward.
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
        await redis.EvaluateAsync(RevokeAllScript, [UserKey(userId)],
            [issuedBefore.ToUnixTimeMilliseconds(), expireAt.ToUnixTimeMilliseconds()], cancellationToken).ConfigureAwait(false);
    }

    public async Task<RevocationStatus> CheckAsync(string issuer, string tokenId, Guid userId, DateTimeOffset issuedAt, CancellationToken cancellationToken = default)
    {
        Check.Required(issuer, nameof(issuer), MaxIssuerLength);
        Check.Required(tokenId, nameof(tokenId), MaxTokenIdLength);
        Check.NotEmpty(userId, nameof(userId));

        try
        {
            return await redis.ExecuteAsync(async db =>
            {
                // Two keys in two Cluster slots: two reads, sent together before either is awaited (one round trip).
                var token = db.KeyExistsAsync(TokenKey(issuer, tokenId));
                var before = db.StringGetAsync(UserKey(userId));
                await Task.WhenAll(token, before).ConfigureAwait(false);

                if (token.Result)
                    return new RevocationStatus(true, RevocationReason.TokenRevoked);
                if (before.Result.HasValue && issuedAt.ToUnixTimeMilliseconds() < (long)before.Result)
                    return new RevocationStatus(true, RevocationReason.UserTokensRevoked);
                return new RevocationStatus(false, RevocationReason.None);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisUnavailableException) when (_options.FailureMode != RevocationFailureMode.Throw)
        {
            return new RevocationStatus(_options.FailureMode == RevocationFailureMode.TreatAsRevoked, RevocationReason.RedisUnavailable);
        }
    }
}
