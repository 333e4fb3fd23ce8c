using Chat.Data.Benchmarks.Host;
using Chat.Data.ReadState;
using Npgsql;

namespace Chat.Data.Benchmarks.Baselines;

/// <summary>The floor for read state: the library's statements (ReadStateRepository) by plain Npgsql.</summary>
internal sealed class HandWrittenReadState(NpgsqlDataSource dataSource)
{
    private const string Schema = BenchDatabase.Schema;

    private const string UnreadJoin = $"""
        CROSS JOIN LATERAL (
            SELECT greatest(c.last_seq - m.last_read_seq - count(*), 0) AS unread
            FROM {Schema}.messages d
            WHERE d.chat_id = c.id AND d.seq > m.last_read_seq AND d.deleted_at IS NOT NULL) u
        """;

    private const string MarkColumns =
        "m.chat_id, m.user_id, m.last_delivered_seq, m.last_delivered_at, m.last_read_seq, m.last_read_at, m.unread_mention_count";

    // $1 chat, $2 user.
    private const string UnreadCountSql = $"""
        SELECT u.unread
        FROM {Schema}.chat_members m
        JOIN {Schema}.chats c ON c.id = m.chat_id
        {UnreadJoin}
        WHERE m.chat_id = $1 AND m.user_id = $2 AND m.left_at IS NULL
        """;

    // $1 chat, $2 user.
    private const string LockSql =
        $"SELECT 1 FROM {Schema}.chat_members WHERE chat_id = $1 AND user_id = $2 AND left_at IS NULL FOR UPDATE";

    // $1 chat, $2 user, $3 up to seq, $4 read (else delivered only).
    private const string MarkSql = $$"""
        WITH chat AS (
            SELECT c.id, c.last_seq, least(coalesce($3, c.last_seq), c.last_seq) AS target
            FROM {{Schema}}.chats c
            WHERE c.id = $1
        ), member AS (
            SELECT {{MarkColumns}}
            FROM {{Schema}}.chat_members m
            WHERE m.chat_id = $1 AND m.user_id = $2 AND m.left_at IS NULL
            FOR UPDATE
        ), step AS (
            SELECT o.chat_id, o.user_id, c.last_seq, clock_timestamp() AS at,
                   CASE WHEN $4 AND c.target > o.last_read_seq THEN c.target END AS read_to,
                   CASE WHEN c.target > o.last_delivered_seq THEN c.target END AS delivered_to
            FROM member o, chat c
        ), moved AS (
            UPDATE {{Schema}}.chat_members m SET
                last_read_seq        = greatest(m.last_read_seq, s.read_to),
                last_read_at         = CASE WHEN s.read_to IS NULL THEN m.last_read_at ELSE s.at END,
                last_delivered_seq   = greatest(m.last_delivered_seq, s.delivered_to),
                last_delivered_at    = CASE WHEN s.delivered_to IS NULL THEN m.last_delivered_at ELSE s.at END,
                unread_mention_count = CASE
                    WHEN s.read_to IS NULL THEN m.unread_mention_count
                    WHEN s.read_to >= s.last_seq THEN 0
                    ELSE (SELECT count(*) FROM {{Schema}}.messages x
                          WHERE x.chat_id = m.chat_id AND x.seq > s.read_to AND x.deleted_at IS NULL
                            AND x.mentions <> '{}' AND x.mentions @> ARRAY[m.user_id])
                END
            FROM step s
            WHERE m.chat_id = s.chat_id AND m.user_id = s.user_id
              AND (s.read_to IS NOT NULL OR s.delivered_to IS NOT NULL)
            RETURNING {{MarkColumns}}
        ), marks AS (
            INSERT INTO {{Schema}}.read_marks (chat_id, user_id, kind, up_to_seq, at)
            SELECT s.chat_id, s.user_id, v.kind, v.up_to_seq, s.at
            FROM step s, LATERAL (VALUES ('read', s.read_to), ('delivered', s.delivered_to)) AS v(kind, up_to_seq)
            WHERE v.up_to_seq IS NOT NULL
            ON CONFLICT DO NOTHING
        )
        SELECT {{MarkColumns}}, u.unread
        FROM (SELECT * FROM moved UNION ALL SELECT * FROM member WHERE NOT EXISTS (SELECT FROM moved)) m
        CROSS JOIN chat c
        {{UnreadJoin}}
        """;

    public async Task<long> GetUnreadCountAsync(Guid chatId, Guid userId)
    {
        await using var command = dataSource.CreateCommand(UnreadCountSql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = chatId });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        return await command.ExecuteScalarAsync() as long? ?? throw new InvalidOperationException($"{userId} is not a member of chat {chatId}.");
    }

    public async Task<ReadWatermark> MarkReadAsync(Guid chatId, Guid userId, long upToSeq)
    {
        // The member row locked first, in the same round trip and transaction, as the library does: the
        // marking statement's snapshot then sees a send that held the lock.
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(LockSql)
                {
                    Parameters = { new NpgsqlParameter<Guid> { TypedValue = chatId }, new NpgsqlParameter<Guid> { TypedValue = userId } },
                },
                new NpgsqlBatchCommand(MarkSql)
                {
                    Parameters =
                    {
                        new NpgsqlParameter<Guid> { TypedValue = chatId },
                        new NpgsqlParameter<Guid> { TypedValue = userId },
                        new NpgsqlParameter<long> { TypedValue = upToSeq },
                        new NpgsqlParameter<bool> { TypedValue = true },
                    },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync();
        await reader.NextResultAsync();
        if (!await reader.ReadAsync())
            throw new InvalidOperationException($"{userId} is not a member of chat {chatId}.");
        return new ReadWatermark(
            ChatId: reader.GetGuid(0),
            UserId: reader.GetGuid(1),
            LastDeliveredSeq: reader.GetInt64(2),
            LastDeliveredAt: reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
            LastReadSeq: reader.GetInt64(4),
            LastReadAt: reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
            UnreadCount: reader.GetInt64(7),
            UnreadMentionCount: reader.GetInt32(6));
    }
}
