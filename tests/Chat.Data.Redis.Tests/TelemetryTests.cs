using System.Diagnostics;
using Chat.Data.Redis.Otp;
using Chat.Data.Redis.Presence;
using Chat.Data.Redis.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Chat.Data.Redis.Tests;

/// <summary>
/// The helpers' spans and metrics as an OpenTelemetry host collects them (the SDK with its in-memory exporter).
/// Other test classes call the helpers at the same time, so each test reads only its own trace, or its own policy.
/// Cross-cutting: every helper reports through the same instruments, so these tests sit apart from any one helper's.
/// </summary>
public sealed class TelemetryTests(SingleRedisFixture fixture) : RedisTestBase(fixture), IClassFixture<SingleRedisFixture>, IDisposable
{
    private static readonly ActivitySource TestSource = new("Chat.Data.Redis.Tests.Telemetry");

    private readonly List<System.Diagnostics.Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private TracerProvider? _tracing;
    private MeterProvider? _metering;

    private TracerProvider Tracing => _tracing ??= Sdk.CreateTracerProviderBuilder()
        .AddSource("Chat.Data.Redis", TestSource.Name).AddInMemoryExporter(_spans).Build()!;

    private MeterProvider Metering => _metering ??= Sdk.CreateMeterProviderBuilder()
        .AddMeter("Chat.Data.Redis").AddInMemoryExporter(_metrics).Build()!;

    [Fact]
    public async Task A_helper_call_is_a_client_span_and_a_failed_one_carries_its_error_type()
    {
        _ = Tracing;
        var policy = RateLimitPolicy.FixedWindow("telemetry-span", 5, TimeSpan.FromMinutes(1));
        // Its own connection, to a port where no Redis listens.
        var services = RedisFixture.NewHostServices();
        services.AddChatData(o => o.ConnectionString = RedisFixture.PostgresConnectionString).AddRedis(o =>
        {
            o.Configuration = "127.0.0.1:1,connectTimeout=200";
            o.Otp.HmacKey = RedisFixture.TestHmacKey;
            o.RateLimiting.FailureMode = RateLimitFailureMode.Throw;
        });
        await using var provider = services.BuildServiceProvider();
        var down = provider.GetRequiredService<IDistributedRateLimiter>();
        using (TestSource.StartActivity("calls"))
        {
            await Get<IDistributedRateLimiter>().AcquireAsync(policy, "alice");
            await Assert.ThrowsAsync<RedisUnavailableException>(() => down.AcquireAsync(policy, "alice"));
        }
        StopCollecting();

        var root = _spans.Single(s => s.Source == TestSource);
        var spans = _spans.Where(s => s.TraceId == root.TraceId && s.Source.Name == "Chat.Data.Redis").OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(2, spans.Count);
        Assert.All(spans, s =>
        {
            Assert.Equal("distributed_rate_limiter.evaluate", s.DisplayName);
            Assert.Equal(ActivityKind.Client, s.Kind);
            Assert.Equal("redis", s.GetTagItem("db.system.name"));
        });
        Assert.Equal(ActivityStatusCode.Unset, spans[0].Status);
        Assert.Equal(ActivityStatusCode.Error, spans[1].Status);
        Assert.Equal(typeof(RedisUnavailableException).FullName, spans[1].GetTagItem("error.type"));
    }

    [Fact]
    public async Task Rate_limit_decisions_are_counted_per_policy_and_outcome()
    {
        _ = Metering;
        var policy = RateLimitPolicy.FixedWindow("telemetry-" + Guid.NewGuid().ToString("N")[..8], 2, TimeSpan.FromMinutes(1));
        var limiter = Get<IDistributedRateLimiter>();
        for (var i = 0; i < 3; i++)
            await limiter.AcquireAsync(policy, "bob");
        StopCollecting();

        var decisions = Points("chat_data.rate_limit.decisions").Where(p => Tag(p, "chat_data.rate_limit.policy") as string == policy.Name)
            .ToDictionary(p => (string)Tag(p, "chat_data.rate_limit.decision")!, p => p.GetSumLong());
        Assert.Equal(new Dictionary<string, long> { ["allowed"] = 2, ["rejected"] = 1 }, decisions);
    }

    [Fact]
    public async Task Otp_outcomes_and_presence_heartbeats_are_counted()
    {
        _ = Metering;
        var otp = Get<IOtpStore>();
        var phone = "+62" + Random.Shared.NextInt64(8_000_000_000, 8_999_999_999);
        var code = (await otp.IssueAsync("login", phone)).Code!;
        await otp.VerifyAsync("login", phone, code == "000000" ? "111111" : "000000");
        await otp.VerifyAsync("login", phone, code);
        await Get<IPresenceTracker>().HeartbeatAsync(Guid.CreateVersion7(), "web");
        StopCollecting();

        Assert.Contains(Points("chat_data.otp.issues"), p => Tag(p, "chat_data.otp.outcome") as string == "issued" && p.GetSumLong() >= 1);
        Assert.Contains(Points("chat_data.otp.verifications"), p => Tag(p, "chat_data.otp.outcome") as string == "invalid" && p.GetSumLong() >= 1);
        Assert.Contains(Points("chat_data.otp.verifications"), p => Tag(p, "chat_data.otp.outcome") as string == "success" && p.GetSumLong() >= 1);
        Assert.Contains(Points("chat_data.presence.heartbeats"), p => Tag(p, "chat_data.presence.went_online") is true && p.GetSumLong() >= 1);
    }

    private List<MetricPoint> Points(string name)
    {
        var points = new List<MetricPoint>();
        foreach (var metric in _metrics.Where(m => m.Name == name))
            foreach (var point in metric.GetMetricPoints())
                points.Add(point);
        return points;
    }

    private static object? Tag(MetricPoint point, string name)
    {
        foreach (var tag in point.Tags)
            if (tag.Key == name)
                return tag.Value;
        return null;
    }

    /// <summary>
    /// Flushes and ends collection, so the exporters' lists stop changing under the assertions (spans of other
    /// test classes keep ending on other threads).
    /// </summary>
    private void StopCollecting()
    {
        _tracing?.Dispose();
        _metering?.Dispose();
    }

    public void Dispose()
    {
        _tracing?.Dispose();
        _metering?.Dispose();
    }
}
