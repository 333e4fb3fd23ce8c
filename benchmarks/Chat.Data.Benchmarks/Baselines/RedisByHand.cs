using System.Security.Cryptography;
using System.Text;
using Chat.Data.Redis.Otp;
using Chat.Data.Redis.Presence;
using Chat.Data.Redis.RateLimiting;
using StackExchange.Redis;

namespace Chat.Data.Benchmarks.Baselines;

/// <summary>
/// The floor for the Redis helpers: the same Lua each helper runs, by plain StackExchange.Redis on its own
/// multiplexer (EVALSHA of a script loaded once, keys built once), with the answer read into the library's
/// records. No validation, no timeout or cancellation, no mapping of failures, no key hashing per call.
/// Presence is the exception to keys built once: its call is about the users it is given, so it builds
/// their keys, as any caller must.
/// </summary>
internal sealed class RedisByHand : IAsyncDisposable
{
    // The library's GCRA script. KEYS[1] theoretical arrival time (µs). ARGV: emission interval µs, burst, permits.
    private const string GcraScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local interval, permits = tonumber(ARGV[1]), tonumber(ARGV[3])
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
        redis.call('SET', KEYS[1], new_tat, 'PX', string.format('%d', math.max(1, math.ceil((new_tat - now) / 1000))))
        return {1, available(new_tat), 0, math.ceil(new_tat - now)}
        """;

    // The library's presence read. KEYS: (devices, last-seen) per user. Reply: live devices and last-seen ms per user.
    private const string PresenceScript = """
        local t = redis.call('TIME')
        local after_now = '(' .. string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
        local reply = {}
        for i = 1, #KEYS, 2 do
          reply[#reply + 1] = redis.call('ZCOUNT', KEYS[i], after_now, '+inf')
          reply[#reply + 1] = redis.call('GET', KEYS[i + 1])
        end
        return reply
        """;

    // The library's OTP verify. KEYS[1] code. ARGV: MAC of the answer, max attempts. Reply: 1 success, 2 invalid, 3 expired, 4 dead.
    private const string VerifyScript = """
        local code = redis.call('HMGET', KEYS[1], 'mac', 'dead')
        if code[2] then
          return 3
        end
        if code[1] and code[1] == ARGV[1] then
          redis.call('DEL', KEYS[1])
          return 1
        end
        local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
        if not code[1] and redis.call('PTTL', KEYS[1]) < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
        end
        if attempts >= tonumber(ARGV[2]) then
          redis.call('HDEL', KEYS[1], 'mac')
          redis.call('HSET', KEYS[1], 'dead', 1)
          return 3
        end
        return 2
        """;

    // The library's typing list. KEYS[1] members scored by expiry (ms). Reply: members not expired.
    private const string TypingScript = """
        local t = redis.call('TIME')
        return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)), '+inf')
        """;

    private readonly ConnectionMultiplexer _multiplexer;
    private readonly IDatabase _db;
    private readonly Script _gcra;
    private readonly Script _presence;
    private readonly Script _verify;
    private readonly Script _typing;

    private RedisByHand(ConnectionMultiplexer multiplexer, Script[] scripts)
    {
        _multiplexer = multiplexer;
        _db = multiplexer.GetDatabase();
        (_gcra, _presence, _verify, _typing) = (scripts[0], scripts[1], scripts[2], scripts[3]);
    }

    private sealed record Script(string Source, byte[] Sha1);

    public static async Task<RedisByHand> ConnectAsync(string configuration)
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration);
        var server = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
        var scripts = await Task.WhenAll(new[] { GcraScript, PresenceScript, VerifyScript, TypingScript }
            .Select(async source => new Script(source, await server.ScriptLoadAsync(source))));
        return new RedisByHand(multiplexer, scripts);
    }

    /// <summary>One permit of <paramref name="policy"/> from the partition whose state is at <paramref name="key"/>.</summary>
    public async Task<RateLimitDecision> AcquireAsync(GcraPolicy policy, RedisKey key)
    {
        var reply = await EvaluateAsync(_gcra, [key], [policy.Period.Ticks / 10.0 / policy.Limit, policy.Burst, 1]);
        return new RateLimitDecision(
            (long)reply[0] == 1, Math.Max(0, (long)reply[1]), TimeSpan.FromMicroseconds(Math.Max(0, (long)reply[2])), TimeSpan.FromMicroseconds(Math.Max(0, (long)reply[3])));
    }

    /// <summary>The presence of <paramref name="users"/>, read from the library's keys under <paramref name="keyPrefix"/>.</summary>
    public async Task<Dictionary<Guid, UserPresence>> GetPresenceAsync(Guid[] users, string keyPrefix)
    {
        var keys = new RedisKey[users.Length * 2];
        for (var i = 0; i < users.Length; i++)
        {
            keys[2 * i] = $"{keyPrefix}presence:{{{users[i]}}}:devices";
            keys[2 * i + 1] = $"{keyPrefix}presence:{{{users[i]}}}:last-seen";
        }
        var reply = await EvaluateAsync(_presence, keys, []);
        var presence = new Dictionary<Guid, UserPresence>(users.Length);
        for (var i = 0; i < users.Length; i++)
        {
            var live = (int)reply[2 * i];
            var seen = reply[2 * i + 1];
            presence[users[i]] = new UserPresence(users[i], live > 0, live, seen.IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)seen));
        }
        return presence;
    }

    /// <summary>Checks a code against the MAC stored at <paramref name="key"/>, as the library binds it to purpose and subject.</summary>
    public async Task<OtpVerifyResult> VerifyAsync(byte[] hmacKey, RedisKey key, string purpose, string subject, string code, int maxAttempts, TimeSpan codeLifetime)
    {
        var mac = HMACSHA256.HashData(hmacKey, Encoding.UTF8.GetBytes($"{purpose}\0{subject}\0{code}"));
        return (long)await EvaluateAsync(_verify, [key], [mac, maxAttempts, (long)codeLifetime.TotalMilliseconds]) switch
        {
            1 => OtpVerifyResult.Success,
            2 => OtpVerifyResult.Invalid,
            _ => OtpVerifyResult.TooManyAttempts,
        };
    }

    /// <summary>The members typing in the chat whose members key is <paramref name="key"/>.</summary>
    public async Task<Guid[]> GetTypingAsync(RedisKey key)
    {
        var members = ((RedisValue[]?)await EvaluateAsync(_typing, [key], []))!;
        return Array.ConvertAll(members, member => Guid.Parse((string)member!));
    }

    /// <summary>EVALSHA; the source once more if the server lost the script (a test's SCRIPT FLUSH, a restart).</summary>
    private async Task<RedisResult> EvaluateAsync(Script script, RedisKey[] keys, RedisValue[] arguments)
    {
        try
        {
            return await _db.ScriptEvaluateAsync(script.Sha1, keys, arguments);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await _db.ScriptEvaluateAsync(script.Source, keys, arguments);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _multiplexer.DisposeAsync();
    }
}
