using Chat.Data.Migrations;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Chat.Data.Tests.Migrations;

/// <summary>Each test gets an empty database of its own (xunit makes a class instance per test).</summary>
public sealed class MigratorTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private NpgsqlDataSource _dataSource = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateEmptyAsync();
        _dataSource = NpgsqlDataSource.Create(_database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _database.DisposeAsync();
    }

    private static readonly Migration[] ThreeTables =
    [
        new(1, "alpha", "CREATE TABLE alpha (id int PRIMARY KEY);", "DROP TABLE alpha;"),
        new(2, "beta", "CREATE TABLE beta (id int PRIMARY KEY, alpha_id int REFERENCES alpha);", "DROP TABLE beta;"),
        new(3, "gamma", "CREATE TABLE gamma (id int PRIMARY KEY);", "DROP TABLE gamma;"),
    ];

    [Fact]
    public async Task Up_applies_every_embedded_migration_and_records_checksum_and_duration()
    {
        var runs = await new ChatDataMigrator(_dataSource).MigrateUpAsync();

        Assert.Equal(Migration.Embedded.Select(m => m.Version), runs.Select(r => r.Version));
        await using var connection = await _dataSource.OpenConnectionAsync();
        var history = (await connection.QueryAsync<(long Version, string Checksum, long DurationMs)>(
            "SELECT version, checksum, duration_ms FROM chat.schema_migrations ORDER BY version")).ToList();
        Assert.Equal(Migration.Embedded.Select(m => (m.Version, m.Checksum)), history.Select(h => (h.Version, h.Checksum)));
        Assert.All(history, h => Assert.True(h.DurationMs >= 0));
        Assert.Empty(await new ChatDataMigrator(_dataSource).MigrateUpAsync());
    }

    [Fact]
    public async Task Eight_runners_started_at_once_apply_each_migration_exactly_once()
    {
        var sources = Enumerable.Range(0, 8).Select(_ => NpgsqlDataSource.Create(_database.ConnectionString)).ToList();
        try
        {
            using var start = new ManualResetEventSlim();
            var runners = sources.Select(source => Task.Run(async () =>
            {
                start.Wait();
                return await new ChatDataMigrator(source).MigrateUpAsync();
            })).ToList();
            start.Set();
            var results = await Task.WhenAll(runners);

            var applied = results.SelectMany(r => r).Select(r => r.Version).OrderBy(v => v);
            Assert.Equal(Migration.Embedded.Select(m => m.Version), applied);
            await using var connection = await _dataSource.OpenConnectionAsync();
            Assert.Equal(Migration.Embedded.Count, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM chat.schema_migrations"));
        }
        finally
        {
            foreach (var source in sources)
                await source.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_edited_applied_script_is_refused_with_an_error_naming_the_file()
    {
        await new ChatDataMigrator(_dataSource, "chat", ThreeTables, null).MigrateUpAsync();
        Migration[] edited = [ThreeTables[0], ThreeTables[1] with { UpSql = "CREATE TABLE beta (id bigint PRIMARY KEY);" }, ThreeTables[2]];
        var migrator = new ChatDataMigrator(_dataSource, "chat", edited, null);

        var up = await Assert.ThrowsAsync<MigrationException>(() => migrator.MigrateUpAsync());
        var down = await Assert.ThrowsAsync<MigrationException>(() => migrator.MigrateDownAsync());

        Assert.Equal("0002_beta.up.sql", up.FileName);
        Assert.Contains("0002_beta.up.sql", up.Message);
        Assert.Equal("0002_beta.up.sql", down.FileName);
        Assert.Equal(MigrationState.Modified, (await migrator.GetStatusAsync()).Single(s => s.Version == 2).State);
    }

    [Fact]
    public void A_change_of_line_endings_alone_is_not_an_edit_but_a_change_of_text_is()
    {
        Assert.Equal(new Migration(1, "alpha", "a\nb", "c").Checksum, new Migration(1, "alpha", "a\r\nb", "c").Checksum);
        Assert.NotEqual(new Migration(1, "alpha", "a\nb", "c").Checksum, new Migration(1, "alpha", "a\nB", "c").Checksum);
        Assert.NotEqual(new Migration(1, "alpha", "a", "c").Checksum, new Migration(1, "alpha", "a", "d").Checksum);
    }

    [Fact]
    public async Task Up_down_to_zero_and_up_again_leaves_an_identical_schema()
    {
        var migrator = new ChatDataMigrator(_dataSource);
        await migrator.MigrateUpAsync();
        var first = await CatalogDumpAsync("chat");

        var reverted = await migrator.MigrateDownToAsync(0);
        var empty = await CatalogDumpAsync("chat");
        await migrator.MigrateUpAsync();
        var second = await CatalogDumpAsync("chat");

        Assert.Equal(Migration.Embedded.Select(m => m.Version).Reverse(), reverted.Select(r => r.Version));
        Assert.Contains("table users", first);
        Assert.DoesNotContain("table users", empty);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Every_down_script_reverts_its_own_up_script()
    {
        var migrator = new ChatDataMigrator(_dataSource);
        await migrator.MigrateUpAsync(Migration.Embedded[0].Version);
        await migrator.MigrateDownAsync(1);
        var before = await CatalogDumpAsync("chat");
        foreach (var migration in Migration.Embedded)
        {
            await migrator.MigrateUpAsync(migration.Version);
            var applied = await CatalogDumpAsync("chat");
            await migrator.MigrateDownAsync(1);
            Assert.Equal(before, await CatalogDumpAsync("chat"));
            await migrator.MigrateUpAsync(migration.Version);
            Assert.Equal(applied, await CatalogDumpAsync("chat"));
            before = applied;
        }
    }

    [Fact]
    public async Task Up_to_a_target_down_by_steps_and_down_to_a_target()
    {
        var migrator = new ChatDataMigrator(_dataSource, "chat", ThreeTables, null);

        Assert.Equal([1L, 2L], (await migrator.MigrateUpAsync(2)).Select(r => r.Version));
        Assert.Equal([MigrationState.Applied, MigrationState.Applied, MigrationState.Pending], (await migrator.GetStatusAsync()).Select(s => s.State));
        Assert.Equal([3L], (await migrator.MigrateUpAsync()).Select(r => r.Version));
        Assert.Equal([3L, 2L], (await migrator.MigrateDownAsync(2)).Select(r => r.Version));
        Assert.Equal([2L, 3L], (await migrator.MigrateUpAsync()).Select(r => r.Version));
        Assert.Equal([3L, 2L], (await migrator.MigrateDownToAsync(1)).Select(r => r.Version));
        Assert.Equal(["alpha"], await TablesAsync("chat"));
    }

    [Fact]
    public async Task Status_before_anything_ran_lists_every_migration_as_pending_without_creating_anything()
    {
        var status = await new ChatDataMigrator(_dataSource).GetStatusAsync();

        Assert.All(status, s => Assert.Equal(MigrationState.Pending, s.State));
        Assert.Equal(Migration.Embedded.Count, status.Count);
        Assert.Empty(await TablesAsync("chat"));
    }

    [Fact]
    public async Task A_migration_applied_by_a_newer_library_shows_as_unknown_and_cannot_be_reverted_by_this_one()
    {
        await new ChatDataMigrator(_dataSource, "chat", ThreeTables, null).MigrateUpAsync();
        var older = new ChatDataMigrator(_dataSource, "chat", ThreeTables[..2], null);

        Assert.Equal(MigrationState.Unknown, (await older.GetStatusAsync()).Single(s => s.Version == 3).State);
        Assert.Empty(await older.MigrateUpAsync());
        var error = await Assert.ThrowsAsync<MigrationException>(() => older.MigrateDownAsync());
        Assert.Contains("0003", error.Message);
    }

    [Fact]
    public async Task A_failing_script_rolls_back_entirely_and_names_the_file()
    {
        Migration[] broken = [ThreeTables[0], new(2, "broken", "CREATE TABLE half (id int); SELECT no_such_function();", "DROP TABLE half;")];
        var migrator = new ChatDataMigrator(_dataSource, "chat", broken, null);

        var error = await Assert.ThrowsAsync<MigrationException>(() => migrator.MigrateUpAsync());

        Assert.Equal("0002_broken.up.sql", error.FileName);
        Assert.Equal(["alpha"], await TablesAsync("chat"));
        Assert.Equal([MigrationState.Applied, MigrationState.Pending], (await migrator.GetStatusAsync()).Select(s => s.State));
    }

    [Fact]
    public async Task Up_to_a_version_that_does_not_exist_is_refused()
    {
        await Assert.ThrowsAsync<MigrationException>(() => new ChatDataMigrator(_dataSource).MigrateUpAsync(9999));
        Assert.Empty(await TablesAsync("chat"));
    }

    [Fact]
    public async Task Two_schemas_side_by_side_in_one_database_are_independent()
    {
        await new ChatDataMigrator(_dataSource, "chat").MigrateUpAsync();
        await new ChatDataMigrator(_dataSource, "tenant_b").MigrateUpAsync();
        await using var connection = await _dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("INSERT INTO tenant_b.users (id, username, display_name) VALUES (gen_random_uuid(), 'only_in_b', 'B')");

        await new ChatDataMigrator(_dataSource, "chat").MigrateDownToAsync(0);

        Assert.DoesNotContain("users", await TablesAsync("chat"));
        Assert.Contains("users", await TablesAsync("tenant_b"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM tenant_b.users"));
    }

    [Theory]
    [InlineData("Chat")]
    [InlineData("chat; DROP SCHEMA public")]
    [InlineData("")]
    [InlineData("1chat")]
    [InlineData("chat\n")]
    public void Schema_names_that_are_not_plain_identifiers_are_refused(string schema)
    {
        var error = Assert.Throws<ChatDataValidationException>(() => new ChatDataMigrator(_dataSource, schema));
        Assert.Equal("Schema", error.Field);
    }

    private async Task<List<string>> TablesAsync(string schema)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = @schema AND table_name <> 'schema_migrations' ORDER BY 1",
            new { schema })).ToList();
    }

    /// <summary>Tables, columns, constraints, indexes, triggers, functions and types of one schema, as sorted text.</summary>
    private async Task<string> CatalogDumpAsync(string schema)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        var lines = await connection.QueryAsync<string>("""
            SELECT format('table %s %s', c.relname, c.relkind)
            FROM pg_class c WHERE c.relnamespace = to_regnamespace(@schema) AND c.relkind IN ('r', 'v', 'm', 'S', 'p')
            UNION ALL
            SELECT format('column %s.%s %s %s default %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                          a.attnotnull, pg_get_expr(d.adbin, d.adrelid))
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE c.relnamespace = to_regnamespace(@schema) AND a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT format('constraint %s on %s: %s', conname, conrelid::regclass, pg_get_constraintdef(oid))
            FROM pg_constraint WHERE connamespace = to_regnamespace(@schema)
            UNION ALL
            SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = @schema
            UNION ALL
            SELECT 'trigger ' || pg_get_triggerdef(t.oid)
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relnamespace = to_regnamespace(@schema) AND NOT t.tgisinternal
            UNION ALL
            SELECT 'function ' || pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = to_regnamespace(@schema)
            UNION ALL
            SELECT format('type %s %s', t.typname, t.typtype) FROM pg_type t
            WHERE t.typnamespace = to_regnamespace(@schema) AND t.typtype IN ('e', 'd')
            ORDER BY 1
            """, new { schema });
        return string.Join('\n', lines);
    }
}
