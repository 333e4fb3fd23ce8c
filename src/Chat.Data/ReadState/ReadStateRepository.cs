using System.Data.Common;
using System.Runtime.CompilerServices;
using Chat.Data.Internal;

namespace Chat.Data.ReadState;

internal sealed class ReadStateRepository(ChatDatabase db) : IReadStateRepository
{
    // u.unread: the unread messages of a member in chat c, the member's row (or one holding its
    // last_read_seq) aliased by the caller. Arithmetic on the watermark, less the messages deleted for
    // everyone after it, counted over deleted rows only (messages_deleted_idx). A mark that overtook
    // this statement's snapshot of last_seq must not make it negative. An aggregate, so the planner
    // keeps it one subquery per row however often u.unread is used. The chat list counts with it too.
    internal static string UnreadJoin(string member) =>
        $$"""
        CROSS JOIN LATERAL (
            SELECT greatest(c.last_seq - {{member}}.last_read_seq - count(*), 0) AS unread
            FROM {schema}.messages d
            WHERE d.chat_id = c.id AND d.seq > {{member}}.last_read_seq AND d.deleted_at IS NOT NULL) u
        """;

    // A member's marks, in the order ReadWatermark reads them (the unread count follows).
    private const string MarkColumns =
        "m.chat_id, m.user_id, m.last_delivered_seq, m.last_delivered_at, m.last_read_seq, m.last_read_at, m.unread_mention_count";

    // One statement for both marks (@read: the read mark too, which implies delivery), after the
    // member row's lock in a statement of its own (ChatDatabase.QueryAfterLockAsync): concurrent
    // marks serialise on that lock and only ever move forward, and the second statement's snapshot
    // holds every send that bumped the row's mention count before the lock was granted (a send
    // updates the row, so a later one waits for this mark and bumps the count it leaves). A mark
    // past the newest message stops at it. read_marks gets one row per watermark that moved, never
    // a row per message.
    private static readonly string MarkSql =
        $$"""
        SELECT 1 FROM {schema}.chat_members WHERE chat_id = @chatId AND user_id = @userId AND left_at IS NULL FOR UPDATE;
        WITH chat AS (
            SELECT c.id, c.last_seq, least(coalesce(@upToSeq, c.last_seq), c.last_seq) AS target
            FROM {schema}.chats c
            WHERE c.id = @chatId
        ), member AS (
            SELECT {{MarkColumns}}
            FROM {schema}.chat_members m
            WHERE m.chat_id = @chatId AND m.user_id = @userId AND m.left_at IS NULL
            FOR UPDATE
        ), step AS (
            -- The time is read once the row is locked: now() (the transaction's start) could be
            -- earlier than the time of a mark that held the lock first, and times must rise with seqs.
            SELECT o.chat_id, o.user_id, c.last_seq, clock_timestamp() AS at,
                   CASE WHEN @read AND c.target > o.last_read_seq THEN c.target END AS read_to,
                   CASE WHEN c.target > o.last_delivered_seq THEN c.target END AS delivered_to
            FROM member o, chat c
        ), moved AS (
            UPDATE {schema}.chat_members m SET
                last_read_seq        = greatest(m.last_read_seq, s.read_to),
                last_read_at         = CASE WHEN s.read_to IS NULL THEN m.last_read_at ELSE s.at END,
                last_delivered_seq   = greatest(m.last_delivered_seq, s.delivered_to),
                last_delivered_at    = CASE WHEN s.delivered_to IS NULL THEN m.last_delivered_at ELSE s.at END,
                -- Recounted from the messages, so a count that drifted heals whenever the mark moves.
                unread_mention_count = CASE
                    WHEN s.read_to IS NULL THEN m.unread_mention_count
                    WHEN s.read_to >= s.last_seq THEN 0
                    ELSE (SELECT count(*) FROM {schema}.messages x
                          WHERE x.chat_id = m.chat_id AND x.seq > s.read_to AND x.deleted_at IS NULL
                            AND x.mentions <> '{}' AND x.mentions @> ARRAY[m.user_id])
                END
            FROM step s
            WHERE m.chat_id = s.chat_id AND m.user_id = s.user_id
              AND (s.read_to IS NOT NULL OR s.delivered_to IS NOT NULL)
            RETURNING {{MarkColumns}}
        ), marks AS (
            -- DO NOTHING: a member whose watermark was ever set back (re-added) may hold a mark at this seq.
            INSERT INTO {schema}.read_marks (chat_id, user_id, kind, up_to_seq, at)
            SELECT s.chat_id, s.user_id, v.kind, v.up_to_seq, s.at
            FROM step s, LATERAL (VALUES ('read', s.read_to), ('delivered', s.delivered_to)) AS v(kind, up_to_seq)
            WHERE v.up_to_seq IS NOT NULL
            ON CONFLICT DO NOTHING
        )
        -- The marks after the call: the moved row, else the locked row as it was.
        SELECT {{MarkColumns}}, u.unread
        FROM (SELECT * FROM moved UNION ALL SELECT * FROM member WHERE NOT EXISTS (SELECT FROM moved)) m
        CROSS JOIN chat c
        {{UnreadJoin("m")}}
        """;

