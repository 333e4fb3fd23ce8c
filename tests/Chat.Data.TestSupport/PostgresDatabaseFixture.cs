using Chat.Data.Migrations;
using Npgsql;
using Xunit;

namespace Chat.Data.TestSupport;

/// <summary>
/// A migrated PostgreSQL database of its own for one test class, for tests whose subject also reads
/// PostgreSQL (the Redis helpers' caches and records, a host composing the library). Made on the server named by
/// <c>CHATDATA_TEST_PG</c> (else in a container) and dropped at the end.
/// Fails (never skips) when the server is not there.
/// </summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    public static string AdminConnectionString => TestServers.Postgres;

    public string Name { get; } = "chatdata_fixture_" + Guid.NewGuid().ToString("N")[..16];

    public string ConnectionString => new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = Name }.ConnectionString;

    public async Task InitializeAsync()
    {
        await ExecuteAdminAsync($"CREATE DATABASE {Name}");
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await new ChatDataMigrator(dataSource).MigrateUpAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAdminAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private static async Task ExecuteAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        try
        {
            await connection.OpenAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"The test PostgreSQL server is not reachable ({AdminConnectionString}). Start it with `./build.sh services up`, or set CHATDATA_TEST_PG.", ex);
        }
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
