using System.Security.Cryptography;
using System.Text;
using Chat.Data.Internal;
using Chat.Data.Redis.Internal;
using StackExchange.Redis;

namespace Chat.Data.Redis.Otp;

/// <summary>
/// Keys per (purpose, subject), tagged by a hash of both: <c>otp:{h}:code</c> (hash: mac, attempts;
/// TTL = code lifetime) and <c>otp:{h}:sends</c> (hash: count, last; TTL = send window).
/// </summary>
internal sealed class OtpStore : IOtpStore
{
    private const int MaxPurposeLength = 64;
    private const int MaxSubjectLength = 256;
    private const int MaxCodeLength = 32;
    private const string Digits = "0123456789";

    private readonly RedisConnection _redis;
    private readonly OtpOptions _options;
    private readonly byte[] _hmacKey;

    public OtpStore(RedisConnection redis)
    {
        _redis = redis;
        _options = redis.Options.Otp;
        // Validated at start; this guards a store built without the options validator.
        _hmacKey = _options.HmacKey is { Length: >= 32 } key
            ? key.ToArray()
            : throw new InvalidOperationException("ChatData.Redis: set ChatDataRedisOptions.Otp.HmacKey (at least 32 random bytes) to use IOtpStore.");
    }

    // KEYS[1] code, KEYS[2] sends. ARGV: mac, lifetime ms, cooldown ms, send limit, send window ms.
    // Reply: {status, retry after ms}: 1 issued, 2 cooldown, 3 quota exceeded.
    private static readonly RedisScript IssueScript = new("otp-issue", """
        local now = now_ms()
        local cooldown = tonumber(ARGV[3])
        local sends = redis.call('HMGET', KEYS[2], 'count', 'last')
        local count, last = tonumber(sends[1]) or 0, tonumber(sends[2])
        if last and now - last < cooldown then
          return {2, cooldown - (now - last)}
        end
        if count >= tonumber(ARGV[4]) then
          return {3, redis.call('PTTL', KEYS[2])}
        end
        -- A resend replaces the old code: its MAC and its attempt counter go with it.
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], 'mac', ARGV[1], 'attempts', 0)
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        redis.call('HSET', KEYS[2], 'count', count + 1, 'last', int(now))
        -- The quota window starts at the first code and later codes do not extend it.
        if redis.call('PTTL', KEYS[2]) < 0 then
          redis.call('PEXPIRE', KEYS[2], ARGV[5])
        end
        return {1, 0}
        """);

    public async Task<OtpIssueResult> IssueAsync(string purpose, string subject, CancellationToken cancellationToken = default)
    {
        Check.Required(purpose, nameof(purpose), MaxPurposeLength);
        Check.Required(subject, nameof(subject), MaxSubjectLength);

        // CSPRNG, uniform over all codes of this length (leading zeros included).
        var code = RandomNumberGenerator.GetString(Digits, _options.Digits);
        var tag = RedisKeys.Hash(purpose, subject);
        var result = (await _redis.EvaluateAsync(
            IssueScript,
            [_redis.Keys.Key("otp", tag, "code"), _redis.Keys.Key("otp", tag, "sends")],
            [
                Mac(purpose, subject, code),
                (long)_options.CodeLifetime.TotalMilliseconds,
                (long)_options.ResendCooldown.TotalMilliseconds,
                _options.SendLimit,
                (long)_options.SendWindow.TotalMilliseconds,
            ],
            cancellationToken).ConfigureAwait(false));

        var retryAfter = TimeSpan.FromMilliseconds(Math.Max(0, (long)result[1]));
        var issued = (long)result[0] switch
        {
            1 => new OtpIssueResult(OtpIssueStatus.Issued, code, _options.CodeLifetime, TimeSpan.Zero),
            2 => new OtpIssueResult(OtpIssueStatus.Cooldown, null, TimeSpan.Zero, retryAfter),
            _ => new OtpIssueResult(OtpIssueStatus.QuotaExceeded, null, TimeSpan.Zero, retryAfter),
        };
        if (RedisTelemetry.OtpIssues.Enabled)
            RedisTelemetry.OtpIssues.Add(1, new KeyValuePair<string, object?>("chat_data.otp.outcome", Outcome(issued.Status)));
        return issued;
    }

    // KEYS[1] code. ARGV: mac of the answer, max attempts, code lifetime ms.
    // Reply: 1 success, 2 invalid, 3 too many attempts.
    // A wrong code and a code for a subject with no live code (never issued, expired, used, replaced) take the
    // same path: both count an attempt and both die after max attempts, so the answers never tell whether a
    // code is pending. The MAC comparison in Lua is not constant-time; that is harmless here, as an attacker
    // cannot choose MACs without the key.
    private static readonly RedisScript VerifyScript = new("otp-verify", """
        local code = redis.call('HMGET', KEYS[1], 'mac', 'dead')
        if code[2] then
          return 3
        end
        if code[1] and code[1] == ARGV[1] then
          -- Single use: the first right answer deletes the code, so a concurrent one finds nothing.
          redis.call('DEL', KEYS[1])
          return 1
        end
        local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
        if not code[1] and redis.call('PTTL', KEYS[1]) < 0 then
          -- No live code: the attempts are kept as long as a code would live.
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
        end
        if attempts >= tonumber(ARGV[2]) then
          -- Dead, but remembered until the code would have expired, so later tries say why.
          redis.call('HDEL', KEYS[1], 'mac')
          redis.call('HSET', KEYS[1], 'dead', 1)
          return 3
        end
        return 2
        """);

    public async Task<OtpVerifyResult> VerifyAsync(string purpose, string subject, string code, CancellationToken cancellationToken = default)
    {
        Check.Required(purpose, nameof(purpose), MaxPurposeLength);
        Check.Required(subject, nameof(subject), MaxSubjectLength);
        Check.Required(code, nameof(code), MaxCodeLength);

        var tag = RedisKeys.Hash(purpose, subject);
        var result = await _redis.EvaluateAsync(
            VerifyScript,
            [_redis.Keys.Key("otp", tag, "code")],
            [Mac(purpose, subject, code.Trim()), _options.MaxAttempts, (long)_options.CodeLifetime.TotalMilliseconds],
            cancellationToken).ConfigureAwait(false);

        var verified = (long)result switch
        {
            1 => OtpVerifyResult.Success,
            2 => OtpVerifyResult.Invalid,
            _ => OtpVerifyResult.TooManyAttempts,
        };
        if (RedisTelemetry.OtpVerifications.Enabled)
            RedisTelemetry.OtpVerifications.Add(1, new KeyValuePair<string, object?>("chat_data.otp.outcome", Outcome(verified)));
        return verified;
    }

    private static string Outcome(OtpIssueStatus status) => status switch
    {
        OtpIssueStatus.Issued => "issued",
        OtpIssueStatus.Cooldown => "cooldown",
        _ => "quota_exceeded",
    };

    private static string Outcome(OtpVerifyResult result) => result switch
    {
        OtpVerifyResult.Success => "success",
        OtpVerifyResult.Invalid => "invalid",
        _ => "too_many_attempts",
    };

    /// <summary>The MAC binds the code to its purpose and subject, so a stored value is useless anywhere else.</summary>
    private byte[] Mac(string purpose, string subject, string code) =>
        HMACSHA256.HashData(_hmacKey, Encoding.UTF8.GetBytes($"{purpose}\0{subject}\0{code}"));
}
