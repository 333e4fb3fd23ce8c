using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Chat.Data.Benchmarks.Baselines;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Redis.Otp;
using Chat.Data.Redis.Presence;
using Chat.Data.Redis.RateLimiting;
using Chat.Data.Redis.Typing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Chat.Data.Benchmarks.Suites;

/// <summary>
/// The Redis helpers against raw StackExchange.Redis running the same script (the baseline of each group).
/// There is no EF Core or Npgsql way for Redis. Each way has its own multiplexer, shared by its callers.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RedisBenchmarks
{
    private const string RateLimit = "Rate limit, 64 concurrent callers (per check)";
    private const string Presence = "Presence of 1,000 users";
    private const string OtpVerify = "OTP verify (a wrong code)";
    private const string Typing = "Typing list (5 typing)";

    private const int Callers = 64;
    private const int PresenceUsers = 1_000;
    private const int Typists = 5;
    private const string Purpose = "bench-login";
    // Never right: the codes have six digits.
    private const string WrongCode = "0000000";
    // Not the default chat: of the sample app, which may share the test Redis.
    private const string KeyPrefix = "bench:";

    // Allows every check (a million a second per partition): the allowed path, which writes, is the common one.
    private static readonly GcraPolicy Policy = RateLimitPolicy.Gcra("bench", 1_000_000, TimeSpan.FromSeconds(1));

    // Fixed ids, so each run renews the same keys instead of leaving new ones behind.
    private static readonly Guid[] Users = [.. Enumerable.Range(1, PresenceUsers).Select(i => new Guid($"00000000-0000-7000-8000-{i:D12}"))];
    private static readonly Guid TypingChat = new("00000000-0000-7000-8000-100000000000");

    private ServiceProvider _services = null!;
    private IDistributedRateLimiter _limiter = null!;
    private IPresenceTracker _presence = null!;
    private IOtpStore _otp = null!;
    private ITypingIndicator _typing = null!;
    private RedisByHand _byHand = null!;

    private readonly byte[] _hmacKey = RandomNumberGenerator.GetBytes(32);
    // A subject of its own per setup: a second code for one subject within the resend cooldown would be refused.
    private readonly string _subject = "bench-" + Guid.NewGuid().ToString("N");
    private readonly string[] _partitions = [.. Enumerable.Range(0, Callers).Select(i => $"user-{i}")];
    private RedisKey[] _byHandPartitions = [];
    private RedisKey _typingKey;
    private RedisKey _otpKey;

    // Synchronous wrappers: BenchmarkDotNet 0.14's in-process toolchain does not await async setup and cleanup.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var services = new ServiceCollection();
        services.AddChatData(o => { o.ConnectionString = BenchDatabase.ConnectionString; }).AddRedis(o =>
        {
            o.Configuration = BenchRedis.Configuration;
            o.KeyPrefix = KeyPrefix;
            o.Otp.HmacKey = _hmacKey;
            // Wrong codes never kill the code: every verify takes the same path.
            o.Otp.MaxAttempts = int.MaxValue;
        });
        _services = services.BuildServiceProvider();
        _limiter = _services.GetRequiredService<IDistributedRateLimiter>();
        _presence = _services.GetRequiredService<IPresenceTracker>();
        _otp = _services.GetRequiredService<IOtpStore>();
        _typing = _services.GetRequiredService<ITypingIndicator>();
        _byHand = await RedisByHand.ConnectAsync(BenchRedis.Configuration);

        // The library's key layout, so the floor reads what the library wrote; its rate limits have keys of their own.
        _byHandPartitions = [.. _partitions.Select(p => (RedisKey)$"bench-floor:rate:{{{p}}}:gcra")];
        _typingKey = $"{KeyPrefix}typing:{{{TypingChat}}}:members";
        var tag = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Purpose}\0{_subject}"))[..16]);
        _otpKey = $"{KeyPrefix}otp:{{{tag}}}:code";

        // Half the users online (a day, the longest heartbeat), the rest never seen; a few members typing.
        await Task.WhenAll(Users.Where((_, i) => i % 2 == 0).Select(u => _presence.HeartbeatAsync(u, "phone", TimeSpan.FromDays(1))));
        await Task.WhenAll(Users.Take(Typists).Select(u => _typing.StartAsync(TypingChat, u, TimeSpan.FromMinutes(10))));
        if (!(await _otp.IssueAsync(Purpose, _subject)).IsIssued)
            throw new InvalidOperationException("No code was issued for the OTP benchmarks.");

        await CheckSameResultsAsync();
    }

    private async Task CleanupAsync()
    {
        await _services.DisposeAsync();
        await _byHand.DisposeAsync();
    }

    [Benchmark(Description = "Chat.Data", OperationsPerInvoke = Callers), BenchmarkCategory(RateLimit)]
    public Task RateLimitChatData()
    {
        var checks = new Task<RateLimitDecision>[Callers];
        for (var i = 0; i < Callers; i++)
            checks[i] = _limiter.AcquireAsync(Policy, _partitions[i]);
        return Task.WhenAll(checks);
    }

    [Benchmark(Description = "RedisByHand", Baseline = true, OperationsPerInvoke = Callers), BenchmarkCategory(RateLimit)]
    public Task RateLimitByHand()
    {
        var checks = new Task<RateLimitDecision>[Callers];
        for (var i = 0; i < Callers; i++)
            checks[i] = _byHand.AcquireAsync(Policy, _byHandPartitions[i]);
        return Task.WhenAll(checks);
    }

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(Presence)]
    public Task<IReadOnlyDictionary<Guid, UserPresence>> PresenceChatData() => _presence.GetManyAsync(Users);

    [Benchmark(Description = "RedisByHand", Baseline = true), BenchmarkCategory(Presence)]
    public Task<Dictionary<Guid, UserPresence>> PresenceByHand() => _byHand.GetPresenceAsync(Users, KeyPrefix);

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(OtpVerify)]
    public Task<OtpVerifyResult> OtpVerifyChatData() => _otp.VerifyAsync(Purpose, _subject, WrongCode);

    [Benchmark(Description = "RedisByHand", Baseline = true), BenchmarkCategory(OtpVerify)]
    public Task<OtpVerifyResult> OtpVerifyByHand() => _byHand.VerifyAsync(_hmacKey, _otpKey, Purpose, _subject, WrongCode, int.MaxValue, TimeSpan.FromMinutes(5));

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(Typing)]
    public Task<IReadOnlyList<Guid>> TypingChatData() => _typing.GetTypingAsync(TypingChat);

    [Benchmark(Description = "RedisByHand", Baseline = true), BenchmarkCategory(Typing)]
    public Task<Guid[]> TypingByHand() => _byHand.GetTypingAsync(_typingKey);

    private async Task CheckSameResultsAsync()
    {
        var decisions = new[] { await _limiter.AcquireAsync(Policy, _partitions[0]), await _byHand.AcquireAsync(Policy, _byHandPartitions[0]) };
        Agree.Require(decisions.All(d => d.Allowed && !d.IsFallback), RateLimit);

        var presence = await _presence.GetManyAsync(Users);
        var byHand = await _byHand.GetPresenceAsync(Users, KeyPrefix);
        Agree.Require(presence.Count == PresenceUsers && presence.Values.Count(p => p.IsOnline) == PresenceUsers / 2 &&
            byHand.Count == PresenceUsers && byHand.All(p => presence[p.Key] == p.Value), Presence);

        Agree.Require(await _otp.VerifyAsync(Purpose, _subject, WrongCode) == OtpVerifyResult.Invalid &&
            await _byHand.VerifyAsync(_hmacKey, _otpKey, Purpose, _subject, WrongCode, int.MaxValue, TimeSpan.FromMinutes(5)) == OtpVerifyResult.Invalid, OtpVerify);

        var typing = await _typing.GetTypingAsync(TypingChat);
        Agree.Require(typing.Count == Typists && typing.ToHashSet().SetEquals(await _byHand.GetTypingAsync(_typingKey)), Typing);
    }
}
