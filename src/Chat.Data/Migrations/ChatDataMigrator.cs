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
/// The migration runner: numbered SQL scripts embedded in Chat.Data, applied in order and recorded in
/// <c>&lt;schema&gt;.schema_migrations</c> with their checksum and duration.
/// </summary>
/// <remarks>
/// Scripts name their tables without a schema: the runner sets <c>search_path</c> to the configured
/// schema (then <c>public</c>, where extensions live) inside each migration's transaction.
/// </remarks>
public sealed class ChatDataMigrator : IChatDataMigrator
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly IReadOnlyList<Migration> _migrations;
    private readonly ILogger _logger;
    private readonly long _lockKey;

    /// <summary>Creates a runner for the migrations shipped in Chat.Data.</summary>
    /// <param name="dataSource">Where to migrate.</param>
    /// <param name="schema">The schema holding the tables (default <c>chat</c>).</param>
    /// <param name="logger">Receives one line per migration run.</param>
    public ChatDataMigrator(NpgsqlDataSource dataSource, string schema = ChatDataOptions.DefaultSchema, ILogger<ChatDataMigrator>? logger = null)
        : this(dataSource, schema, Migration.Embedded, logger)
    {
    }

    internal ChatDataMigrator(NpgsqlDataSource dataSource, string schema, IReadOnlyList<Migration> migrations, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _schema = SchemaName.Quote(SchemaName.Validate(schema));
        _migrations = migrations;
        _logger = logger ?? NullLogger.Instance;
        // One lock per schema: two schemas in one database migrate independently.
        _lockKey = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("chat-data:migrations:" + schema)));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MigrationRun>> MigrateUpAsync(long? targetVersion = null, CancellationToken cancellationToken = default)
    {
        if (targetVersion is { } target && _migrations.All(m => m.Version != target))
            throw new MigrationException($"There is no migration {target:D4} to migrate up to.");

        return UnderLockAsync(async (connection, applied) =>
        {
            var runs = new List<MigrationRun>();
            foreach (var migration in _migrations)
            {
                if (migration.Version > (targetVersion ?? long.MaxValue))
                    break;
                if (!applied.ContainsKey(migration.Version))
                    runs.Add(await RunAsync(connection, migration, up: true, cancellationToken).ConfigureAwait(false));
            }
            return runs;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MigrationRun>> MigrateDownAsync(int steps = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        return DownAsync(applied => applied.Keys.OrderDescending().Take(steps), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MigrationRun>> MigrateDownToAsync(long targetVersion, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetVersion);
        return DownAsync(applied => applied.Keys.Where(v => v > targetVersion).OrderDescending(), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MigrationStatus>> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass(@table) IS NOT NULL", new { table = _schema + ".schema_migrations" }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var applied = exists ? await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false) : [];

        var statuses = new List<MigrationStatus>();
        foreach (var migration in _migrations)
        {
            statuses.Add(applied.Remove(migration.Version, out var row)
                ? new MigrationStatus(migration.Version, migration.Name, row.Checksum == migration.Checksum ? MigrationState.Applied : MigrationState.Modified, row.AppliedAt, TimeSpan.FromMilliseconds(row.DurationMs))
                : new MigrationStatus(migration.Version, migration.Name, MigrationState.Pending, null, null));
        }
        statuses.AddRange(applied.Values.Select(row =>
            new MigrationStatus(row.Version, row.Name, MigrationState.Unknown, row.AppliedAt, TimeSpan.FromMilliseconds(row.DurationMs))));
        return statuses.OrderBy(s => s.Version).ToList();
    }

    private Task<IReadOnlyList<MigrationRun>> DownAsync(Func<Dictionary<long, HistoryRow>, IEnumerable<long>> choose, CancellationToken cancellationToken) =>
        UnderLockAsync(async (connection, applied) =>
        {
            var runs = new List<MigrationRun>();
            foreach (var version in choose(applied).ToList())
            {
                var migration = _migrations.FirstOrDefault(m => m.Version == version)
                    ?? throw new MigrationException($"Migration {version:D4} ({applied[version].Name}) was applied by a newer Chat.Data; revert it with that version.");
                runs.Add(await RunAsync(connection, migration, up: false, cancellationToken).ConfigureAwait(false));
            }
            return runs;
        }, cancellationToken);

    /// <summary>
    /// Holds the schema's advisory lock on one connection for the whole call, creates the history
    /// table, and refuses to go on when an applied script was edited.
    /// </summary>
    private async Task<IReadOnlyList<MigrationRun>> UnderLockAsync(
        Func<NpgsqlConnection, Dictionary<long, HistoryRow>, Task<List<MigrationRun>>> work, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key = _lockKey }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition($"""
                CREATE SCHEMA IF NOT EXISTS {_schema};
                CREATE TABLE IF NOT EXISTS {_schema}.schema_migrations (
                    version     bigint      PRIMARY KEY,
                    name        text        NOT NULL,
                    checksum    text        NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now(),
                    duration_ms bigint      NOT NULL
                );
                """, cancellationToken: cancellationToken)).ConfigureAwait(false);

            var applied = await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false);
            foreach (var migration in _migrations)
            {
                if (applied.TryGetValue(migration.Version, out var row) && row.Checksum != migration.Checksum)
                {
                    throw new MigrationException(
                        $"{migration.FileName} was changed after it was applied to schema {_schema}. A landed migration is never edited: restore it and change the schema with a new migration.",
                        migration.FileName);
                }
            }
            return await work(connection, applied).ConfigureAwait(false);
        }
        finally
        {
            // Unlock even when cancelled: the connection goes back to the pool and must not keep the lock.
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = _lockKey }).ConfigureAwait(false);
        }
    }

    private async Task<MigrationRun> RunAsync(NpgsqlConnection connection, Migration migration, bool up, CancellationToken cancellationToken)
    {
        var fileName = up ? migration.FileName : $"{migration.Version:D4}_{migration.Name}.down.sql";
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await connection.ExecuteAsync(new CommandDefinition($"SET LOCAL search_path TO {_schema}, public", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await using (var script = new NpgsqlCommand(up ? migration.UpSql : migration.DownSql, connection, transaction) { CommandTimeout = 0 })
                await script.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            throw new MigrationException($"{fileName} failed: {ex.MessageText}", fileName, ex);
        }
        stopwatch.Stop();

        var history = up
            ? $"INSERT INTO {_schema}.schema_migrations (version, name, checksum, duration_ms) VALUES (@Version, @Name, @Checksum, @DurationMs)"
            : $"DELETE FROM {_schema}.schema_migrations WHERE version = @Version";
        await connection.ExecuteAsync(new CommandDefinition(history,
            new { migration.Version, migration.Name, migration.Checksum, DurationMs = stopwatch.ElapsedMilliseconds },
            transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        _logger.LogInformation("Chat.Data migration {File} ran on schema {Schema} in {Elapsed} ms", fileName, _schema, stopwatch.ElapsedMilliseconds);
        return new MigrationRun(migration.Version, migration.Name, stopwatch.Elapsed);
    }

    private async Task<Dictionary<long, HistoryRow>> ReadHistoryAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<HistoryRow>(new CommandDefinition(
            $"SELECT version AS Version, name AS Name, checksum AS Checksum, applied_at AS AppliedAt, duration_ms AS DurationMs FROM {_schema}.schema_migrations",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Version);
    }

    private sealed record HistoryRow(long Version, string Name, string Checksum, DateTime AppliedAt, long DurationMs);
}
