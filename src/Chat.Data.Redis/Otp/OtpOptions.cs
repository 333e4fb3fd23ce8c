namespace Chat.Data.Redis.Otp;

/// <summary>Options of the one-time code store (<see cref="IOtpStore"/>).</summary>
public sealed class OtpOptions
{
    /// <summary>
    /// Secret key of the HMAC-SHA256 under which codes are stored (Redis never holds a code itself).
    /// Required, at least 32 bytes; from configuration, give it as Base64. Changing it voids the codes
    /// already sent.
    /// </summary>
    public byte[]? HmacKey { get; set; }

    /// <summary>Number of digits of a code, 4 to 10 (default 6).</summary>
    public int Digits { get; set; } = 6;

    /// <summary>How long a code can be used (default 5 minutes).</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Wrong codes allowed for one issued code; after that the code is dead (default 5).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Minimum time between two codes for the same purpose and subject (default 60 seconds).</summary>
    public TimeSpan ResendCooldown { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Codes that can be issued for one purpose and subject per <see cref="SendWindow"/> (default 5).</summary>
    public int SendLimit { get; set; } = 5;

    /// <summary>The window of <see cref="SendLimit"/>, starting at the first code (default 1 hour). At least <see cref="ResendCooldown"/>.</summary>
    public TimeSpan SendWindow { get; set; } = TimeSpan.FromHours(1);
}
