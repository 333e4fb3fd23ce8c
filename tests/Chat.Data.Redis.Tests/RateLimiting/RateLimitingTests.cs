using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Chat.Data.Redis.RateLimiting;

namespace Chat.Data.Redis.Tests.RateLimiting;

public abstract class RateLimitingTests(RedisFixture fixture) : RedisTestBase(fixture)
{
    public sealed class Single(SingleRedisFixture fixture) : RateLimitingTests(fixture), IClassFixture<SingleRedisFixture>;

    public sealed class Cluster(ClusterRedisFixture fixture) : RateLimitingTests(fixture), IClassFixture<ClusterRedisFixture>;

    /// <summary>Each algorithm with room for exactly 100 permits during a test (refills are far too slow to add one).</summary>
    public static TheoryData<string> Algorithms => ["fixed", "sliding", "bucket", "gcra"];

    private static RateLimitPolicy Policy(string algorithm, int limit, string? name = null) => algorithm switch
    {
        "fixed" => RateLimitPolicy.FixedWindow(name ?? "fixed", limit, TimeSpan.FromMinutes(5)),
        "sliding" => RateLimitPolicy.SlidingWindow(name ?? "sliding", limit, TimeSpan.FromMinutes(5)),
        "bucket" => RateLimitPolicy.TokenBucket(name ?? "bucket", limit, limit, TimeSpan.FromHours(1)),
        "gcra" => RateLimitPolicy.Gcra(name ?? "gcra", limit, TimeSpan.FromHours(1)),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    private static string NewPartition() => "user:" + Guid.NewGuid();

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Sixty_four_concurrent_callers_against_a_limit_of_100_get_exactly_100(string algorithm)
    {
        var limiter = Get<IDistributedRateLimiter>();
        var policy = Policy(algorithm, 100);
        var partition = NewPartition();

        var decisions = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            var mine = new List<RateLimitDecision>();
            for (var i = 0; i < 4; i++)
                mine.Add(await limiter.AcquireAsync(policy, partition));
            return mine;
        })));

        var all = decisions.SelectMany(d => d).ToArray();
        Assert.Equal(256, all.Length);
        Assert.Equal(100, all.Count(d => d.Allowed));
        Assert.All(all, d => Assert.False(d.IsFallback));
        Assert.All(all.Where(d => !d.Allowed), d => Assert.True(d.RetryAfter > TimeSpan.Zero));
        Assert.Equal(Enumerable.Range(0, 100).Reverse().Select(i => (long)i), all.Where(d => d.Allowed).Select(d => d.Remaining).Order().Reverse());
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Several_permits_are_taken_at_once_or_not_at_all(string algorithm)
    {
        var limiter = Get<IDistributedRateLimiter>();
        var policy = Policy(algorithm, 10);
        var partition = NewPartition();

        Assert.Equal((true, 6L), Summary(await limiter.AcquireAsync(policy, partition, 4)));
        Assert.Equal((true, 2L), Summary(await limiter.AcquireAsync(policy, partition, 4)));
        var denied = await limiter.AcquireAsync(policy, partition, 4);
        Assert.Equal((false, 2L), Summary(denied));
        Assert.True(denied.RetryAfter > TimeSpan.Zero);
        Assert.Equal((true, 0L), Summary(await limiter.AcquireAsync(policy, partition, 2)));
        Assert.False((await limiter.PeekAsync(policy, partition)).Allowed);

        static (bool, long) Summary(RateLimitDecision d) => (d.Allowed, d.Remaining);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task The_same_partition_under_two_policies_does_not_share_a_counter(string algorithm)
    {
        var limiter = Get<IDistributedRateLimiter>();
        var (login, send) = (Policy(algorithm, 1, "login"), Policy(algorithm, 1, "send"));
        var partition = NewPartition();

        Assert.True((await limiter.AcquireAsync(login, partition)).Allowed);
        Assert.True((await limiter.AcquireAsync(send, partition)).Allowed);
        Assert.False((await limiter.AcquireAsync(login, partition)).Allowed);
        Assert.False((await limiter.AcquireAsync(send, partition)).Allowed);

        await limiter.ResetAsync(login, partition);
        Assert.True((await limiter.AcquireAsync(login, partition)).Allowed);
        Assert.False((await limiter.AcquireAsync(send, partition)).Allowed);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Peek_takes_nothing(string algorithm)
    {
        var limiter = Get<IDistributedRateLimiter>();
        var policy = Policy(algorithm, 2);
        var partition = NewPartition();

        var fresh = await limiter.PeekAsync(policy, partition);
        Assert.True(fresh.Allowed);
        Assert.Equal(2, fresh.Remaining);
        await limiter.AcquireAsync(policy, partition);
        Assert.Equal(1, (await limiter.PeekAsync(policy, partition)).Remaining);
        Assert.Equal(1, (await limiter.PeekAsync(policy, partition)).Remaining);
    }

    [Fact]
    public async Task A_partition_key_is_kept_only_as_its_SHA256_hash()
    {
        var limiter = Get<IDistributedRateLimiter>();
        // Braces (a hash tag), spaces, non-ASCII text and one past the 256 bytes a short key takes on the stack.
        string[] partitions = ["{tag} +62 811 " + Guid.NewGuid(), "Zoë 🚀 " + Guid.NewGuid(), new string('é', 200) + Guid.NewGuid()];

        foreach (var partition in partitions)
        {
            await limiter.AcquireAsync(Policy("gcra", 10, "hashed"), partition);
            // The platform's SHA-256, so the keys stay those of earlier versions.
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(partition))[..16]);
            Assert.True(await Db.KeyExistsAsync($"{Fixture.KeyPrefix}rate:hashed:{{{hash}}}:gcra"), partition);
        }
    }

    [Fact]
    public async Task A_partition_keeps_its_counter_after_more_partitions_than_the_limiter_keeps_hashes_of()
    {
        var limiter = Get<IDistributedRateLimiter>();
        var policy = Policy("gcra", 10, "many");
        var partition = NewPartition();
        var first = await limiter.AcquireAsync(policy, partition);

        // Past the 10,000 recent partitions whose hashes are kept: the first one's is made again.
        await Task.WhenAll(Enumerable.Range(0, 10_001).Select(_ => limiter.PeekAsync(policy, NewPartition())));

        Assert.Equal(first.Remaining - 1, (await limiter.AcquireAsync(policy, partition)).Remaining);
    }

    [Fact]
    public async Task A_policy_is_checked_once_and_a_changed_copy_again()
    {
        var limiter = Get<IDistributedRateLimiter>();
        var policy = RateLimitPolicy.FixedWindow("checked-once", 5, TimeSpan.FromMinutes(1));
        Assert.True((await limiter.AcquireAsync(policy, NewPartition())).Allowed);

        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => limiter.AcquireAsync(policy with { PermitLimit = 0 }, NewPartition()));
        Assert.Equal("policy.PermitLimit", error.Field);
        var renamed = policy with { Name = "checked-twice" };
        Assert.True((await limiter.AcquireAsync(renamed, NewPartition())).Allowed);
        Assert.NotEqual(policy, renamed);
        // What a policy keeps after its first use is no part of its value.
        var twin = RateLimitPolicy.FixedWindow("checked-once", 5, TimeSpan.FromMinutes(1));
        Assert.Equal(policy, twin);
        Assert.Equal(policy.GetHashCode(), twin.GetHashCode());
        Assert.NotEqual<RateLimitPolicy>(policy, RateLimitPolicy.SlidingWindow("checked-once", 5, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_fixed_window_reopens_when_it_ends()
    {
        var limiter = Get<IDistributedRateLimiter>();
        var policy = RateLimitPolicy.FixedWindow("short-window", 2, TimeSpan.FromSeconds(1));
        var partition = NewPartition();
        await limiter.AcquireAsync(policy, partition);
        await limiter.AcquireAsync(policy, partition);

        var denied = await limiter.AcquireAsync(policy, partition);

        Assert.False(denied.Allowed);
        Assert.InRange(denied.RetryAfter, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        Assert.Equal(denied.RetryAfter, denied.ResetAfter);
        await Task.Delay(denied.RetryAfter + TimeSpan.FromMilliseconds(20));
        Assert.True((await limiter.AcquireAsync(policy, partition)).Allowed);
    }

    [Fact]
    public async Task A_sliding_window_frees_each_permit_a_window_after_it_was_taken()
    {
        var limiter = Get<IDistributedRateLimiter>();
        var policy = RateLimitPolicy.SlidingWindow("sliding-short", 2, TimeSpan.FromMilliseconds(1500));
        var partition = NewPartition();
        await limiter.AcquireAsync(policy, partition);
        var sinceFirst = Stopwatch.StartNew(); // started after the first permit was taken
        await Task.Delay(100);
        await limiter.AcquireAsync(policy, partition);

        var atLeast = sinceFirst.Elapsed;
        var denied = await limiter.AcquireAsync(policy, partition);

        Assert.False(denied.Allowed);
        // The first permit leaves the window 1.5 s after it was taken, which was at least `atLeast` ago.
        Assert.InRange(denied.RetryAfter, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1500) - atLeast);
        Assert.True(denied.ResetAfter > denied.RetryAfter);
        await Task.Delay(denied.RetryAfter + TimeSpan.FromMilliseconds(20));
        Assert.True((await limiter.AcquireAsync(policy, partition)).Allowed);
    }

    [Fact]
    public async Task A_token_bucket_refills_at_its_rate()
    {
        var limiter = Get<IDistributedRateLimiter>();
        // 4 tokens per 4 seconds: one every second.
        var policy = RateLimitPolicy.TokenBucket("bucket-rate", 4, 4, TimeSpan.FromSeconds(4));
        var partition = NewPartition();
        var sinceFirst = Stopwatch.StartNew();
        Assert.True((await limiter.AcquireAsync(policy, partition, 4)).Allowed);
        var sinceDrained = Stopwatch.StartNew();

        var denied = await limiter.AcquireAsync(policy, partition);
        var atMost = sinceFirst.Elapsed; // the drain and this check are at most this far apart

        // The next token comes 1 s after the drain: a wrong rate could not land in this range.
        Assert.False(denied.Allowed);
        Assert.InRange(denied.RetryAfter, TimeSpan.FromSeconds(1) - atMost, TimeSpan.FromSeconds(1));

        await Task.Delay(2100);
        var lower = sinceDrained.Elapsed;
        var peek = await limiter.PeekAsync(policy, partition);
        var upper = sinceFirst.Elapsed;
        // Tokens now = 1 per second of elapsed time, whole tokens counted, capped at 4.
        Assert.InRange(peek.Remaining, (long)Math.Floor(lower.TotalSeconds), Math.Min(4, (long)Math.Floor(upper.TotalSeconds)));
        Assert.True((await limiter.AcquireAsync(policy, partition, 2)).Allowed);
    }

    [Fact]
    public async Task GCRA_gives_the_exact_retry_after()
    {
        var limiter = Get<IDistributedRateLimiter>();
        // 5 per second, bursts of 5: one permit every 200 ms.
        var policy = RateLimitPolicy.Gcra("gcra-retry", 5, TimeSpan.FromSeconds(1), burst: 5);
        var partition = NewPartition();
        var clock = Stopwatch.StartNew();
        var burst = await limiter.AcquireAsync(policy, partition, 5);
        Assert.True(burst.Allowed);
        Assert.Equal(0, burst.Remaining);
        Assert.InRange(burst.ResetAfter, TimeSpan.FromMilliseconds(999), TimeSpan.FromSeconds(1));

        var denied = await limiter.AcquireAsync(policy, partition, 3);
        var atMost = clock.Elapsed; // the burst and this check are at most this far apart

        // Three permits need three intervals (600 ms) after the burst, less the time since.
        Assert.False(denied.Allowed);
        Assert.InRange(denied.RetryAfter, TimeSpan.FromMilliseconds(600) - atMost, TimeSpan.FromMilliseconds(600));

        await Task.Delay(denied.RetryAfter + TimeSpan.FromMilliseconds(5)); // Task.Delay drops fractions of a millisecond
        Assert.True((await limiter.AcquireAsync(policy, partition, 3)).Allowed);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Every_key_carries_a_ttl(string algorithm)
    {
        var limiter = Get<IDistributedRateLimiter>(o => o.KeyPrefix = $"{Fixture.KeyPrefix}ttl-{algorithm}:");
        await limiter.AcquireAsync(Policy(algorithm, 10), NewPartition(), 3);

        var keys = Fixture.Masters().SelectMany(s => s.Keys(pattern: $"{Fixture.KeyPrefix}ttl-{algorithm}:*")).ToArray();

        Assert.Single(keys);
        var ttl = await Db.KeyTimeToLiveAsync(keys[0]);
        Assert.NotNull(ttl);
        Assert.True(ttl > TimeSpan.Zero);
    }

    [Fact]
    public async Task The_RateLimiter_adapter_acquires_asynchronously_and_fails_fast_synchronously()
    {
        var limiter = Get<IDistributedRateLimiter>();
        using var rateLimiter = new RedisRateLimiter(limiter, RateLimitPolicy.FixedWindow("adapter", 2, TimeSpan.FromMinutes(1)), NewPartition());

        using (var sync = rateLimiter.AttemptAcquire())
        {
            Assert.False(sync.IsAcquired);
            Assert.True(sync.TryGetMetadata(MetadataName.ReasonPhrase, out var reason));
            Assert.Contains("AcquireAsync", reason);
        }
        using (var first = await rateLimiter.AcquireAsync())
            Assert.True(first.IsAcquired);
        using (var peek = await rateLimiter.AcquireAsync(0))
            Assert.True(peek.IsAcquired);
        using (var second = await rateLimiter.AcquireAsync())
        {
            Assert.True(second.IsAcquired);
            Assert.True(second.TryGetMetadata(RedisRateLimiter.DecisionMetadataName, out var decision));
            Assert.Equal(0, decision!.Remaining);
        }
        using (var third = await rateLimiter.AcquireAsync())
        {
            Assert.False(third.IsAcquired);
            Assert.True(third.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
            Assert.InRange(retryAfter, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1));
        }
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await rateLimiter.AcquireAsync(3));

        var statistics = rateLimiter.GetStatistics()!;
        Assert.Equal(3, statistics.TotalSuccessfulLeases);
        Assert.Equal(1, statistics.TotalFailedLeases);
        Assert.Equal(0, statistics.CurrentAvailablePermits);
        Assert.NotNull(rateLimiter.IdleDuration);
    }

    [Fact]
    public async Task The_partitioned_adapter_limits_each_partition_and_exempts_null()
    {
        var limiter = Get<IDistributedRateLimiter>();
        var prefix = Guid.NewGuid().ToString("N");
        using var partitioned = new RedisPartitionedRateLimiter<string?>(
            limiter, RateLimitPolicy.Gcra("partitioned", 1, TimeSpan.FromMinutes(1)), resource => resource is null ? null : prefix + resource);

        Assert.False(partitioned.AttemptAcquire("alice").IsAcquired);
        Assert.True((await partitioned.AcquireAsync("alice")).IsAcquired);
        Assert.False((await partitioned.AcquireAsync("alice")).IsAcquired);
        Assert.True((await partitioned.AcquireAsync("bob")).IsAcquired);
        for (var i = 0; i < 3; i++)
            Assert.True((await partitioned.AcquireAsync(null)).IsAcquired);
    }
}
