using Chat.Data.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chat.Data.Tests.Replicas;

/// <summary>
/// A migrated database on the primary, replayed by the streaming standby <c>./build.sh services standby up</c>
/// starts (<c>CHATDATA_TEST_PG_STANDBY</c>), with ways to see from each server's side which one ran a call's
/// statements. A missing standby fails the tests, saying how to start one.
/// </summary>
public sealed class StandbyFixture : IAsyncLifetime
{
    /// <summary>The application name of the library's connections, by which each server's activity is told apart.</summary>
    public const string ApplicationName = "chatdata-replica-tests";

    // Serialises, across test processes, the tests that pause replay on the shared standby with those that need it running.
    private const long ReplayLockKey = 7358;

    private TestDatabase? _database;

    public static string StandbyAdmin { get; } =
        Environment.GetEnvironmentVariable("CHATDATA_TEST_PG_STANDBY") is { Length: > 0 } standby ? standby : "Host=127.0.0.1;Port=55433;Username=postgres;Database=postgres";

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async Task InitializeAsync()
    {
        try
        {
            await using var standby = new NpgsqlConnection(StandbyAdmin);
            await standby.OpenAsync();
            if (!await standby.ExecuteScalarAsync<bool>("SELECT pg_is_in_recovery()"))
                throw new InvalidOperationException($"The server at {StandbyAdmin} is not a standby (pg_is_in_recovery() is false).");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"The read-replica tests need a streaming standby of the test server at {StandbyAdmin}. Start one with `./build.sh services standby up`, or set CHATDATA_TEST_PG_STANDBY.", ex);
        }
        _database = await TestDatabase.CreateMigratedAsync();
        await CaughtUpAsync();
    }

    /// <summary>Host and port of a connection string, as a multi-host entry.</summary>
    private static string HostPort(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}";
    }

    /// <summary>The test database through the primary and a standby (the test standby unless another address is given).</summary>
    public string MultiHostConnectionString(string? standbyHostPort = null) =>
        new NpgsqlConnectionStringBuilder(Database.ConnectionString)
        {
            Host = $"{HostPort(TestServers.Postgres)},{standbyHostPort ?? HostPort(StandbyAdmin)}",
            ApplicationName = ApplicationName,
        }.ConnectionString;

    /// <summary>Chat.Data reading from standbys, as a host composes it.</summary>
    public ServiceProvider Services(Action<ChatDataOptions>? configure = null, string? standbyHostPort = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddChatData(o =>
        {
            o.ConnectionString = MultiHostConnectionString(standbyHostPort);
            o.ReadFromStandbys = true;
            configure?.Invoke(o);
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>The test database on the primary, bypassing the library.</summary>
    public async Task<NpgsqlConnection> OpenPrimaryAsync()
    {
        var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<NpgsqlConnection> OpenStandbyAdminAsync()
    {
        var connection = new NpgsqlConnection(StandbyAdmin);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Waits until the standby has replayed everything the primary has written so far.</summary>
    public async Task CaughtUpAsync()
    {
        string position;
        await using (var primary = await TestServers.OpenAdminAsync())
            position = await primary.ExecuteScalarAsync<string>("SELECT pg_current_wal_insert_lsn()::text") ?? throw new InvalidOperationException("no WAL position");
        await using var standby = await OpenStandbyAdminAsync();
        for (var i = 0; i < 600; i++)
        {
            if (await standby.ExecuteScalarAsync<bool>("SELECT pg_last_wal_replay_lsn() >= @position::pg_lsn", new { position }))
                return;
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"The standby at {StandbyAdmin} did not replay up to {position} within 30 s; is replay paused (SELECT pg_wal_replay_resume())?");
    }

    /// <summary>The primary's clock: statements that start after it belong to the call that follows.</summary>
    public async Task<DateTime> ClockAsync()
    {
        await using var primary = await TestServers.OpenAdminAsync();
        return await primary.ExecuteScalarAsync<DateTime>("SELECT clock_timestamp()");
    }

    /// <summary>
    /// The statements the library's connections to the test database started on one server since
    /// <paramref name="since"/>, as that server's <c>pg_stat_activity</c> shows them (each connection's latest).
    /// </summary>
    public async Task<string[]> StatementsSinceAsync(Server server, DateTime since)
    {
        await using var connection = server == Server.Standby ? await OpenStandbyAdminAsync() : await TestServers.OpenAdminAsync();
        var statements = await connection.QueryAsync<string>(
            "SELECT query FROM pg_stat_activity WHERE datname = @db AND application_name = @app AND query_start >= @since",
            new { db = Database.Name, app = ApplicationName, since });
        return statements.ToArray();
    }

    /// <summary>Holds replay running on the standby for the test (shared with other such tests, also in other test processes).</summary>
    public async Task<IAsyncDisposable> ReplayRunningAsync()
    {
        var gate = await OpenGateAsync();
        await gate.ExecuteAsync("SELECT pg_advisory_lock_shared(@ReplayLockKey)", new { ReplayLockKey });
        // No test pauses replay while the shared lock is held: a pause left by a killed run is resumed.
        await using (var standby = await OpenStandbyAdminAsync())
            await standby.ExecuteAsync("SELECT pg_wal_replay_resume() WHERE pg_get_wal_replay_pause_state() <> 'not paused'");
        return gate;
    }

    /// <summary>Pauses replay on the standby until disposed, once no other test needs it running.</summary>
    public async Task<IAsyncDisposable> ReplayPausedAsync()
    {
        var gate = await OpenGateAsync();
        await gate.ExecuteAsync("SELECT pg_advisory_lock(@ReplayLockKey)", new { ReplayLockKey });
        await using (var standby = await OpenStandbyAdminAsync())
        {
            await standby.ExecuteAsync("SELECT pg_wal_replay_pause()");
            while (await standby.ExecuteScalarAsync<string>("SELECT pg_get_wal_replay_pause_state()") != "paused")
                await Task.Delay(10);
        }
        return new Resume(gate);
    }

    // Unpooled: closing it ends the session, and so releases its advisory lock.
    private static async Task<NpgsqlConnection> OpenGateAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestServers.Postgres) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private sealed class Resume(NpgsqlConnection gate) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using (var standby = await OpenStandbyAdminAsync())
                await standby.ExecuteAsync("SELECT pg_wal_replay_resume()");
            await gate.DisposeAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
    }
}

public enum Server
{
    Primary,
    Standby,
}
