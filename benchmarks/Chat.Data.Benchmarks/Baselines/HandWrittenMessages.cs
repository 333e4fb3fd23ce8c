using Chat.Data.Benchmarks.Host;
using Chat.Data.Internal;
using Chat.Data.Messages;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Data.Benchmarks.Baselines;

/// <summary>
/// The floor for messages: the library's own statements (MessageRepository), each in one round trip, run
/// by plain Npgsql with positional typed parameters and reads by ordinal. Only the anchors and options the
/// benchmarks use are passed; the statements are the library's whole ones, so keep them in step with it.
/// </summary>
internal sealed class HandWrittenMessages(NpgsqlDataSource dataSource)
{
    private const string Schema = BenchDatabase.Schema;

    private const string Columns =
        "m.id, m.chat_id, m.seq, m.sender_id, m.client_msg_id, m.type, m.content, m.metadata, m.reply_to_id, m.thread_root_id, " +
        "m.reply_count, m.last_reply_at, m.mentions, m.edited_at, m.deleted_at, m.deleted_by, m.flagged, m.created_at";

    private const int After = 18;

    private const string NotHidden = $"NOT EXISTS (SELECT 1 FROM {Schema}.message_hides h WHERE h.user_id = $2 AND h.message_id = m.id)";

    // The library's send statement for a batch (here of one), in its positional form, after the setting
    // that gives it its generic plan: $1 ids, $2 chats, $3 senders, $4 client ids, $5 types, $6 contents,
    // $7 metadata, $8 reply tos, $9 thread roots, $10 mentions (uuid[] literals), $11 flagged.
    private static readonly string SendSql = SendStatement.PositionalSql.Replace("{schema}", Schema, StringComparison.Ordinal);

    // $1 chat, $2 viewer, $3 up to, $4 older, $5 newer, $6 first unread, $7 around older, $8 around newer.
    private const string HistorySql = $"""
        WITH bounds AS (
            SELECT $1 AS chat_id, cm.user_id IS NOT NULL AS member, coalesce(cm.cleared_seq, 0) AS cleared_seq,
                   CASE WHEN u.unread THEN cm.last_read_seq + 1 ELSE $3 END AS up_to,
                   CASE WHEN u.unread THEN $7 ELSE $4 END AS older,
                   CASE WHEN u.unread THEN $8 ELSE $5 END AS newer
            FROM (VALUES (1)) AS one (x)
            LEFT JOIN {Schema}.chat_members cm ON cm.chat_id = $1 AND cm.user_id = $2 AND cm.left_at IS NULL
            LEFT JOIN {Schema}.chats c ON c.id = $1
            CROSS JOIN LATERAL (SELECT $6 AND cm.last_read_seq < c.last_seq AS unread) u
        )
        SELECT {Columns}, m.side, b.older, b.newer, b.member, b.chat_id,
               EXISTS (SELECT 1 FROM {Schema}.message_attachments a WHERE a.message_id = m.id),
               m.deleted_at IS NULL AND EXISTS (SELECT 1 FROM {Schema}.message_reactions r WHERE r.message_id = m.id)
        FROM bounds b
        LEFT JOIN LATERAL (
            (SELECT {Columns}, -1 AS side FROM {Schema}.messages m
             WHERE b.member AND m.chat_id = $1 AND m.seq <= b.up_to AND m.seq > b.cleared_seq AND {NotHidden}
             ORDER BY m.seq DESC LIMIT b.older + 1)
            UNION ALL
            (SELECT {Columns}, 1 AS side FROM {Schema}.messages m
             WHERE b.member AND m.chat_id = $1 AND m.seq > b.up_to AND m.seq > b.cleared_seq AND {NotHidden}
             ORDER BY m.seq LIMIT b.newer + 1)
        ) m ON true
        """;

    // $1 chat (NULL: all the viewer's chats), $2 viewer, $3 query, $4 pattern, $5 limit.
    private const string SearchSql = $"""
        SELECT {Columns},
               CAST(ts_rank(m.search_vector, websearch_to_tsquery('simple', $3))
                    + CASE WHEN m.content ILIKE $4 ESCAPE '\' THEN 0.1 ELSE 0 END AS double precision) AS rank
        FROM {Schema}.messages m
        JOIN {Schema}.chat_members cm ON cm.chat_id = m.chat_id AND cm.user_id = $2 AND cm.left_at IS NULL
        WHERE m.deleted_at IS NULL
          AND (m.search_vector @@ websearch_to_tsquery('simple', $3) OR m.content ILIKE $4 ESCAPE '\')
          AND ($1 IS NULL OR m.chat_id = $1)
          AND m.seq > cm.cleared_seq AND {NotHidden}
        ORDER BY rank DESC, m.created_at DESC
        LIMIT $5
        """;

