using System.Security.Cryptography;
using System.Text;
using Chat.Data.Migrations;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Logging;
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

    private static readonly List<MigrationScript> Scripts = MigrationStream.Chat.Scripts.ToList();

    private static IEnumerable<long> Versions => Scripts.Select(s => s.Version);

    [Fact]
    public async Task Up_applies_every_migration_and_records_version_checksum_and_duration()
    {
        var runs = await new ChatDataMigrator(_dataSource).MigrateUpAsync();

        Assert.Equal(Versions, runs.Select(r => r.Version));
        await using var connection = await _dataSource.OpenConnectionAsync();
        var history = (await connection.QueryAsync<(long Version, string Description, string Checksum, long DurationMs)>("""
            SELECT v.version, v.description, c.checksum, c.duration_ms
            FROM chat.version_info v JOIN chat.version_checksums c USING (version)
            ORDER BY version
            """)).ToList();
        Assert.Equal(Scripts.Select(s => (s.Version, s.Name, s.Checksum)), history.Select(h => (h.Version, h.Description, h.Checksum)));
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
            Assert.Equal(Versions, applied);
            await using var connection = await _dataSource.OpenConnectionAsync();
            Assert.Equal(Scripts.Count, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM chat.version_info"));
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
        var migrator = new ChatDataMigrator(_dataSource);
        await migrator.MigrateUpAsync(3);
        // What an edit of 0002's scripts since it was applied looks like to the runner: another checksum.
        await using (var connection = await _dataSource.OpenConnectionAsync())
            await connection.ExecuteAsync("UPDATE chat.version_checksums SET checksum = 'checksum of the scripts as they were applied' WHERE version = 2");

        var up = await Assert.ThrowsAsync<MigrationException>(() => migrator.MigrateUpAsync());
        var down = await Assert.ThrowsAsync<MigrationException>(() => migrator.MigrateDownAsync());

        Assert.Equal("0002_chats.up.sql", up.FileName);
        Assert.Contains("0002_chats.up.sql", up.Message);
        Assert.Equal("0002_chats.up.sql", down.FileName);
        var status = await migrator.GetStatusAsync();
        Assert.Equal(MigrationState.Modified, status.Single(s => s.Version == 2).State);
        Assert.All(status.Where(s => s.Version > 3), s => Assert.Equal(MigrationState.Pending, s.State));
    }

    [Fact]
    public void A_change_of_line_endings_alone_is_not_an_edit_but_a_change_of_text_is()
    {
        Assert.Equal(new MigrationScript(1, "alpha", "a\nb", "c").Checksum, new MigrationScript(1, "alpha", "a\r\nb", "c").Checksum);
        Assert.NotEqual(new MigrationScript(1, "alpha", "a\nb", "c").Checksum, new MigrationScript(1, "alpha", "a\nB", "c").Checksum);
        Assert.NotEqual(new MigrationScript(1, "alpha", "a", "c").Checksum, new MigrationScript(1, "alpha", "a", "d").Checksum);
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

        Assert.Equal(Versions.Reverse(), reverted.Select(r => r.Version));
        Assert.Contains("table users", first);
        Assert.DoesNotContain("table users", empty);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Every_down_script_reverts_its_own_up_script()
    {
        var migrator = new ChatDataMigrator(_dataSource);
        await migrator.MigrateUpAsync(Scripts[0].Version);
        await migrator.MigrateDownAsync(1);
        var before = await CatalogDumpAsync("chat");
        foreach (var script in Scripts)
        {
            await migrator.MigrateUpAsync(script.Version);
            var applied = await CatalogDumpAsync("chat");
            await migrator.MigrateDownAsync(1);
            Assert.Equal(before, await CatalogDumpAsync("chat"));
            await migrator.MigrateUpAsync(script.Version);
            Assert.Equal(applied, await CatalogDumpAsync("chat"));
            before = applied;
        }
    }

    [Fact]
    public async Task Up_to_a_target_down_by_steps_and_down_to_a_target()
    {
        var migrator = new ChatDataMigrator(_dataSource);

        Assert.Equal([1L], (await migrator.MigrateUpAsync(1)).Select(r => r.Version));
        var tablesOfTheFirst = await TablesAsync("chat");
        Assert.Equal([2L, 3L], (await migrator.MigrateUpAsync(3)).Select(r => r.Version));
        Assert.Equal(Scripts.Select(s => s.Version <= 3 ? MigrationState.Applied : MigrationState.Pending), (await migrator.GetStatusAsync()).Select(s => s.State));
        Assert.Equal(Versions.Where(v => v > 3), (await migrator.MigrateUpAsync()).Select(r => r.Version));
        Assert.Equal(Versions.Reverse().Take(2), (await migrator.MigrateDownAsync(2)).Select(r => r.Version));
        Assert.Equal(Versions.TakeLast(2), (await migrator.MigrateUpAsync()).Select(r => r.Version));
        Assert.Equal(Versions.Reverse().SkipLast(1), (await migrator.MigrateDownToAsync(1)).Select(r => r.Version));
        Assert.Equal(tablesOfTheFirst, await TablesAsync("chat"));
    }

    [Fact]
    public async Task Cancelling_stops_between_migrations_and_leaves_the_lock_free()
    {
        using var cancellation = new CancellationTokenSource();
        // The runner logs each migration as it finishes: cancel right after the first.
        var migrator = new ChatDataMigrator(_dataSource, "chat", [MigrationStream.Chat], new CallbackLogger(cancellation.Cancel));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => migrator.MigrateUpAsync(cancellationToken: cancellation.Token));

        Assert.Equal(Scripts.Select(s => s.Version == 1 ? MigrationState.Applied : MigrationState.Pending), (await migrator.GetStatusAsync()).Select(s => s.State));
        Assert.Equal(Versions.Skip(1), (await new ChatDataMigrator(_dataSource).MigrateUpAsync()).Select(r => r.Version));
    }

    [Fact]
    public async Task Status_before_anything_ran_lists_every_migration_as_pending_without_creating_anything()
    {
        var status = await new ChatDataMigrator(_dataSource).GetStatusAsync();

        Assert.All(status, s => Assert.Equal(MigrationState.Pending, s.State));
        Assert.Equal(Scripts.Count, status.Count);
        await using var connection = await _dataSource.OpenConnectionAsync();
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT to_regnamespace('chat')::text"));
    }

    [Fact]
    public async Task A_migration_applied_by_a_newer_library_shows_as_unknown_and_cannot_be_reverted_by_this_one()
    {
        var migrator = new ChatDataMigrator(_dataSource);
        await migrator.MigrateUpAsync();
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO chat.version_info (version, applied_on, description) VALUES (9000, now(), 'from_the_future');
                INSERT INTO chat.version_checksums (version, checksum, duration_ms) VALUES (9000, 'abc', 1);
                """);
        }

        var unknown = (await migrator.GetStatusAsync()).Single(s => s.Version == 9000);
        Assert.Equal((MigrationState.Unknown, "from_the_future"), (unknown.State, unknown.Name));
        Assert.Empty(await migrator.MigrateUpAsync());
        var error = await Assert.ThrowsAsync<MigrationException>(() => migrator.MigrateDownAsync());
        Assert.Contains("9000", error.Message);
        Assert.Contains("users", await TablesAsync("chat"));
    }

    [Fact]
    public async Task A_failing_script_rolls_back_entirely_and_names_the_file()
    {
        var migrator = new ChatDataMigrator(_dataSource);
        await migrator.MigrateUpAsync(1);
        // 0002 creates chats, then chat_members: make the second fail.
        await using (var connection = await _dataSource.OpenConnectionAsync())
            await connection.ExecuteAsync("CREATE TABLE chat.chat_members (id int)");

        var error = await Assert.ThrowsAsync<MigrationException>(() => migrator.MigrateUpAsync());

        Assert.Equal("0002_chats.up.sql", error.FileName);
        Assert.Contains("chat_members", error.Message);
        Assert.Equal(["chat_members", "users"], await TablesAsync("chat"));
        Assert.Equal(Scripts.Select(s => s.Version == 1 ? MigrationState.Applied : MigrationState.Pending), (await migrator.GetStatusAsync()).Select(s => s.State));
    }

    [Fact]
    public async Task Up_to_a_version_that_does_not_exist_is_refused()
    {
        await Assert.ThrowsAsync<MigrationException>(() => new ChatDataMigrator(_dataSource).MigrateUpAsync(9999));
        Assert.Empty(await TablesAsync("chat"));
    }

    [Fact]
    public async Task A_schema_migrated_by_chat_data_0_1_0_is_adopted_and_nothing_runs_again()
    {
        await MigrateTheWay010DidAsync();
        var migrator = new ChatDataMigrator(_dataSource);
        var before = await migrator.GetStatusAsync();

        var runs = await migrator.MigrateUpAsync();

        Assert.Empty(runs);
        Assert.All(before, s => Assert.Equal(MigrationState.Applied, s.State));
        var after = await migrator.GetStatusAsync();
        Assert.Equal(before, after);
        Assert.All(after, s => Assert.Equal(TimeSpan.FromMilliseconds(5), s.Duration));
        await using var connection = await _dataSource.OpenConnectionAsync();
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('chat.schema_migrations')::text"));
        Assert.Equal(Scripts.Select(s => (s.Version, s.Name, s.Checksum)), await connection.QueryAsync<(long, string, string)>(
            "SELECT v.version, v.description, c.checksum FROM chat.version_info v JOIN chat.version_checksums c USING (version) ORDER BY 1"));
        Assert.Equal([Scripts[^1].Version], (await migrator.MigrateDownAsync()).Select(r => r.Version));
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
            "SELECT table_name FROM information_schema.tables WHERE table_schema = @schema AND table_name NOT IN ('version_info', 'version_checksums') ORDER BY 1",
            new { schema })).ToList();
    }

    /// <summary>
    /// Chat.Data 0.1.0's own runner, as it was: its history table, and each script in a transaction with
    /// the search path set, recorded with its checksum (SHA-256 of both scripts, line endings normalised).
    /// </summary>
    private async Task MigrateTheWay010DidAsync()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            CREATE SCHEMA IF NOT EXISTS "chat";
            CREATE TABLE IF NOT EXISTS "chat".schema_migrations (
                version     bigint      PRIMARY KEY,
                name        text        NOT NULL,
                checksum    text        NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now(),
                duration_ms bigint      NOT NULL
            );
            """);
        foreach (var script in Scripts)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync("SET LOCAL search_path TO \"chat\", public", transaction: transaction);
            await using (var command = new NpgsqlCommand(script.UpSql, connection, transaction))
                await command.ExecuteNonQueryAsync();
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
                script.UpSql.ReplaceLineEndings("\n") + "\n-- down --\n" + script.DownSql.ReplaceLineEndings("\n"))));
            await connection.ExecuteAsync(
                "INSERT INTO \"chat\".schema_migrations (version, name, checksum, duration_ms) VALUES (@Version, @Name, @checksum, 5)",
                new { script.Version, script.Name, checksum }, transaction);
            await transaction.CommitAsync();
        }
    }

    /// <summary>Calls back on every line logged.</summary>
    private sealed class CallbackLogger(Action onLog) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => onLog();
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
