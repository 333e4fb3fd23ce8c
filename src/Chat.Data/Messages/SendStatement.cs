using System.Data.Common;
using Chat.Data.Internal;
using Npgsql;

namespace Chat.Data.Messages;

/// <summary>
/// The send statement: its SQL, its parameters made from validated rows, and each send's result read
/// back with what it means to the caller. <see cref="SendBatcher"/> decides which sends run together.
/// </summary>
internal static class SendStatement
{
    // Every send of a batch, one array element each. Each send's checks are evaluated on their own;
    // a refused send spends no seq and the last SELECT says which check failed. Each chat's row is
    // locked once, in id order, and takes as many seqs as it has accepted sends, with no gap.
    public const string Sql = $$"""
        WITH input AS (
            SELECT * FROM unnest(@Ids, @ChatIds, @SenderIds, @ClientMsgIds, @Types, @Contents, @Metadata,
                                 @ReplyToIds, @ThreadRootIds, @Mentions, @Flagged)
                WITH ORDINALITY AS i (id, chat_id, sender_id, client_msg_id, type, content, metadata,
                                      reply_to_id, thread_root_id, mentions, flagged, ord)
        ),
        checks AS (
            -- Every lookup is one index probe per send: a correlated scalar subquery, never hashed. The
            -- statement's generic plan cannot know a batch's size, and would otherwise scan whole tables.
            SELECT i.*,
                   c.id IS NOT NULL AS chat_found,
                   i.sender_id IS NULL OR coalesce((
                       SELECT true FROM {schema}.chat_members cm
                       WHERE cm.chat_id = i.chat_id AND cm.user_id = i.sender_id AND cm.left_at IS NULL), false) AS is_member,
                   i.reply_to_id IS NULL OR coalesce((
                       SELECT true FROM {schema}.messages r WHERE r.id = i.reply_to_id AND r.chat_id = i.chat_id), false) AS reply_ok,
                   i.thread_root_id IS NULL OR coalesce((
                       SELECT true FROM {schema}.messages t
                       WHERE t.id = i.thread_root_id AND t.chat_id = i.chat_id AND t.thread_root_id IS NULL), false) AS thread_ok,
                   (SELECT e.id FROM {schema}.messages e
                    WHERE e.chat_id = i.chat_id AND e.sender_id = i.sender_id AND e.client_msg_id = i.client_msg_id) AS existing_id,
                   -- In a direct chat, the other member has blocked the sender.
                   (SELECT b.blocker_id FROM {schema}.chat_members o
                    JOIN {schema}.user_blocks b ON b.blocker_id = o.user_id AND b.blocked_id = i.sender_id
                    WHERE c.type = 'direct' AND o.chat_id = c.id
                    LIMIT 1) AS blocked_by
            FROM input i
            LEFT JOIN LATERAL (
                SELECT c.id, c.type FROM {schema}.chats c WHERE c.id = i.chat_id AND c.deleted_at IS NULL LIMIT 1
            ) c ON true
        ),
        accepted AS (
            SELECT k.*, row_number() OVER (PARTITION BY k.chat_id ORDER BY k.ord) AS nth
            FROM checks k
            WHERE k.chat_found AND k.is_member AND k.blocked_by IS NULL AND k.reply_ok AND k.thread_ok AND k.existing_id IS NULL
        ),
        locked AS (
            -- Rows are locked after the sort, so every batch takes its chats' locks in one order and
            -- two batches cannot deadlock. Each row is the latest version: a chat deleted meanwhile drops out.
            SELECT c.id FROM {schema}.chats c
            WHERE c.id IN (SELECT a.chat_id FROM accepted a) AND c.deleted_at IS NULL
            ORDER BY c.id
            FOR UPDATE
        ),
        chat AS (
            UPDATE {schema}.chats c
            SET last_seq = c.last_seq + a.added, message_count = c.message_count + a.added,
                last_message_id = a.last_id, last_message_at = clock_timestamp(), archived_at = NULL
            FROM (SELECT chat_id, count(*) AS added, (array_agg(id ORDER BY ord DESC))[1] AS last_id
                  FROM accepted GROUP BY chat_id) a
            JOIN locked l ON l.id = a.chat_id
            WHERE c.id = a.chat_id
            RETURNING c.id, c.last_seq - a.added AS seq_before, c.last_message_at AS at
        ),
        inserted AS (
            INSERT INTO {schema}.messages AS m
                (id, chat_id, seq, sender_id, client_msg_id, type, content, metadata, reply_to_id, thread_root_id, mentions, flagged, created_at)
            SELECT a.id, a.chat_id, chat.seq_before + a.nth, a.sender_id, a.client_msg_id, a.type, a.content, CAST(a.metadata AS jsonb),
                   a.reply_to_id, a.thread_root_id, CAST(a.mentions AS uuid[]), a.flagged, chat.at
            FROM accepted a JOIN chat ON chat.id = a.chat_id
            RETURNING {{MessageRows.Columns}}
        ),
        members AS (
            -- A sender's marks move to its last message; a member mentioned by someone else counts one
            -- more unread mention per message. One update for both: a statement updates a row once.
            UPDATE {schema}.chat_members cm
            SET last_read_seq = greatest(cm.last_read_seq, coalesce(u.sent_seq, 0)),
                last_read_at = coalesce(u.sent_at, cm.last_read_at),
                last_delivered_seq = greatest(cm.last_delivered_seq, coalesce(u.sent_seq, 0)),
                last_delivered_at = coalesce(u.sent_at, cm.last_delivered_at),
                unread_mention_count = cm.unread_mention_count + CASE WHEN cm.left_at IS NULL THEN u.mentions ELSE 0 END
            FROM (
                SELECT chat_id, user_id, max(sent_seq) AS sent_seq, max(sent_at) AS sent_at, sum(mentions) AS mentions
                FROM (
                    SELECT m.chat_id, m.sender_id, m.seq, m.created_at, 0
                    FROM inserted m WHERE m.sender_id IS NOT NULL
                    UNION ALL
                    SELECT m.chat_id, mentioned.user_id, NULL, NULL, 1
                    FROM inserted m CROSS JOIN unnest(m.mentions) AS mentioned (user_id)
                    WHERE mentioned.user_id IS DISTINCT FROM m.sender_id
                ) AS each_member (chat_id, user_id, sent_seq, sent_at, mentions)
                GROUP BY chat_id, user_id
            ) u
            WHERE cm.chat_id = u.chat_id AND cm.user_id = u.user_id
        ),
        thread AS (
            UPDATE {schema}.messages t
            SET reply_count = t.reply_count + r.replies, last_reply_at = r.at
            FROM (SELECT thread_root_id, count(*) AS replies, max(created_at) AS at
                  FROM inserted WHERE thread_root_id IS NOT NULL GROUP BY thread_root_id) r
            WHERE t.id = r.thread_root_id
        )
        SELECT {{MessageRows.Columns}}, k.chat_found, k.is_member, k.reply_ok, k.thread_ok, k.blocked_by
        FROM checks k
        LEFT JOIN LATERAL (
            SELECT {{MessageRows.Columns}} FROM inserted m WHERE m.id = k.id
            UNION ALL
            SELECT {{MessageRows.Columns}} FROM {schema}.messages m WHERE m.id = k.existing_id
        ) m ON true
        ORDER BY k.ord
        """;

