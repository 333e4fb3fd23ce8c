using Chat.Data.Benchmarks.Seeding;
using Npgsql;

namespace Chat.Data.Benchmarks.Baselines;

/// <summary>
/// The common per-message read-receipt design (a message_status table): a status row per message per recipient,
/// unread = COUNT(*) of the rows not read, mark read = UPDATE of those rows. Given its best case, so what grows with
/// the unread count is the design and not a missing index: the chat id copied onto each row (no join to messages)
/// and a partial index holding only the unread rows, so both statements touch exactly the N unread rows.
/// </summary>
internal sealed class NaiveReadReceipts(NpgsqlDataSource dataSource)
{
    public const string Schema = "naive";

    public const string Table = $"{Schema}.message_status";

    /// <summary>The usual message_status table, plus chat_id; its indexes are <see cref="IndexesDdl"/>, built after the COPY.</summary>
    // Autovacuum off: it would run in the middle of measurements; the suites' setups VACUUM instead.
    public const string TableDdl = $"""
        CREATE TABLE {Table} (
            message_id uuid        NOT NULL,
            user_id    uuid        NOT NULL,
            chat_id    uuid        NOT NULL,
            status     varchar(10) NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'delivered', 'read')),
            updated_at timestamptz NOT NULL DEFAULT now()
        ) WITH (autovacuum_enabled = false)
        """;

    /// <summary>The usual primary key and user index, the foreign keys to the library's tables, and the partial index of unread rows.</summary>
    public const string IndexesDdl = $"""
        ALTER TABLE {Table}
            ADD PRIMARY KEY (message_id, user_id),
            ADD FOREIGN KEY (message_id) REFERENCES {ReadScalingData.LibrarySchema}.messages (id) ON DELETE CASCADE,
            ADD FOREIGN KEY (user_id) REFERENCES {ReadScalingData.LibrarySchema}.users (id) ON DELETE CASCADE;
        CREATE INDEX message_status_user_id_idx ON {Table} (user_id);
        CREATE INDEX message_status_unread_idx ON {Table} (user_id, chat_id) WHERE status <> 'read';
        """;

    // $1 chat, $2 user.
    private const string UnreadCountSql = $"SELECT count(*) FROM {Table} s WHERE s.user_id = $2 AND s.chat_id = $1 AND s.status <> 'read'";

    // $1 chat, $2 user.
    private const string MarkReadSql = $"UPDATE {Table} s SET status = 'read', updated_at = now() WHERE s.user_id = $2 AND s.chat_id = $1 AND s.status <> 'read'";

    public async Task<long> GetUnreadCountAsync(Guid chatId, Guid userId)
    {
        await using var command = Command(UnreadCountSql, chatId, userId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Marks every unread message of the chat read; returns how many rows that took.</summary>
    public async Task<int> MarkReadAsync(Guid chatId, Guid userId)
    {
        await using var command = Command(MarkReadSql, chatId, userId);
        return await command.ExecuteNonQueryAsync();
    }

    private NpgsqlCommand Command(string sql, Guid chatId, Guid userId)
    {
        var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = chatId });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        return command;
    }
}
