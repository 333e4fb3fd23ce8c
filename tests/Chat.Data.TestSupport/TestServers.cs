using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.Redis;

namespace Chat.Data.TestSupport;

/// <summary>
/// The servers the tests run against. Each is the one its environment variable names (<c>./build.sh test</c>
/// starts servers on loopback and sets them), else a container Testcontainers starts on first use, once per
/// test process, and removes when the process ends. The images are <c>CHATDATA_TEST_PG_IMAGE</c> (default
/// <c>postgres:15</c>) and <c>CHATDATA_TEST_REDIS_IMAGE</c> (default <c>redis:7</c>).
/// </summary>
public static class TestServers
{
    /// <summary>Label on every container started here: the id of the test process that owns it.</summary>
    public const string OwnerLabel = "chatdata.tests.pid";

    private static readonly Lazy<Task<string>> PostgresServer = new(() => Acquire("CHATDATA_TEST_PG", StartPostgresAsync));
    private static readonly Lazy<Task<string>> RedisServer = new(() => Acquire("CHATDATA_TEST_REDIS", StartRedisAsync));
    private static readonly Lazy<Task<string>> RedisClusterServer = new(() => Acquire("CHATDATA_TEST_REDIS_CLUSTER", StartRedisClusterAsync));
    private static readonly Lazy<NpgsqlDataSource> AdminSource = new(() => NpgsqlDataSource.Create(Postgres));
    private static readonly Lazy<Task> Leftovers = new(RemoveLeftoversAsync);
    private static readonly ConcurrentQueue<IContainer> Started = new();

    /// <summary>Npgsql connection string of a PostgreSQL 15 superuser, on the maintenance database.</summary>
    public static string Postgres => Get(PostgresServer);

    /// <summary>Pooled connections to the maintenance database, for creating and dropping test databases.</summary>
    public static NpgsqlDataSource Admin => AdminSource.Value;

    /// <summary>The same server and superuser, on <paramref name="database"/>.</summary>
    public static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(Postgres) { Database = database }.ConnectionString;

