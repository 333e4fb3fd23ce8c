namespace Chat.Data.Redis.Sessions;

/// <summary>
/// A deny list for bearer tokens (for example JWTs, by <c>iss</c> and <c>jti</c>): revoked tokens are
/// remembered only until they would have expired anyway, so the list stays small. Revocations are recorded
/// in PostgreSQL and answered from Redis, so they outlive the loss of Redis's data.
/// </summary>
public interface ISessionRevocationList
{
    /// <summary>Revokes one token until its expiry (plus <see cref="SessionRevocationOptions.ClockSkew"/>). A token already past that is left alone.</summary>
    /// <param name="issuer">The token's issuer (<c>iss</c>), up to 256 characters.</param>
    /// <param name="tokenId">The token's id (<c>jti</c>), up to 256 characters; stored only as a hash.</param>
    /// <param name="expiresAt">The token's expiry (<c>exp</c>).</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <exception cref="ChatDataValidationException">The issuer or token id is blank, too long or holds NUL.</exception>
    /// <exception cref="RedisUnavailableException">
    /// Redis could not be reached. The revocation is recorded in PostgreSQL by then, and checks see it once their
    /// cached answer lapses (<see cref="SessionRevocationOptions.CacheLifetime"/>); retry to make it immediate.
    /// </exception>
    Task RevokeTokenAsync(string issuer, string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Revokes every token of the user issued before <paramref name="issuedBefore"/> ("log out everywhere",
    /// a password change). Only moves forward: an earlier time than one already set changes nothing.
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="issuedBefore">Tokens issued (<c>iat</c>) before this are revoked; usually now.</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <exception cref="ChatDataValidationException">The id is empty.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task RevokeAllBeforeAsync(Guid userId, DateTimeOffset issuedBefore, CancellationToken cancellationToken = default);

    /// <summary>Whether a token is revoked, by either rule, in one round trip.</summary>
    /// <param name="issuer">The token's issuer (<c>iss</c>).</param>
    /// <param name="tokenId">The token's id (<c>jti</c>).</param>
    /// <param name="userId">The token's user (<c>sub</c>).</param>
    /// <param name="issuedAt">When the token was issued (<c>iat</c>).</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <returns>
    /// The status. When Redis cannot be reached: revoked by default (fail closed), or valid, or an exception,
    /// as <see cref="SessionRevocationOptions.FailureMode"/> says.
    /// </returns>
    /// <exception cref="ChatDataValidationException">A parameter is not valid.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached and the failure mode is <see cref="RevocationFailureMode.Throw"/>.</exception>
    Task<RevocationStatus> CheckAsync(string issuer, string tokenId, Guid userId, DateTimeOffset issuedAt, CancellationToken cancellationToken = default);
}
