using Npgsql;

namespace Chat.Data.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests run against: <c>CHATDATA_TEST_PG</c>, or the one
/// <c>./build.sh services up</c> starts. An unreachable server fails the run; tests never skip.
/// </summary>
public static class TestServers
{
    private const string BuildShServer = "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";

    public static string PostgresAdmin { get; } = Environment.GetEnvironmentVariable("CHATDATA_TEST_PG") is { Length: > 0 } fromEnv ? fromEnv : BuildShServer;

    /// <summary>Pooled connections to the maintenance database, for creating and dropping test databases.</summary>
    public static NpgsqlDataSource Admin { get; } = NpgsqlDataSource.Create(PostgresAdmin);

    public static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = database }.ConnectionString;

    public static async Task<NpgsqlConnection> OpenAdminAsync()
    {
        try
        {
            return await Admin.OpenConnectionAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"The test PostgreSQL server is not reachable ({PostgresAdmin}). Start it with `./build.sh services up`, or set CHATDATA_TEST_PG.", ex);
        }
    }
}
