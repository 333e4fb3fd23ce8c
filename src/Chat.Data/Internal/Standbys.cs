using System.Diagnostics;
using System.Transactions;
using Chat.Data.Replicas;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Data.Internal;

/// <summary>
/// Connections for reads that may be served by a standby, from Npgsql's multi-host data source with
/// <see cref="TargetSessionAttributes.PreferStandby"/>: Npgsql picks a standby that answers and, when none
/// does, the primary. A read that carries a consistency token waits, for a bounded time, until its
/// standby has replayed the token's write; past that bound the primary serves it.
/// </summary>
internal sealed class Standbys(NpgsqlDataSource preferStandby, TimeSpan catchUpTimeout)
{
    /// <summary>The primary's WAL position after a write committed: every write before it, and its commit, are at or before it.</summary>
    internal const string CurrentPosition = "SELECT pg_current_wal_insert_lsn()";

    // True on a standby that has replayed the position, and on a primary (it replays nothing: NULL).
    private const string ReplayedSql = "SELECT coalesce(pg_last_wal_replay_lsn() >= $1, true)";

    // Replay on a healthy standby trails the primary by about a millisecond; each poll is one short round trip.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// A connection that may serve a read no older than <paramref name="token"/>, or null when the primary
    /// must serve it: no standby (or primary) answered, or none caught up in time, or the caller is in a
    /// transaction, whose reads belong with its writes.
    /// </summary>
    public async Task<NpgsqlConnection?> OpenAsync(ConsistencyToken token, CancellationToken cancellationToken)
    {
        if (Transaction.Current is not null)
            return null;
        NpgsqlConnection? connection = null;
        try
        {
            connection = await preferStandby.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            if (token.IsNone || await HasReplayedAsync(connection, token, cancellationToken).ConfigureAwait(false))
                return connection;
        }
        catch (NpgsqlException)
        {
            // No server to be had this way (or the standby went away while waiting): the primary serves the read.
        }
        if (connection is not null)
            await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    private async Task<bool> HasReplayedAsync(NpgsqlConnection connection, ConsistencyToken token, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await using var command = new NpgsqlCommand(ReplayedSql, connection)
        {
            Parameters = { new NpgsqlParameter<NpgsqlLogSequenceNumber> { TypedValue = token.Position, NpgsqlDbType = NpgsqlDbType.PgLsn } },
        };
        while (true)
        {
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                return true;
            if (Stopwatch.GetElapsedTime(started) + PollInterval > catchUpTimeout)
                return false;
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Advances the scope to the primary's position after a write on <paramref name="primary"/> committed.</summary>
    public static async Task RecordWriteAsync(NpgsqlConnection primary, ReadYourWritesScope scope, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(CurrentPosition, primary);
        var position = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        scope.Advance(new ConsistencyToken((NpgsqlLogSequenceNumber)position!));
    }
}