    private static ReadWatermark ReadWatermark(DbDataReader r) => new(
        ChatId: r.GetGuid(0),
        UserId: r.GetGuid(1),
        LastDeliveredSeq: r.GetInt64(2),
        LastDeliveredAt: r.IsDBNull(3) ? null : r.GetFieldValue<DateTimeOffset>(3),
        LastReadSeq: r.GetInt64(4),
        LastReadAt: r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
        UnreadCount: r.GetInt64(7),
        UnreadMentionCount: r.GetInt32(6));

    public Task<ReadWatermark> MarkReadAsync(Guid chatId, Guid userId, long? upToSeq = null, CancellationToken cancellationToken = default) =>
        MarkAsync(chatId, userId, upToSeq, read: true, cancellationToken);

    public Task<ReadWatermark> MarkDeliveredAsync(Guid chatId, Guid userId, long? upToSeq = null, CancellationToken cancellationToken = default) =>
        MarkAsync(chatId, userId, upToSeq, read: false, cancellationToken);

    private async Task<ReadWatermark> MarkAsync(Guid chatId, Guid userId, long? upToSeq, bool read, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        Check.NotEmpty(chatId, nameof(chatId));
        Check.NotEmpty(userId, nameof(userId));
        if (upToSeq < 0)
            throw new ChatDataValidationException(nameof(upToSeq), $"a seq is 0 or more ({upToSeq} given).");

        var marks = await db.QueryAfterLockAsync(MarkSql, new { chatId, userId, upToSeq, read }, ReadWatermark, cancellationToken, operation: operation).ConfigureAwait(false);
        return marks.Count == 1 ? marks[0] : throw new NotAMemberException(chatId, userId);
    }

    private static readonly string UnreadCountSql = $$"""
        SELECT u.unread
        FROM {schema}.chat_members m
        JOIN {schema}.chats c ON c.id = m.chat_id
        {{UnreadJoin("m")}}
        WHERE m.chat_id = @chatId AND m.user_id = @userId AND m.left_at IS NULL
        """;

    public async Task<long> GetUnreadCountAsync(Guid chatId, Guid userId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        Check.NotEmpty(userId, nameof(userId));
        return await db.Replica.ExecuteScalarAsync<long?>(UnreadCountSql, new { chatId, userId }, cancellationToken).ConfigureAwait(false)
            ?? throw new NotAMemberException(chatId, userId);
    }

    private static readonly string UnreadTotalsSql = $$"""
        SELECT coalesce(sum(u.unread), 0)::bigint, (count(*) FILTER (WHERE u.unread > 0))::int, coalesce(sum(m.unread_mention_count), 0)::int
        FROM {schema}.chat_members m
        JOIN {schema}.chats c ON c.id = m.chat_id AND c.deleted_at IS NULL
        {{UnreadJoin("m")}}
        WHERE m.user_id = @userId AND m.left_at IS NULL
        """;

