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
/// <c>&lt;schema&gt;.version_checksums</c>. A package with tables of its own (Chat.Data.Documents) has its
/// own numbered scripts and its own two tables (<c>documents_version_info</c>, <c>documents_version_checksums</c>);
/// the migrator registered by <c>AddChatData</c> runs the chat core's first, then each added package's.
/// </summary>
/// <remarks>
/// Around FluentMigrator the runner takes a PostgreSQL advisory lock per schema, refuses to go on when
/// an applied script was edited, and adopts a schema migrated by Chat.Data 0.1.0 (its
/// <c>schema_migrations</c> history moves into the version table; nothing runs again) and the documents
/// tables an earlier Chat.Data created as its migration 0006 (the row moves to the documents tables). FluentMigrator's
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
    private readonly IReadOnlyList<MigrationStream> _streams;
    private readonly ILogger _logger;
    private readonly long _lockKey;

    /// <summary>Creates a runner for the migrations shipped in Chat.Data (the chat core's only).</summary>
    /// <param name="dataSource">Where to migrate.</param>
    /// <param name="schema">The schema holding the tables (default <c>chat</c>).</param>
    /// <param name="logger">Receives one line per migration run.</param>
    public ChatDataMigrator(NpgsqlDataSource dataSource, string schema = ChatDataOptions.DefaultSchema, ILogger<ChatDataMigrator>? logger = null)
        : this(dataSource, schema, [MigrationStream.Chat], logger)
    {
    }

    /// <summary>A runner for <paramref name="streams"/>, in that order: the chat core's first, then the packages' that build on it.</summary>
    internal ChatDataMigrator(NpgsqlDataSource dataSource, string schema, IReadOnlyList<MigrationStream> streams, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _schemaName = SchemaName.Validate(schema);
        _schema = SchemaName.Quote(_schemaName);
        _streams = streams;
        _logger = logger ?? NullLogger.Instance;
        // One lock per schema, the key Chat.Data 0.1.0 took too: two schemas in one database migrate independently.
        _lockKey = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("chat-data:migrations:" + schema)));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MigrationRun>> MigrateUpAsync(long? targetVersion = null, CancellationToken cancellationToken = default)
    {
        var first = _streams[0];
        if (targetVersion is { } target && first.Scripts.All(s => s.Version != target))
            throw new MigrationException($"There is no migration {target:D4} to migrate up to.");

        // A target is a version of the first stream; the streams after it build on all of it, so they wait for a full run.
        return UnderLockAsync(_streams, (stream, applied) => stream == first || targetVersion is null
            ? stream.Scripts.Where(s => s.Version <= (targetVersion ?? long.MaxValue) && !applied.ContainsKey(s.Version))
            : [], up: true, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MigrationRun>> MigrateDownAsync(int steps = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var left = steps;
        return UnderLockAsync(_streams.Reverse().ToList(), (stream, applied) =>
        {
            var chosen = Known(stream, applied.Keys.OrderDescending().Take(left), applied).ToList();
            left -= chosen.Count;
            return chosen;
        }, up: false, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MigrationRun>> MigrateDownToAsync(long targetVersion, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetVersion);
        var first = _streams[0];
        return UnderLockAsync(_streams.Reverse().ToList(), (stream, applied) =>
            Known(stream, applied.Keys.Where(v => stream != first || v > targetVersion).OrderDescending(), applied), up: false, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MigrationStatus>> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var statuses = new List<MigrationStatus>();
        foreach (var stream in _streams)
        {
            var (applied, _) = await ReadHistoryAsync(connection, stream, cancellationToken).ConfigureAwait(false);
            var ofStream = new List<MigrationStatus>();
            foreach (var script in stream.Scripts)
            {
                ofStream.Add(applied.Remove(script.Version, out var row)
                    ? new MigrationStatus(script.Version, script.Name, IsEdited(script, row) ? MigrationState.Modified : MigrationState.Applied, row.AppliedAt, Duration(row)) { Stream = stream.Name }
                    : new MigrationStatus(script.Version, script.Name, MigrationState.Pending, null, null) { Stream = stream.Name });
            }
            ofStream.AddRange(applied.Values.Select(row => new MigrationStatus(row.Version, row.Name, MigrationState.Unknown, row.AppliedAt, Duration(row)) { Stream = stream.Name }));
            statuses.AddRange(ofStream.OrderBy(s => s.Version));
        }
        return statuses;
    }

    private static IEnumerable<MigrationScript> Known(MigrationStream stream, IEnumerable<long> versions, Dictionary<long, HistoryRow> applied) =>
        versions.Select(version => stream.Scripts.FirstOrDefault(s => s.Version == version)
            ?? throw new MigrationException($"Migration {version:D4} ({applied[version].Name}) was applied by a newer Chat.Data; revert it with that version."));

    /// <summary>
    /// Holds the schema's advisory lock on one connection for the whole call (FluentMigrator takes
    /// none), refuses to go on when an applied script of any stream was edited, then runs the chosen
    /// migrations of each stream in turn, one at a time, checking for cancellation between them. A stream
    /// that is up to date is only read: FluentMigrator does not even start for it.
    /// </summary>
    private async Task<IReadOnlyList<MigrationRun>> UnderLockAsync(IReadOnlyList<MigrationStream> streams,
        Func<MigrationStream, Dictionary<long, HistoryRow>, IEnumerable<MigrationScript>> choose, bool up, CancellationToken cancellationToken)
    {
        using var activity = ChatDataTelemetry.Source.StartActivity(up ? "migrations.up" : "migrations.down");
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key = _lockKey }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        try
        {
            foreach (var stream in streams)
            {
                var (applied, _) = await ReadHistoryAsync(connection, stream, cancellationToken).ConfigureAwait(false);
                foreach (var script in stream.Scripts)
                {
                    if (applied.TryGetValue(script.Version, out var row) && IsEdited(script, row))
                    {
                        throw new MigrationException(
                            $"{script.FileName} was changed after it was applied to schema {_schema}. A landed migration is never edited: restore it and change the schema with a new migration.",
                            script.FileName);
                    }
                }
            }

            var runs = new List<MigrationRun>();
            foreach (var stream in streams)
            {
                // Read again: a stream run before this one may have handed it history (documents from chat's table).
                var (applied, source) = await ReadHistoryAsync(connection, stream, cancellationToken).ConfigureAwait(false);
                var chosen = choose(stream, applied).ToList();
                if (chosen.Count == 0 && source == HistorySource.VersionTable)
                    continue;

                using var session = await StartFluentMigratorAsync(connection, stream, cancellationToken).ConfigureAwait(false);
                if (source == HistorySource.SchemaMigrations)
                    await AdoptSchemaMigrationsAsync(connection, stream, cancellationToken).ConfigureAwait(false);
                if (source == HistorySource.HandedOver)
                    await AdoptHandoverAsync(connection, stream, stream.Adopts!, cancellationToken).ConfigureAwait(false);

                foreach (var script in chosen)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var elapsed = await Task.Run(() => session.Run(script, up), cancellationToken).ConfigureAwait(false);
                    _logger.LogInformation("Chat.Data migration {File} ran on schema {Schema} in {Elapsed} ms",
                        up ? script.FileName : script.DownFileName, _schema, (long)elapsed.TotalMilliseconds);
                    runs.Add(new MigrationRun(script.Version, script.Name, elapsed) { Stream = stream.Name });
                    if (ChatDataTelemetry.MigrationDuration.Enabled)
                    {
                        ChatDataTelemetry.MigrationDuration.Record(elapsed.TotalSeconds, new TagList
                        {
                            { "chat_data.migration.stream", stream.Name },
                            { "chat_data.migration.version", script.Version },
                            { "chat_data.migration.direction", up ? "up" : "down" },
                        });
                    }
                }
            }
            return runs;
        }
        finally
        {
            // Unlock even when cancelled: the connection goes back to the pool and must not keep the lock.
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = _lockKey }).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the stream's checksum table, then starts FluentMigrator, which creates its version table.</summary>
    private async Task<FluentMigratorSession> StartFluentMigratorAsync(NpgsqlConnection connection, MigrationStream stream, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition($"""
            CREATE SCHEMA IF NOT EXISTS {_schema};
            -- FluentMigrator's version table says which migrations ran; this one what their scripts said
            -- (so an edited applied script is refused) and how long each took.
            CREATE TABLE IF NOT EXISTS {_schema}.{stream.ChecksumTable} (
                version     bigint PRIMARY KEY,
                checksum    text   NOT NULL,
                duration_ms bigint NOT NULL
            );
            """, cancellationToken: cancellationToken)).ConfigureAwait(false);
        // FluentMigrator is synchronous: it works on the thread pool, never on the caller's thread.
        return await Task.Run(() => new FluentMigratorSession(connection, _schemaName, stream), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Chat.Data 0.1.0 kept its own history in <c>schema_migrations</c>, with the same checksums: it moves
    /// into the version and checksum tables in one transaction, so nothing it applied runs again.
    /// </summary>
    private async Task AdoptSchemaMigrationsAsync(NpgsqlConnection connection, MigrationStream stream, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO {_schema}.{stream.VersionTable} (version, applied_on, description)
            SELECT version, applied_at AT TIME ZONE 'UTC', name FROM {_schema}.schema_migrations;
            INSERT INTO {_schema}.{stream.ChecksumTable} (version, checksum, duration_ms)
            SELECT version, checksum, duration_ms FROM {_schema}.schema_migrations;
            DROP TABLE {_schema}.schema_migrations;
            """, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Chat.Data migration history of schema {Schema} moved from schema_migrations to {VersionTable}",
            _schema, stream.VersionTable);
    }

    /// <summary>
    /// The tables of a migration another stream ran in an earlier release are there already: its row moves
    /// from that stream's tables into this one's, with this stream's version and checksum, in one
    /// transaction, so the script does not run again and the other stream no longer lists it.
    /// </summary>
    private async Task AdoptHandoverAsync(NpgsqlConnection connection, MigrationStream stream, MigrationHandover handover, CancellationToken cancellationToken)
    {
        var script = stream.Scripts.Single(s => s.Version == handover.Version);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO {_schema}.{stream.VersionTable} (version, applied_on, description)
            SELECT @version, applied_on, @name FROM {_schema}.{handover.From.VersionTable} WHERE version = @fromVersion;
            INSERT INTO {_schema}.{stream.ChecksumTable} (version, checksum, duration_ms)
            SELECT @version, @checksum, coalesce(c.duration_ms, 0)
            FROM {_schema}.{handover.From.VersionTable} v
            LEFT JOIN {_schema}.{handover.From.ChecksumTable} c ON c.version = v.version
            WHERE v.version = @fromVersion;
            DELETE FROM {_schema}.{handover.From.ChecksumTable} WHERE version = @fromVersion;
            DELETE FROM {_schema}.{handover.From.VersionTable} WHERE version = @fromVersion;
            """, new { version = script.Version, name = script.Name, checksum = script.Checksum, fromVersion = handover.FromVersion },
            transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Chat.Data migration {File} of schema {Schema} adopted from {From} version {FromVersion}: its tables were there already",
            script.FileName, _schema, handover.From.VersionTable, handover.FromVersion);
    }

    /// <summary>
    /// What ran of <paramref name="stream"/>, and where that is written: in its version table, in 0.1.0's
    /// <c>schema_migrations</c> while that is not adopted yet, or (for a migration handed over) in the table
    /// of the stream that ran it before. Versions handed over to another stream are left out. Creates nothing.
    /// </summary>
    private async Task<(Dictionary<long, HistoryRow> Applied, HistorySource Source)> ReadHistoryAsync(
        NpgsqlConnection connection, MigrationStream stream, CancellationToken cancellationToken)
    {
        var handover = stream.Adopts;
        var (versions, legacy, handedOver) = await connection.QuerySingleAsync<(bool, bool, bool)>(new CommandDefinition(
            "SELECT to_regclass(@versions) IS NOT NULL, to_regclass(@legacy::text) IS NOT NULL, to_regclass(@handedOver::text) IS NOT NULL",
            new
            {
                versions = $"{_schema}.{stream.VersionTable}",
                // Only the chat stream's history was ever kept there.
                legacy = stream == MigrationStream.Chat ? $"{_schema}.schema_migrations" : null,
                handedOver = handover is null ? null : $"{_schema}.{handover.From.VersionTable}",
            },
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
                FROM {_schema}.{stream.VersionTable} v
                LEFT JOIN {_schema}.{stream.ChecksumTable} c ON c.version = v.version
                """),
            _ => (HistorySource.None, null),
        };
        var applied = sql is null
            ? []
            : (await connection.QueryAsync<HistoryRow>(new CommandDefinition(sql, cancellationToken: cancellationToken)).ConfigureAwait(false))
                .Where(r => !stream.HandedOver.Contains(r.Version))
                .ToDictionary(r => r.Version);

        if (handover is not null && handedOver && !applied.ContainsKey(handover.Version))
        {
            var row = await connection.QuerySingleOrDefaultAsync<HistoryRow>(new CommandDefinition($"""
                SELECT v.version AS Version, coalesce(v.description, '') AS Name, c.checksum AS Checksum,
                       v.applied_on AT TIME ZONE 'UTC' AS AppliedAt, c.duration_ms AS DurationMs
                FROM {_schema}.{handover.From.VersionTable} v
                LEFT JOIN {_schema}.{handover.From.ChecksumTable} c ON c.version = v.version
                WHERE v.version = @fromVersion
                """, new { fromVersion = handover.FromVersion }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (row is not null)
            {
                // The scripts as the earlier release shipped them count as this stream's own; any other text was edited.
                var script = stream.Scripts.Single(s => s.Version == handover.Version);
                var checksum = row.Checksum is null || row.Checksum == handover.FromChecksum ? script.Checksum : row.Checksum;
                applied[handover.Version] = row with { Version = handover.Version, Name = script.Name, Checksum = checksum };
                source = HistorySource.HandedOver;
            }
        }
        return (applied, source);
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
        HandedOver,
    }
}
