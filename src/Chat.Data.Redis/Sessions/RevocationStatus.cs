namespace Chat.Data.Redis.Sessions;

/// <summary>The answer of <see cref="ISessionRevocationList.CheckAsync"/>.</summary>
/// <param name="IsRevoked">True when the token must be refused.</param>
/// <param name="Reason">Why (or <see cref="RevocationReason.None"/>).</param>
public sealed record RevocationStatus(bool IsRevoked, RevocationReason Reason);

/// <summary>Why a token is (or would be) refused.</summary>
public enum RevocationReason
{
    /// <summary>Not revoked.</summary>
    None,

    /// <summary>This token was revoked (<see cref="ISessionRevocationList.RevokeTokenAsync"/>).</summary>
    TokenRevoked,

    /// <summary>All of the user's tokens issued before a time were revoked (<see cref="ISessionRevocationList.RevokeAllBeforeAsync"/>).</summary>
    UserTokensRevoked,

    /// <summary>Redis could not be reached; the answer came from <see cref="SessionRevocationOptions.FailureMode"/>.</summary>
    RedisUnavailable,
}