    public Task<UnreadTotals> GetUnreadTotalsAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        return db.Replica.QuerySingleOrDefaultAsync(
            UnreadTotalsSql,
            new { userId },
            static r => new UnreadTotals(Messages: r.GetInt64(0), Chats: r.GetInt32(1), Mentions: r.GetInt32(2)),
            cancellationToken)!;
    }

    // One row per recipient (or one row with no recipient), each with the message's id and seq.
    // Marks only move forward, so the first mark covering the seq (read_marks' primary key, in
    // up_to_seq order) is when the recipient got to the message.
    private static string ReceiptsSql(string seen) =>
        $$"""
        WITH message AS (
            SELECT m.id, m.chat_id, m.seq, m.sender_id, m.created_at FROM {schema}.messages m WHERE m.id = @messageId {{seen}}
        )
        SELECT g.id, g.seq, r.user_id, r.delivered, r.read,
               coalesce(r.delivered_at, r.read_at), r.read_at
        FROM message g
        LEFT JOIN LATERAL (
            SELECT m.user_id, m.joined_at,
                   m.last_delivered_seq >= g.seq AS delivered,
                   m.last_read_seq >= g.seq AS read,
                   (SELECT k.at FROM {schema}.read_marks k
                    WHERE k.chat_id = m.chat_id AND k.user_id = m.user_id AND k.kind = 'delivered' AND k.up_to_seq >= g.seq
                    ORDER BY k.up_to_seq LIMIT 1) AS delivered_at,
                   (SELECT k.at FROM {schema}.read_marks k
                    WHERE k.chat_id = m.chat_id AND k.user_id = m.user_id AND k.kind = 'read' AND k.up_to_seq >= g.seq
                    ORDER BY k.up_to_seq LIMIT 1) AS read_at
            FROM {schema}.chat_members m
            WHERE m.chat_id = g.chat_id AND m.left_at IS NULL AND m.joined_at <= g.created_at
              AND m.user_id IS DISTINCT FROM g.sender_id
        ) r ON true
        ORDER BY r.joined_at, r.user_id
        """;

    private readonly record struct ReceiptRow(Guid MessageId, long Seq, Receipt? Receipt);

    private static ReceiptRow ReadReceiptRow(DbDataReader r) => new(
        MessageId: r.GetGuid(0),
        Seq: r.GetInt64(1),
        Receipt: r.IsDBNull(2) ? null : new Receipt(
            UserId: r.GetGuid(2),
            State: r.GetBoolean(4) ? ReceiptState.Read : r.GetBoolean(3) ? ReceiptState.Delivered : ReceiptState.Sent,
            DeliveredAt: r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
            ReadAt: r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6)));

    private static readonly string ReceiptsSeenSql = ReceiptsSql("AND " + Viewer.SeesMessage("m"));

    private static readonly string ReceiptsUncheckedSql = ReceiptsSql("");

    public Task<MessageReceipts?> GetReceiptsAsync(Guid messageId, Guid viewerId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        Check.NotEmpty(viewerId, nameof(viewerId));
        return GetReceiptsAsync(ReceiptsSeenSql, new { messageId, viewerId }, cancellationToken);
    }

    public Task<MessageReceipts?> GetReceiptsUncheckedAsync(Guid messageId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        return GetReceiptsAsync(ReceiptsUncheckedSql, new { messageId }, cancellationToken);
    }

    private async Task<MessageReceipts?> GetReceiptsAsync(string sql, object param, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        var rows = await db.Replica.QueryAsync(sql, param, ReadReceiptRow, cancellationToken, operation: operation).ConfigureAwait(false);
        if (rows.Count == 0)
            return null;

        var recipients = rows.Where(row => row.Receipt is not null).Select(row => row.Receipt!).ToArray();
        return new MessageReceipts(
            MessageId: rows[0].MessageId,
            Seq: rows[0].Seq,
            Recipients: recipients,
            DeliveredCount: recipients.Count(x => x.State != ReceiptState.Sent),
            ReadCount: recipients.Count(x => x.State == ReceiptState.Read));
    }
}