    // The statement as Npgsql runs it: positional parameters, in the order the names first appear, so
    // it sends the text as it is instead of rewriting named ones on every call.
    public static readonly string PositionalSql = Statement.Parse(Sql).Commands.Single().Sql;

    // A send's attachments, after the send in the same transaction: stored only if the send stored
    // its message (a refused send, or a retry that found its first message, inserted none).
    private const string AttachSql = """
        INSERT INTO {schema}.message_attachments
            (id, message_id, chat_id, kind, file_name, mime_type, size_bytes, storage_key, url, thumbnail_key,
             thumbnail_url, width, height, duration_ms, sort_order, scan_status, metadata)
        SELECT n.id, m.id, m.chat_id, n.kind, n.file_name, n.mime_type, n.size_bytes, n.storage_key, n.url, n.thumbnail_key,
               n.thumbnail_url, n.width, n.height, n.duration_ms, n.ord - 1, n.scan_status, CAST(n.metadata AS jsonb)
        FROM {schema}.messages m,
             unnest(@Ids, @Kinds, @FileNames, @MimeTypes, @Sizes, @StorageKeys, @Urls, @ThumbnailKeys,
                    @ThumbnailUrls, @Widths, @Heights, @Durations, @ScanStatuses, @Metadata)
                 WITH ORDINALITY AS n (id, kind, file_name, mime_type, size_bytes, storage_key, url, thumbnail_key,
                                       thumbnail_url, width, height, duration_ms, scan_status, metadata, ord)
        WHERE m.id = @MessageId
        """;

    private static readonly string PositionalAttachSql = Statement.Parse(AttachSql).Commands.Single().Sql;

