using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Chat.Data.Internal;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Chat.Data.Migrations;

/// <summary>
/// The migration runner: numbered SQL scripts embedded in Chat.Data, each run unchanged by a
/// FluentMigrator migration and recorded in FluentMigrator's version table
/// <c>&lt;schema&gt;.version_info</c>, with the script's checksum and duration beside it in
/// <c>&lt;schema&gt;.version_checksums</c>.
/// </summary>
/// <remarks>
/// Around FluentMigrator the runner takes a PostgreSQL advisory lock per schema, refuses to go on when
/// an applied script was edited, and adopts a schema migrated by Chat.Data 0.1.0 (its
/// <c>schema_migrations</c> history moves into the version table; nothing runs again). FluentMigrator's
/// services live in a container of the runner's own, never in the host's, and work on a connection
/// from the given data source. Scripts name their tables without a schema: the runner sets
/// <c>search_path</c> to the configured schema (then <c>public</c>, where extensions live) inside each
/// migration's transaction.
/// </remarks>
public sealed class ChatDataMigrator : IChatDataMigrator
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schemaName;
    private readonly string _schema;
    private readonly MigrationStream _stream;
    private readonly List<MigrationScript> _scripts;
    private readonly ILogger _logger;
    private readonly long _lockKey;

    /// <summary>Creates a runner for the migrations shipped in Chat.Data.</summary>
    /// <param name="dataSource">Where to migrate.</param>
    /// <param name="schema">The schema holding the tables (default <c>chat</c>).</param>
    /// <param name="logger">Receives one line per migration run.</param>
    public ChatDataMigrator(NpgsqlDataSource dataSource, string schema = ChatDataOptions.DefaultSchema, ILogger<ChatDataMigrator>? logger = null)
        : this(dataSource, schema, MigrationStream.Chat, logger)
    {
    }

    internal ChatDataMigrator(NpgsqlDataSource dataSource, string schema, MigrationStream stream, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _schemaName = SchemaName.Validate(schema);
        _schema = SchemaName.Quote(_schemaName);
        _stream = stream;
        _scripts = stream.Scripts.ToList();
        _logger = logger ?? NullLogger.Instance;
        // One lock per schema, the key Chat.Data 0.1.0 took too: two schemas in one database migrate independently.
        _lockKey = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("chat-data:migrations:" + schema)));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MigrationRun>> MigrateUpAsync(long? targetVersion = null, CancellationToken cancellationToken = default)
    {
        if (targetVersion is { } target && _scripts.All(s => s.Version != target))
            throw new MigrationException($"There is no migration {target:D4} to migrate up to.");

        return UnderLockAsync(applied => _scripts.Where(s => s.Version <= (targetVersion ?? long.MaxValue) && !applied.ContainsKey(s.Version)),
            up: true, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MigrationRun>> MigrateDownAsync(int steps = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        return UnderLockAsync(applied => Known(applied.Keys.OrderDescending().Take(steps), applied), up: false, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MigrationRun>> MigrateDownToAsync(long targetVersion, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetVersion);
        return UnderLockAsync(applied => Known(applied.Keys.Where(v => v > targetVersion).OrderDescending(), applied), up: false, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MigrationStatus>> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var (applied, _) = await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false);

        var statuses = new List<MigrationStatus>();
        foreach (var script in _scripts)
        {
            statuses.Add(applied.Remove(script.Version, out var row)
                ? new MigrationStatus(script.Version, script.Name, IsEdited(script, row) ? MigrationState.Modified : MigrationState.Applied, row.AppliedAt, Duration(row))
                : new MigrationStatus(script.Version, script.Name, MigrationState.Pending, null, null));
        }
        statuses.AddRange(applied.Values.Select(row => new MigrationStatus(row.Version, row.Name, MigrationState.Unknown, row.AppliedAt, Duration(row))));
        return statuses.OrderBy(s => s.Version).ToList();
    }

    private IEnumerable<MigrationScript> Known(IEnumerable<long> versions, Dictionary<long, HistoryRow> applied) =>
        versions.Select(version => _scripts.Find(s => s.Version == version)
            ?? throw new MigrationException($"Migration {version:D4} ({applied[version].Name}) was applied by a newer Chat.Data; revert it with that version."));

    /// <summary>
    /// Holds the schema's advisory lock on one connection for the whole call (FluentMigrator takes
    /// none), refuses to go on when an applied script was edited, then runs the chosen migrations one at
    /// a time, checking for cancellation between them. A schema that is up to date is only read:
    /// FluentMigrator does not even start.
    /// </summary>
    private async Task<IReadOnlyList<MigrationRun>> UnderLockAsync(
        Func<Dictionary<long, HistoryRow>, IEnumerable<MigrationScript>> choose, bool up, CancellationToken cancellationToken)
    {
        using var activity = ChatDataTelemetry.Source.StartActivity(up ? "migrations.up" : "migrations.down");
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key = _lockKey }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        FluentMigratorSession? session = null;
        try
        {
            var (applied, source) = await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false);
            foreach (var script in _scripts)
            {
                if (applied.TryGetValue(script.Version, out var row) && IsEdited(script, row))
                {
                    throw new MigrationException(
                        $"{script.FileName} was changed after it was applied to schema {_schema}. A landed migration is never edited: restore it and change the schema with a new migration.",
                        script.FileName);
                }
            }
            var chosen = choose(applied).ToList();
            if (chosen.Count == 0 && source == HistorySource.VersionTable)
                return [];

            session = await StartFluentMigratorAsync(connection, cancellationToken).ConfigureAwait(false);
            if (source == HistorySource.SchemaMigrations)
                await AdoptSchemaMigrationsAsync(connection, cancellationToken).ConfigureAwait(false);

            var runs = new List<MigrationRun>();
            foreach (var script in chosen)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var elapsed = await Task.Run(() => session.Run(script, up), cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("Chat.Data migration {File} ran on schema {Schema} in {Elapsed} ms",
                    up ? script.FileName : script.DownFileName, _schema, (long)elapsed.TotalMilliseconds);
                runs.Add(new MigrationRun(script.Version, script.Name, elapsed));
                if (ChatDataTelemetry.MigrationDuration.Enabled)
                {
                    ChatDataTelemetry.MigrationDuration.Record(elapsed.TotalSeconds, new TagList
                    {
                        { "chat_data.migration.version", script.Version },
                        { "chat_data.migration.direction", up ? "up" : "down" },
                    });
                }
            }
            return runs;
        }
        finally
        {
            session?.Dispose();
            // Unlock even when cancelled: the connection goes back to the pool and must not keep the lock.
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = _lockKey }).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the checksum table, then starts FluentMigrator, which creates its version table.</summary>
    private async Task<FluentMigratorSession> StartFluentMigratorAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition($"""
            CREATE SCHEMA IF NOT EXISTS {_schema};
            -- FluentMigrator's version table says which migrations ran; this one what their scripts said
            -- (so an edited applied script is refused) and how long each took.
            CREATE TABLE IF NOT EXISTS {_schema}.{_stream.ChecksumTable} (
                version     bigint PRIMARY KEY,
                checksum    text   NOT NULL,
                duration_ms bigint NOT NULL
            );
            """, cancellationToken: cancellationToken)).ConfigureAwait(false);
        // FluentMigrator is synchronous: it works on the thread pool, never on the caller's thread.
        return await Task.Run(() => new FluentMigratorSession(connection, _schemaName, _stream), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Chat.Data 0.1.0 kept its own history in <c>schema_migrations</c>, with the same checksums: it moves
    /// into the version and checksum tables in one transaction, so nothing it applied runs again.
    /// </summary>
    private async Task AdoptSchemaMigrationsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO {_schema}.{_stream.VersionTable} (version, applied_on, description)
            SELECT version, applied_at AT TIME ZONE 'UTC', name FROM {_schema}.schema_migrations;
            INSERT INTO {_schema}.{_stream.ChecksumTable} (version, checksum, duration_ms)
            SELECT version, checksum, duration_ms FROM {_schema}.schema_migrations;
            DROP TABLE {_schema}.schema_migrations;
            """, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Chat.Data migration history of schema {Schema} moved from schema_migrations to {VersionTable}",
            _schema, _stream.VersionTable);
    }

    /// <summary>
    /// What ran, and where that is written: in the version table, or in 0.1.0's <c>schema_migrations</c>
    /// while that is not adopted yet. Creates nothing.
    /// </summary>
    private async Task<(Dictionary<long, HistoryRow> Applied, HistorySource Source)> ReadHistoryAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var (versions, legacy) = await connection.QuerySingleAsync<(bool, bool)>(new CommandDefinition(
            "SELECT to_regclass(@versions) IS NOT NULL, to_regclass(@legacy) IS NOT NULL",
            new { versions = $"{_schema}.{_stream.VersionTable}", legacy = $"{_schema}.schema_migrations" },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var (source, sql) = (versions, legacy) switch
        {
            (_, true) => (HistorySource.SchemaMigrations, $"""
                SELECT version AS Version, name AS Name, checksum AS Checksum, applied_at AS AppliedAt, duration_ms AS DurationMs
                FROM {_schema}.schema_migrations
                """),
            (true, false) => (HistorySource.VersionTable, $"""
                SELECT v.version AS Version, coalesce(v.description, '') AS Name, c.checksum AS Checksum,
                       v.applied_on AT TIME ZONE 'UTC' AS AppliedAt, c.duration_ms AS DurationMs
                FROM {_schema}.{_stream.VersionTable} v
                LEFT JOIN {_schema}.{_stream.ChecksumTable} c ON c.version = v.version
                """),
            _ => (HistorySource.None, null),
        };
        if (sql is null)
            return ([], source);
        var rows = await connection.QueryAsync<HistoryRow>(new CommandDefinition(sql, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (rows.ToDictionary(r => r.Version), source);
    }

    // A migration applied without a checksum (by FluentMigrator alone) has nothing to compare.
    private static bool IsEdited(MigrationScript script, HistoryRow row) => row.Checksum is not null && row.Checksum != script.Checksum;

    private static TimeSpan? Duration(HistoryRow row) => row.DurationMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    private sealed record HistoryRow(long Version, string Name, string? Checksum, DateTime? AppliedAt, long? DurationMs);

    private enum HistorySource
    {
        None,
        VersionTable,
        SchemaMigrations,
    }
}
