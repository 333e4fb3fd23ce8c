using Chat.Data.Migrations;
using Dapper;
using Npgsql;

namespace Chat.Data.Tests.Infrastructure;

/// <summary>
/// A database of its own for one test class (or test), dropped when disposed. A migrated one is
/// cloned from a template database migrated once per migration set, which takes milliseconds.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static string? _template;

    private TestDatabase(string name)
    {
        Name = name;
        ConnectionString = TestServers.ConnectionStringFor(name);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>An empty database (no schema at all), for migration tests.</summary>
    public static async Task<TestDatabase> CreateEmptyAsync()
    {
        var database = new TestDatabase(NewName());
        await ExecuteAdminAsync($"CREATE DATABASE {database.Name}");
        return database;
    }

    /// <summary>A database with every migration applied to schema <c>chat</c>.</summary>
    public static async Task<TestDatabase> CreateMigratedAsync()
    {
        var template = await EnsureTemplateAsync();
        var database = new TestDatabase(NewName());
        // The template must have no open connections; right after it is built the last ones may still be closing.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAdminAsync($"CREATE DATABASE {database.Name} TEMPLATE {template}");
                return database;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAdminAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private static string NewName() => "chatdata_test_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>
    /// Builds the template once per migration set; concurrent test processes serialise on an
    /// advisory lock, and a template half-built by a killed run (not yet marked IS_TEMPLATE) is rebuilt.
    /// </summary>
    private static async Task<string> EnsureTemplateAsync()
    {
        await TemplateGate.WaitAsync();
        try
        {
            if (_template is not null)
                return _template;

            // The scripts, and the tables the runner records them in: other bookkeeping is another template.
            var stream = MigrationStream.Chat;
            var checksums = string.Concat(stream.Scripts.Select(m => m.Checksum)) + stream.VersionTable + stream.ChecksumTable;
            var name = "chatdata_template_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(checksums)))[..12];

            await using var admin = await TestServers.OpenAdminAsync();
            await admin.ExecuteAsync("SELECT pg_advisory_lock(7357)");
            try
            {
                var ready = await admin.ExecuteScalarAsync<bool?>("SELECT datistemplate FROM pg_database WHERE datname = @name", new { name });
                if (ready != true)
                {
                    await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    await admin.ExecuteAsync($"CREATE DATABASE {name}");
                    await using (var dataSource = NpgsqlDataSource.Create(TestServers.ConnectionStringFor(name)))
                        await new ChatDataMigrator(dataSource).MigrateUpAsync();
                    await admin.ExecuteAsync($"ALTER DATABASE {name} IS_TEMPLATE true");
                }
            }
            finally
            {
                await admin.ExecuteAsync("SELECT pg_advisory_unlock(7357)");
            }
            return _template = name;
        }
        finally
        {
            TemplateGate.Release();
        }
    }

    private static async Task ExecuteAdminAsync(string sql)
    {
        await using var admin = await TestServers.OpenAdminAsync();
        await admin.ExecuteAsync(sql);
    }
}
