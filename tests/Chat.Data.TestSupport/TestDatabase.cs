using Chat.Data.Migrations;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chat.Data.TestSupport;

/// <summary>
/// A database of its own for one test class (or test), dropped when disposed. A migrated one is
/// cloned from a template database migrated once per migration set, which takes milliseconds: the
/// chat core's, or with the packages a test composes in (<c>chatData =&gt; chatData.AddDocuments()</c>).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static readonly Dictionary<string, string> Templates = [];

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

    /// <summary>
    /// A database with every migration applied to schema <c>chat</c>: the chat core's, and those of the packages
    /// <paramref name="compose"/> adds to the registration.
    /// </summary>
    public static async Task<TestDatabase> CreateMigratedAsync(Action<IChatDataBuilder>? compose = null)
    {
        var template = await EnsureTemplateAsync(compose ?? (_ => { }));
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

    /// <summary>Chat.Data composed the way a host composes it: a real <see cref="ServiceCollection"/> and <c>AddChatData</c>.</summary>
    public static ServiceProvider Compose(string connectionString, Action<IChatDataBuilder> compose)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        compose(services.AddChatData(o => o.ConnectionString = connectionString));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>
    /// Builds the template once per migration set; concurrent test processes serialise on an
    /// advisory lock, and a template half-built by a killed run (not yet marked IS_TEMPLATE) is rebuilt.
    /// </summary>
    private static async Task<string> EnsureTemplateAsync(Action<IChatDataBuilder> compose)
    {
        await TemplateGate.WaitAsync();
        try
        {
            // The streams the composition migrates: their scripts, and the tables the runner records them in
            // (other bookkeeping is another template).
            string key;
            await using (var composed = Compose(TestServers.Postgres, compose))
            {
                key = string.Concat(composed.GetServices<MigrationStream>().Select(stream =>
                    stream.Name + string.Concat(stream.Scripts.Select(m => m.Checksum)) + stream.VersionTable + stream.ChecksumTable));
            }
            if (Templates.TryGetValue(key, out var template))
                return template;
            var name = "chatdata_template_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..12];

            await using var admin = await TestServers.OpenAdminAsync();
            await admin.ExecuteAsync("SELECT pg_advisory_lock(7357)");
            try
            {
                var ready = await admin.ExecuteScalarAsync<bool?>("SELECT datistemplate FROM pg_database WHERE datname = @name", new { name });
                if (ready != true)
                {
                    await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    await admin.ExecuteAsync($"CREATE DATABASE {name}");
                    await using (var composed = Compose(TestServers.ConnectionStringFor(name), compose))
                        await composed.GetRequiredService<IChatDataMigrator>().MigrateUpAsync();
                    await admin.ExecuteAsync($"ALTER DATABASE {name} IS_TEMPLATE true");
                }
            }
            finally
            {
                await admin.ExecuteAsync("SELECT pg_advisory_unlock(7357)");
            }
            Templates[key] = name;
            return name;
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
