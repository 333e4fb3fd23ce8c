namespace Chat.Data.Redis.Otp;

/// <summary>
/// One-time codes (for example SMS login codes) for a (purpose, subject) pair, such as
/// ("login", "+6281234567890"). Redis holds only an HMAC of each code, never the code.
/// </summary>
public interface IOtpStore
{
    /// <summary>
    /// Issues a new random code, replacing (and killing) any earlier code for the same purpose and subject,
    /// unless the resend cooldown or the send quota says no. Deliver <see cref="OtpIssueResult.Code"/> to the
    /// user; it is not stored anywhere.
    /// </summary>
    /// <param name="purpose">What the code is for, for example <c>login</c> (up to 64 characters).</param>
    /// <param name="subject">Who or what it is sent to, for example a phone number (up to 256 characters; stored only as a hash).</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <exception cref="ChatDataValidationException">A parameter is blank, too long or holds NUL.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<OtpIssueResult> IssueAsync(string purpose, string subject, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks a code. The first right answer consumes it (also under concurrent calls); wrong answers count
    /// towards <see cref="OtpOptions.MaxAttempts"/>. A subject with no live code (never issued, expired, used
    /// or replaced) is answered exactly as a wrong code is, attempts and all, so the answers never tell
    /// whether a code is pending.
    /// </summary>
    /// <param name="purpose">The purpose the code was issued for.</param>
    /// <param name="subject">The subject the code was issued for.</param>
    /// <param name="code">The code the user typed (up to 32 characters).</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <exception cref="ChatDataValidationException">A parameter is blank, too long or holds NUL.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<OtpVerifyResult> VerifyAsync(string purpose, string subject, string code, CancellationToken cancellationToken = default);
}

/// <summary>The answer of <see cref="IOtpStore.VerifyAsync"/>.</summary>
public enum OtpVerifyResult
{
    /// <summary>The code was right; it is now used up.</summary>
    Success,

    /// <summary>
    /// The code was not accepted: it was wrong, or no code is live (it expired, was used, was replaced by a
    /// resend, or was never issued). The user may try again or ask for a new code.
    /// </summary>
    Invalid,

    /// <summary>Too many wrong codes: this code is dead, and a new one must be issued.</summary>
    TooManyAttempts,
}
