using System.Text;

namespace Chat.Data.Redis.Otp;

/// <summary>The answer of <see cref="IOtpStore.IssueAsync"/>.</summary>
/// <param name="Status">Whether a code was issued, and if not, why.</param>
/// <param name="Code">The new code, to deliver to the user; null unless <see cref="Status"/> is <see cref="OtpIssueStatus.Issued"/>. Never logged: <see cref="object.ToString"/> leaves it out.</param>
/// <param name="ExpiresIn">How long the new code can be used; zero when none was issued.</param>
/// <param name="RetryAfter">When no code was issued: how long until one can be; zero otherwise.</param>
public sealed record OtpIssueResult(OtpIssueStatus Status, string? Code, TimeSpan ExpiresIn, TimeSpan RetryAfter)
{
    /// <summary>True when a code was issued.</summary>
    public bool IsIssued => Status == OtpIssueStatus.Issued;

    // Records print every property; a logged result must not carry the code.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Status = {Status}, Code = {(Code is null ? "null" : "***")}, ExpiresIn = {ExpiresIn}, RetryAfter = {RetryAfter}");
        return true;
    }
}

/// <summary>Whether <see cref="IOtpStore.IssueAsync"/> issued a code.</summary>
public enum OtpIssueStatus
{
    /// <summary>A new code was issued; any earlier one is dead.</summary>
    Issued,

    /// <summary>The previous code was sent less than <see cref="OtpOptions.ResendCooldown"/> ago.</summary>
    Cooldown,

    /// <summary><see cref="OtpOptions.SendLimit"/> codes were already sent in the current <see cref="OtpOptions.SendWindow"/>.</summary>
    QuotaExceeded,
}
