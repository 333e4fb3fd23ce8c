using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Chat.Data.Redis.Events;
using Chat.Data.Redis.Presence;
using Chat.Data.Redis.RateLimiting;
using Chat.Data.Redis.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Chat.Data.Redis.Tests;

/// <summary>
/// Stops and restarts a redis-server of the test's own (on a free loopback port, never the shared
/// servers) and checks the failure policies while it is down and that the helpers recover after.
/// Cross-cutting: one outage seen by every helper at once, so it is not any one folder's.
/// </summary>
public sealed class RestartTests(PostgresDatabaseFixture database) : IAsyncLifetime, IClassFixture<PostgresDatabaseFixture>
{
    private readonly int _port = FreePort();
    private Process? _server;

    public async Task InitializeAsync() => await StartServerAsync();

    public Task DisposeAsync()
    {
        StopServer();
        return Task.CompletedTask;
    }

    private ServiceProvider Build(Action<ChatDataRedisOptions>? configure = null)
    {
        var services = RedisFixture.NewHostServices();
        services.AddChatData(o => o.ConnectionString = database.ConnectionString).AddRedis(o =>
        {
            o.Configuration = $"127.0.0.1:{_port},connectTimeout=1000,asyncTimeout=2000";
            o.Otp.HmacKey = RedisFixture.TestHmacKey;
            configure?.Invoke(o);
        });
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task While_Redis_is_down_each_helper_follows_its_failure_policy_and_all_recover_after_a_restart()
    {
        await using var services = Build(); // defaults: rate limiting fails open, revocation fails closed
        await using var strict = Build(o =>
        {
            o.RateLimiting.FailureMode = RateLimitFailureMode.Throw;
            o.Sessions.FailureMode = RevocationFailureMode.Throw;
        });
        await using var closed = Build(o => o.RateLimiting.FailureMode = RateLimitFailureMode.Deny);
        var presence = services.GetRequiredService<IPresenceTracker>();
        var limiter = services.GetRequiredService<IDistributedRateLimiter>();
        var sessions = services.GetRequiredService<ISessionRevocationList>();
        var bus = services.GetRequiredService<IChatEventBus>();
        var policy = RateLimitPolicy.TokenBucket("restart", 5, 5, TimeSpan.FromMinutes(1));
        var user = Guid.CreateVersion7();

        Assert.True((await presence.HeartbeatAsync(user, "web")).WentOnline);
        Assert.False((await limiter.AcquireAsync(policy, "alice")).IsFallback);
        Assert.False((await sessions.CheckAsync("iss", "jti", user, DateTimeOffset.UtcNow)).IsRevoked);
        var received = new ConcurrentQueue<string>();
        await using var subscription = await bus.SubscribeToUserAsync(user, e => { received.Enqueue(e.GetText()); return Task.CompletedTask; });
        // Make sure every connection (strict, closed) exists before the server goes.
        await strict.GetRequiredService<IPresenceTracker>().GetAsync(user);
        await closed.GetRequiredService<IPresenceTracker>().GetAsync(user);

        StopServer();

        var down = await Assert.ThrowsAsync<RedisUnavailableException>(() => presence.HeartbeatAsync(user, "web"));
        Assert.True(down.IsTransient);
        var open = await limiter.AcquireAsync(policy, "alice");
        Assert.True(open.Allowed);
        Assert.True(open.IsFallback);
        var denied = await closed.GetRequiredService<IDistributedRateLimiter>().AcquireAsync(policy, "alice");
        Assert.False(denied.Allowed);
        Assert.True(denied.IsFallback);
        Assert.Equal(new RevocationStatus(true, RevocationReason.RedisUnavailable), await sessions.CheckAsync("iss", "jti", user, DateTimeOffset.UtcNow));
        await Assert.ThrowsAsync<RedisUnavailableException>(() => strict.GetRequiredService<IDistributedRateLimiter>().AcquireAsync(policy, "alice"));
        await Assert.ThrowsAsync<RedisUnavailableException>(() => strict.GetRequiredService<ISessionRevocationList>().CheckAsync("iss", "jti", user, DateTimeOffset.UtcNow));
        await Assert.ThrowsAsync<RedisUnavailableException>(() => bus.PublishToUserAsync(user, "lost"));
        Assert.Equal(HealthStatus.Unhealthy, (await CheckHealthAsync(services)).Status);

        await StartServerAsync(); // empty: no keys, no scripts

        // Back without a host restart: the connection reconnects, EVALSHA meets an empty script cache.
        await Until(async () => (await presence.HeartbeatAsync(user, "web")).WentOnline, "presence works again");
        Assert.False((await limiter.AcquireAsync(policy, "alice")).IsFallback);
        Assert.False((await sessions.CheckAsync("iss", "jti", user, DateTimeOffset.UtcNow)).IsRevoked);
        Assert.Equal(HealthStatus.Healthy, (await CheckHealthAsync(services)).Status);
        await Until(async () =>
        {
            await bus.PublishToUserAsync(user, "back");
            await Task.Delay(100);
            return received.Contains("back");
        }, "the subscription is restored");
    }

    [Fact]
    public async Task Revocations_survive_a_Redis_restart_that_loses_every_key()
    {
        await using var services = Build();
        var sessions = services.GetRequiredService<ISessionRevocationList>();
        var (user, now) = (Guid.CreateVersion7(), DateTimeOffset.UtcNow);
        await sessions.RevokeTokenAsync("iss", "stolen", now.AddHours(1));
        await sessions.RevokeAllBeforeAsync(user, now);

        StopServer();
        await StartServerAsync(); // no persistence: it comes back empty

        await Until(async () => (await sessions.CheckAsync("iss", "stolen", Guid.CreateVersion7(), now)).Reason == RevocationReason.TokenRevoked,
            "the revoked token is still revoked");
        Assert.Equal(RevocationReason.UserTokensRevoked, (await sessions.CheckAsync("iss", "old", user, now.AddMinutes(-1))).Reason);
        Assert.False((await sessions.CheckAsync("iss", "new", user, now.AddSeconds(1))).IsRevoked);
    }

    private static async Task<HealthCheckResult> CheckHealthAsync(IServiceProvider services)
    {
        var registration = services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Single(r => r.Name == "chat-data-redis");
        return await registration.Factory(services).CheckHealthAsync(new HealthCheckContext { Registration = registration });
    }

    private static async Task Until(Func<Task<bool>> attempt, string what)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                if (await attempt())
                    return;
            }
            catch (RedisUnavailableException ex)
            {
                last = ex;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"Not recovered after 20 s: {what}. Last error: {last?.Message}");
    }

    private async Task StartServerAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", _port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            _server = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed: run `./build.sh services up` once (it installs Redis), or `apt-get install -y redis-server`.", ex);
        }
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, _port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10) && !_server.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    private void StopServer()
    {
        if (_server is null)
            return;
        if (!_server.HasExited)
        {
            _server.Kill();
            _server.WaitForExit();
        }
        _server.Dispose();
        _server = null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