    /// <summary>A connection to the maintenance database; an unreachable server fails the run (tests never skip).</summary>
    public static async Task<NpgsqlConnection> OpenAdminAsync()
    {
        try
        {
            return await Admin.OpenConnectionAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"The test PostgreSQL server is not reachable ({Postgres}). Start it with `./build.sh services up`, or set CHATDATA_TEST_PG.", ex);
        }
    }

    /// <summary>StackExchange.Redis configuration of a single Redis 7 server.</summary>
    public static string Redis => Get(RedisServer);

    /// <summary>StackExchange.Redis configuration of a 3-master Redis 7 Cluster.</summary>
    public static string RedisCluster => Get(RedisClusterServer);

    private static string PostgresImage => Image("CHATDATA_TEST_PG_IMAGE", "postgres:15");

    private static string RedisImage => Image("CHATDATA_TEST_REDIS_IMAGE", "redis:7");

    private static string Get(Lazy<Task<string>> server) => server.Value.GetAwaiter().GetResult();

    // Task.Run: the start never runs on the caller's synchronization context, so waiting on it cannot deadlock.
    private static Task<string> Acquire(string variable, Func<Task<string>> start) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment ? Task.FromResult(fromEnvironment) : Task.Run(start);

    private static string Image(string variable, string official) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment ? fromEnvironment : official;

    private static async Task<string> StartPostgresAsync()
    {
        var container = await StartAsync(() => new PostgreSqlBuilder(PostgresImage)
            .WithCommand("-c", "max_connections=300")
            .WithLabel(OwnerLabel, Environment.ProcessId.ToString())
            .WithCreateParameterModifier(OnLoopbackOnly)
            // Parallel queries use /dev/shm; Docker's default 64 MB is too small.
            .WithCreateParameterModifier(p => p.HostConfig!.ShmSize = 1L << 30)
            .Build());
        return container.GetConnectionString();
    }

    private static async Task<string> StartRedisAsync()
    {
        var container = await StartAsync(() => new RedisBuilder(RedisImage)
            .WithLabel(OwnerLabel, Environment.ProcessId.ToString())
            .WithCreateParameterModifier(OnLoopbackOnly)
            .Build());
        return container.GetConnectionString();
    }

    /// <summary>
    /// Three masters in one container, each on a free host port published 1:1 and announcing 127.0.0.1, so the
    /// node addresses the cluster hands out are the ones the test process reaches (the engine must be local).
    /// </summary>
    private static async Task<string> StartRedisClusterAsync()
    {
        var ports = FreeLoopbackPorts(3);
        await StartAsync(() =>
        {
            var builder = new ContainerBuilder(RedisImage)
                .WithResourceMapping(ClusterScript(), FilePath.Of("/usr/local/bin/chatdata-redis-cluster.sh"))
                .WithEntrypoint("sh", "/usr/local/bin/chatdata-redis-cluster.sh")
                .WithCommand(ports.Select(p => p.ToString()).ToArray())
                .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("Redis Cluster ready", w => w.WithTimeout(TimeSpan.FromMinutes(2))))
                .WithLabel(OwnerLabel, Environment.ProcessId.ToString())
                .WithCreateParameterModifier(OnLoopbackOnly);
            foreach (var port in ports)
                builder = builder.WithPortBinding(port, port);
            return builder.Build();
        });
        return string.Join(',', ports.Select(p => $"127.0.0.1:{p}"));
    }

    private static async Task<TContainer> StartAsync<TContainer>(Func<TContainer> build)
        where TContainer : IContainer
    {
        TContainer container;
        try
        {
            container = build();
        }
        catch (DockerUnavailableException ex)
        {
            throw new InvalidOperationException(
                "No test servers: set CHATDATA_TEST_PG, CHATDATA_TEST_REDIS and CHATDATA_TEST_REDIS_CLUSTER " +
                "(`./build.sh test` starts them on loopback and sets them), or start a Docker engine so the tests " +
                $"run {PostgresImage} and {RedisImage} containers.", ex);
        }
        await Leftovers.Value;
        Started.Enqueue(container);
        await container.StartAsync();
        return container;
    }

    /// <summary>
    /// Removes the containers this process started (with Ryuk off nothing else does); runs once every test has
    /// run. A process killed before that leaves them to the next run's sweep of dead processes' containers.
    /// </summary>
    public static async Task RemoveContainersAsync()
    {
        while (Started.TryDequeue(out var container))
            await container.DisposeAsync();
    }

    /// <summary>Publishes every port on 127.0.0.1 only (Docker's default is every interface).</summary>
    private static void OnLoopbackOnly(CreateContainerParameters parameters)
    {
        foreach (var binding in parameters.HostConfig?.PortBindings?.Values.SelectMany(b => b) ?? [])
            binding.HostIP = "127.0.0.1";
    }

    /// <summary>Removes the containers of test processes that ended without removing theirs (killed runs).</summary>
    private static async Task RemoveLeftoversAsync()
    {
        using var docker = TestcontainersSettings.OS.DockerEndpointAuthConfig!.GetDockerClientBuilder().Build();
        var labelled = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [OwnerLabel] = true } },
        });
        foreach (var container in labelled.Where(c => !IsRunning(c.Labels[OwnerLabel])))
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
    }

    private static bool IsRunning(string processId)
    {
        try
        {
            using var process = Process.GetProcessById(int.Parse(processId));
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            return false;
        }
    }

    private static int[] FreeLoopbackPorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners)
            listener.Start();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var listener in listeners)
            listener.Stop();
        return ports;
    }

    private static byte[] ClusterScript()
    {
        using var resource = typeof(TestServers).Assembly.GetManifestResourceStream("redis-cluster.sh")!;
        using var bytes = new MemoryStream();
        resource.CopyTo(bytes);
        return bytes.ToArray();
    }
}
