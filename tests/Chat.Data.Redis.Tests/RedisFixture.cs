using System.Diagnostics;
using Chat.Data.Redis.Internal;
using Chat.Data.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Chat.Data.Redis.Tests;

/// <summary>
/// A connection to one of the test servers, with a key prefix of its own, so test classes never see
/// each other's keys. Fails (never skips) when the server is not there.
/// </summary>
public abstract class RedisFixture : IAsyncLifetime
{
    /// <summary>The PostgreSQL test server, for tests that need one but no database of their own.</summary>
    public static string PostgresConnectionString => TestServers.Postgres;

    /// <summary>A fixed OTP key for tests (never use a constant key in production).</summary>
    public static readonly byte[] TestHmacKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private ConnectionMultiplexer? _multiplexer;

    protected abstract string Variable { get; }

    /// <summary>The server's configuration (its environment variable, else a container's).</summary>
    protected abstract string Server { get; }

    public abstract bool IsCluster { get; }

    public string Configuration { get; private set; } = "";

    public string KeyPrefix { get; } = $"test:{Guid.NewGuid():N}"[..17] + ":";

    public IConnectionMultiplexer Multiplexer => _multiplexer ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        var configuration = Server;
        Configuration = configuration;

        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.AllowAdmin = true; // SCRIPT FLUSH
        options.SyncTimeout = 10_000; // the tests' SCANs are synchronous, on a busy 2-core machine
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(options);

        // The multiplexer reconnects in the background; give it a few seconds before calling the server missing.
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                if (_multiplexer.IsConnected && Masters().All(s => s.IsConnected))
                {
                    await _multiplexer.GetDatabase().PingAsync();
                    break;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                last = ex;
            }
            await Task.Delay(100);
        }
        if (!_multiplexer.IsConnected || Masters().Length == 0)
            throw new InvalidOperationException(
                $"Redis at {Variable}={configuration} is unreachable. Start it with `./build.sh services up` " +
                $"(`./build.sh services cluster up` for the cluster).", last);
        if (RedisConnection.IsCluster(_multiplexer) != IsCluster)
            throw new InvalidOperationException($"{Variable}={configuration} should point at a {(IsCluster ? "Redis Cluster" : "single Redis server")}.");
    }

    /// <summary>The primaries: every key lives on one of them.</summary>
    public IServer[] Masters() =>
        Multiplexer.GetEndPoints().Select(e => Multiplexer.GetServer(e)).Where(s => s.IsConnected && !s.IsReplica).ToArray();

    /// <summary>Every key of this fixture, from every primary.</summary>
    public RedisKey[] AllKeys() =>
        Masters().SelectMany(s => s.Keys(pattern: KeyPrefix + "*", pageSize: 1000)).ToArray();

    /// <summary>
    /// Chat.Data with Redis as a host would register it, sharing this fixture's connection. PostgreSQL is
    /// <paramref name="postgresConnectionString"/> (a <see cref="PostgresDatabaseFixture"/>'s), else a default
    /// that tests which never reach PostgreSQL do not use.
    /// </summary>
    public ServiceProvider CreateServices(Action<ChatDataRedisOptions>? configure = null, string? postgresConnectionString = null)
    {
        var services = NewHostServices();
        services.AddSingleton(Multiplexer); // the host's multiplexer, which AddRedis must share
        services.AddChatData(o => o.ConnectionString = postgresConnectionString ?? PostgresConnectionString).AddRedis(o =>
        {
            o.KeyPrefix = KeyPrefix;
            o.Otp.HmacKey = TestHmacKey;
            configure?.Invoke(o);
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>An empty container with what every host has: logging (here, silent).</summary>
    public static ServiceCollection NewHostServices()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        return services;
    }

    public async Task DisposeAsync()
    {
        if (_multiplexer is null)
            return;
        try
        {
            // Tidy, not required: every key has a TTL.
            var db = _multiplexer.GetDatabase();
            await Task.WhenAll(AllKeys().Select(k => db.KeyDeleteAsync(k)));
        }
        catch (RedisException)
        {
        }
        finally
        {
            await _multiplexer.DisposeAsync();
        }
    }
}

/// <summary>The single test server (<c>CHATDATA_TEST_REDIS</c>).</summary>
public sealed class SingleRedisFixture : RedisFixture
{
    protected override string Variable => "CHATDATA_TEST_REDIS";

    protected override string Server => TestServers.Redis;

    public override bool IsCluster => false;
}

/// <summary>The test Redis Cluster (<c>CHATDATA_TEST_REDIS_CLUSTER</c>).</summary>
public sealed class ClusterRedisFixture : RedisFixture
{
    protected override string Variable => "CHATDATA_TEST_REDIS_CLUSTER";

    protected override string Server => TestServers.RedisCluster;

    public override bool IsCluster => true;
}

/// <summary>
/// Base of every helper test class. Each class is abstract and has two nested subclasses, <c>Single</c>
/// and <c>Cluster</c>, so every test runs against both servers.
/// </summary>
public abstract class RedisTestBase(RedisFixture fixture) : IAsyncLifetime
{
    private readonly List<ServiceProvider> _providers = [];

    protected RedisFixture Fixture { get; } = fixture;

    protected IDatabase Db => Fixture.Multiplexer.GetDatabase();

    /// <summary>A container with its own options (and PostgreSQL database, when given); disposed after the test.</summary>
    protected IServiceProvider Services(Action<ChatDataRedisOptions>? configure = null, string? postgresConnectionString = null)
    {
        var provider = Fixture.CreateServices(configure, postgresConnectionString);
        _providers.Add(provider);
        return provider;
    }

    protected T Get<T>(Action<ChatDataRedisOptions>? configure = null)
        where T : notnull => Services(configure).GetRequiredService<T>();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
            await provider.DisposeAsync();
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing after <paramref name="timeout"/>.</summary>
    protected static Task Eventually(Func<bool> condition, TimeSpan timeout, string because) =>
        Eventually(() => Task.FromResult(condition()), timeout, because);

    /// <summary>Polls until <paramref name="condition"/> holds, failing after <paramref name="timeout"/>.</summary>
    protected static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
                Assert.Fail($"Not true after {timeout}: {because}");
            await Task.Delay(20);
        }
    }
}