    /// <summary>
    /// The commands of one run, for <see cref="ChatDatabase.RunBatchAsync{T}"/>: the send, and a lone
    /// send's attachments in the same transaction. Read the results with <see cref="ReadAsync"/>.
    /// </summary>
    public static List<NpgsqlBatchCommand> Commands(ChatDatabase db, List<SendRow> rows, AttachmentRules.Columns? attachments)
    {
        List<NpgsqlBatchCommand> commands =
        [
            // Planned once: the plan is the same for any batch (every lookup an index probe per send), but
            // PostgreSQL would plan it anew on every run, as its generic plan guesses 100 sends and looks
            // dearer than a plan for the batch's own few.
            new(ChatDatabase.PlanOnce),
            new(db.Sql(PositionalSql))
            {
                Parameters =
                {
                    Column(rows, r => r.Id),
                    Column(rows, r => r.ChatId),
                    Column(rows, r => r.SenderId),
                    Column(rows, r => r.ClientMsgId),
                    Column(rows, r => r.Type),
                    Column(rows, r => r.Content),
                    Column(rows, r => r.Metadata),
                    Column(rows, r => r.ReplyToId),
                    Column(rows, r => r.ThreadRootId),
                    // As uuid[] literals: an array of arrays of different lengths has no PostgreSQL type.
                    Column(rows, r => r.Mentions.Length == 0 ? "{}" : $"{{{string.Join(',', r.Mentions)}}}"),
                    Column(rows, r => r.Flagged),
                },
            },
        ];
        if (attachments is not null)
        {
            commands.Add(new NpgsqlBatchCommand(db.Sql(PositionalAttachSql))
            {
                Parameters =
                {
                    new NpgsqlParameter<Guid[]> { TypedValue = attachments.Ids },
                    new NpgsqlParameter<string[]> { TypedValue = attachments.Kinds },
                    new NpgsqlParameter<string?[]> { TypedValue = attachments.FileNames },
                    new NpgsqlParameter<string[]> { TypedValue = attachments.MimeTypes },
                    new NpgsqlParameter<long[]> { TypedValue = attachments.Sizes },
                    new NpgsqlParameter<string?[]> { TypedValue = attachments.StorageKeys },
                    new NpgsqlParameter<string?[]> { TypedValue = attachments.Urls },
                    new NpgsqlParameter<string?[]> { TypedValue = attachments.ThumbnailKeys },
                    new NpgsqlParameter<string?[]> { TypedValue = attachments.ThumbnailUrls },
                    new NpgsqlParameter<int?[]> { TypedValue = attachments.Widths },
                    new NpgsqlParameter<int?[]> { TypedValue = attachments.Heights },
                    new NpgsqlParameter<int?[]> { TypedValue = attachments.Durations },
                    new NpgsqlParameter<string[]> { TypedValue = attachments.ScanStatuses },
                    new NpgsqlParameter<string?[]> { TypedValue = attachments.Metadata },
                    new NpgsqlParameter<Guid> { TypedValue = rows[0].Id },
                },
            });
        }
        return commands;
    }

    /// <summary>The result of each send, in the order of the rows.</summary>
    public static async Task<SendResult[]> ReadAsync(NpgsqlDataReader reader, int count)
    {
        // The plan setting's row comes first. A started send is not cancelled, so no token.
        await reader.NextResultAsync().ConfigureAwait(false);
        var results = new SendResult[count];
        for (var i = 0; i < results.Length; i++)
        {
            await reader.ReadAsync().ConfigureAwait(false);
            results[i] = SendResult.Read(reader);
        }
        return results;
    }

    private static NpgsqlParameter<T[]> Column<T>(List<SendRow> rows, Func<SendRow, T> column)
    {
        // A loop, not Select: a send pays for its eleven columns on every call.
        var values = new T[rows.Count];
        for (var i = 0; i < values.Length; i++)
            values[i] = column(rows[i]);
        return new() { TypedValue = values };
    }
}

/// <summary>A validated message, as the send statement takes it.</summary>
internal sealed record SendRow(
    Guid Id, Guid ChatId, Guid? SenderId, string? ClientMsgId, string Type, string? Content, string? Metadata,
    Guid? ReplyToId, Guid? ThreadRootId, Guid[] Mentions, bool Flagged);

/// <summary>What the send statement found: the message stored (or the earlier one with its client id), and each check.</summary>
internal sealed record SendResult(Message? Message, bool ChatFound, bool IsMember, bool ReplyOk, bool ThreadOk, Guid? BlockedBy)
{
    public static SendResult Read(DbDataReader r) => new(
        MessageRows.ReadOptional(r),
        ChatFound: r.GetBoolean(MessageRows.After),
        IsMember: r.GetBoolean(MessageRows.After + 1),
        ReplyOk: r.GetBoolean(MessageRows.After + 2),
        ThreadOk: r.GetBoolean(MessageRows.After + 3),
        BlockedBy: r.IsDBNull(MessageRows.After + 4) ? null : r.GetGuid(MessageRows.After + 4));

    /// <summary>The message stored (or found by its client id), or the error that says which check refused the send.</summary>
    public Message MessageOrThrow(NewMessage message)
    {
        if (Message is { } stored)
            return stored;
        if (!ChatFound)
            throw new ReferenceNotFoundException(nameof(NewMessage.ChatId));
        if (!IsMember)
            throw new NotAMemberException(message.ChatId, message.SenderId!.Value);
        if (BlockedBy is { } blocker)
            throw new BlockedException(message.SenderId!.Value, blocker);
        if (!ReplyOk)
            throw new ChatDataValidationException(nameof(NewMessage.ReplyToId), "must be a message of the same chat.");
        if (!ThreadOk)
            throw new ChatDataValidationException(nameof(NewMessage.ThreadRootId), "must be a message of the same chat that is not itself a thread reply.");
        // Every check passed on the statement's snapshot, but the chat was deleted while it waited for the row.
        throw new ReferenceNotFoundException(nameof(NewMessage.ChatId));
    }
}