    public async Task<Message> SendAsync(Guid chatId, Guid senderId, string clientMessageId, string content)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(ChatDatabase.PlanOnce));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(SendSql)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid[]> { TypedValue = [Guid.CreateVersion7()] },
                new NpgsqlParameter<Guid[]> { TypedValue = [chatId] },
                new NpgsqlParameter<Guid[]> { TypedValue = [senderId] },
                new NpgsqlParameter<string[]> { TypedValue = [clientMessageId] },
                new NpgsqlParameter<string[]> { TypedValue = ["text"] },
                new NpgsqlParameter<string[]> { TypedValue = [content] },
                new NpgsqlParameter<string?[]> { TypedValue = [null] },
                new NpgsqlParameter<Guid?[]> { TypedValue = [null] },
                new NpgsqlParameter<Guid?[]> { TypedValue = [null] },
                new NpgsqlParameter<string[]> { TypedValue = ["{}"] },
                new NpgsqlParameter<bool[]> { TypedValue = [false] },
            },
        });
        // Prepared, as auto-prepare prepares the library's batch once it is hot.
        await batch.PrepareAsync();
        await using var reader = await batch.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return reader.IsDBNull(0) ? throw new InvalidOperationException($"Send to chat {chatId} was refused.") : Read(reader);
    }

    /// <summary>The newest page (<paramref name="beforeSeq"/> null) or the page before a seq.</summary>
    public async Task<MessagePage> GetHistoryAsync(Guid chatId, Guid viewerId, long? beforeSeq, int limit)
    {
        // Planned once, as the library runs its pages (ChatDatabase.QueryPlannedOnceAsync), and prepared,
        // as auto-prepare prepares the library's batch once it is hot.
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(ChatDatabase.PlanOnce));
        var history = new NpgsqlBatchCommand(HistorySql);
        batch.BatchCommands.Add(history);
        var p = history.Parameters;
        p.Add(new NpgsqlParameter<Guid> { TypedValue = chatId });
        p.Add(new NpgsqlParameter<Guid> { TypedValue = viewerId });
        p.Add(new NpgsqlParameter<long> { TypedValue = beforeSeq - 1 ?? long.MaxValue });
        p.Add(new NpgsqlParameter<int> { TypedValue = limit });
        p.Add(new NpgsqlParameter<int> { TypedValue = 0 });
        p.Add(new NpgsqlParameter<bool> { TypedValue = false });
        p.Add(new NpgsqlParameter<int> { TypedValue = (limit + 1) / 2 });
        p.Add(new NpgsqlParameter<int> { TypedValue = limit / 2 });
        await batch.PrepareAsync();
        await using var reader = await batch.ExecuteReaderAsync();
        await reader.NextResultAsync();

        // Older rows come newest first, newer ones oldest first; each side has one more than it keeps.
        var older = new List<Message>(limit + 1);
        var newer = new List<Message>();
        int olderLimit = 0, newerLimit = 0;
        while (await reader.ReadAsync())
        {
            olderLimit = reader.GetInt32(After + 1);
            newerLimit = reader.GetInt32(After + 2);
            if (!reader.GetBoolean(After + 3))
                throw new InvalidOperationException($"{viewerId} is not a member of chat {chatId}.");
            // The library loads them in a second round trip; the seed has none, so it never makes one.
            if (reader.GetBoolean(After + 5) || reader.GetBoolean(After + 6))
                throw new InvalidOperationException("The floor does not load attachments or reactions, and the seed has none.");
            if (!reader.IsDBNull(0))
                (reader.GetInt32(After) < 0 ? older : newer).Add(Read(reader));
        }
        var reachedOldest = older.Count <= olderLimit;
        var reachedNewest = newer.Count <= newerLimit;
        if (!reachedOldest)
            older.RemoveAt(olderLimit);
        older.Reverse();
        if (!reachedNewest)
            newer.RemoveAt(newerLimit);
        older.AddRange(newer);
        return new MessagePage(older, reachedOldest, reachedNewest);
    }

    /// <summary>Search in one chat, or in all the user's chats when <paramref name="chatId"/> is null.</summary>
    public async Task<List<MessageSearchHit>> SearchAsync(Guid userId, string query, Guid? chatId, int limit)
    {
        // A batch: positional parameters take one statement per command.
        await using var batch = dataSource.CreateBatch();
        // Planned for the values on every run, as ChatDatabase.QueryPlannedPerRunAsync runs it.
        batch.BatchCommands.Add(new NpgsqlBatchCommand(ChatDatabase.PlanPerRun));
        var search = new NpgsqlBatchCommand(SearchSql);
        var p = search.Parameters;
        p.Add(chatId is { } id
            ? new NpgsqlParameter<Guid> { TypedValue = id }
            : new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = DBNull.Value });
        p.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        p.Add(new NpgsqlParameter<string> { TypedValue = query });
        p.Add(new NpgsqlParameter<string> { TypedValue = MessageFields.ContainsPattern(query) });
        p.Add(new NpgsqlParameter<int> { TypedValue = limit });
        batch.BatchCommands.Add(search);
        await using var reader = await batch.ExecuteReaderAsync();
        await reader.NextResultAsync();
        var hits = new List<MessageSearchHit>();
        while (await reader.ReadAsync())
            hits.Add(new MessageSearchHit(Read(reader), reader.GetDouble(After)));
        return hits;
    }

    private static Message Read(NpgsqlDataReader r) => new(
        Id: r.GetGuid(0),
        ChatId: r.GetGuid(1),
        Seq: r.GetInt64(2),
        SenderId: r.IsDBNull(3) ? null : r.GetGuid(3),
        ClientMessageId: r.IsDBNull(4) ? null : r.GetString(4),
        Type: DbEnum<MessageType>.FromDb(r.GetString(5)),
        Content: r.IsDBNull(6) ? null : r.GetString(6),
        Metadata: r.IsDBNull(7) ? null : r.GetString(7),
        ReplyToId: r.IsDBNull(8) ? null : r.GetGuid(8),
        ThreadRootId: r.IsDBNull(9) ? null : r.GetGuid(9),
        ReplyCount: r.GetInt32(10),
        LastReplyAt: r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
        Mentions: r.GetFieldValue<Guid[]>(12),
        EditedAt: r.IsDBNull(13) ? null : r.GetFieldValue<DateTimeOffset>(13),
        DeletedAt: r.IsDBNull(14) ? null : r.GetFieldValue<DateTimeOffset>(14),
        DeletedBy: r.IsDBNull(15) ? null : r.GetGuid(15),
        Flagged: r.GetBoolean(16),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(17));
}
