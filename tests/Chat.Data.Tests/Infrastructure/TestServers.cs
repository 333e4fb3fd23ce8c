using Npgsql;

namespace Chat.Data.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests run against: <c>CHATDATA_TEST_PG</c>, else a container (see
/// <see cref="TestSupport.TestServers"/>). An unreachable server fails the run; tests never skip.
/// </summary>
public static class TestServers
{
    private static readonly Lazy<NpgsqlDataSource> AdminSource = new(() => NpgsqlDataSource.Create(PostgresAdmin));

    public static string PostgresAdmin => TestSupport.TestServers.Postgres;

    /// <summary>Pooled connections to the maintenance database, for creating and dropping test databases.</summary>
    public static NpgsqlDataSource Admin => AdminSource.Value;

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
