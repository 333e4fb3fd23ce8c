using Chat.Data.Migrations;
using Npgsql;

namespace Chat.Data.Benchmarks.Host;

/// <summary>The benchmark database: its own database on the test server, so tests and samples never share its data.</summary>
internal static class BenchDatabase
{
    public const string EnvironmentVariable = "CHATDATA_TEST_PG";
    /// <summary><c>chatdata_bench</c>, or <c>CHATDATA_BENCH_DATABASE</c> for a run on data of its own.</summary>
    public static readonly string DatabaseName =
        Environment.GetEnvironmentVariable("CHATDATA_BENCH_DATABASE") is { Length: > 0 } name ? name : "chatdata_bench";
    public const string Schema = "chat";

    public static bool IsConfigured => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable));

    public static string NotConfiguredMessage =>
        $"{EnvironmentVariable} is not set. Start the test servers with ./build.sh services up and export the " +
        $"{EnvironmentVariable}=... line it prints, for example {EnvironmentVariable}='Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres'.";

    /// <summary>The test server, as the environment names it (any database on it).</summary>
    public static string ServerConnectionString =>
        IsConfigured ? Environment.GetEnvironmentVariable(EnvironmentVariable)! : throw new InvalidOperationException(NotConfiguredMessage);

    /// <summary>
    /// The benchmark database. Auto-prepare is on and the pool's reset off, as the library sets them for its own data source,
    /// so all three ways run with the same settings and the ratios measure the code, not the settings.
    /// </summary>
    public static string ConnectionString
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = DatabaseName };
            if (builder.MaxAutoPrepare == 0)
                builder.MaxAutoPrepare = 128;
            builder.NoResetOnClose = true;
            return builder.ConnectionString;
        }
    }

    /// <summary>
    /// Waits until no other benchmark run holds the server, then holds it until disposed: runs share the
    /// benchmark database, and one run's seeding or writes would spoil another's.
    /// </summary>
    public static async Task<NpgsqlConnection> LockServerAsync()
    {
        var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT pg_advisory_lock(hashtext('{DatabaseName}'))", connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>Creates the database when it is missing and applies the library's migrations.</summary>
    public static async Task CreateAndMigrateAsync()
    {
        await using (var server = NpgsqlDataSource.Create(ServerConnectionString))
        await using (var exists = server.CreateCommand("SELECT 1 FROM pg_database WHERE datname = $1"))
        {
            exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = DatabaseName });
            if (await exists.ExecuteScalarAsync() is null)
            {
                await using var create = server.CreateCommand($"CREATE DATABASE {DatabaseName}");
                await create.ExecuteNonQueryAsync();
            }
        }

        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await new ChatDataMigrator(dataSource, Schema).MigrateUpAsync();
    }
}
