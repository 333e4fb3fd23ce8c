using Chat.Data.Benchmarks.Host;
using Chat.Data.Chats;
using Chat.Data.Internal;
using Chat.Data.Messages;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Data.Benchmarks.Baselines;

/// <summary>The floor for the chat list and the direct chat: the library's statements (ChatRepository) by plain Npgsql.</summary>
internal sealed class HandWrittenChats(NpgsqlDataSource dataSource)
{
    private const string Schema = BenchDatabase.Schema;

    private const string Columns =
        "c.id, c.type, c.parent_chat_id, c.name, c.slug, c.description, c.icon, c.created_by, c.entity_type, c.entity_id, c.is_private, " +
        "c.archived_at, c.metadata, c.last_seq, c.last_message_id, c.last_message_at, c.message_count, c.member_count, c.created_at, c.updated_at, c.deleted_at";

    // $1 user, $2 after pinned at, $3 after activity, $4 after id (all null for the first page), $5 rows to read.
    private const string ListForUserSql = $"""
        WITH page AS (
            SELECT {Columns}, m.role, m.last_read_seq, m.unread_mention_count, m.muted_until, m.pinned_at, m.cleared_seq,
                   coalesce(m.pinned_at, '-infinity') AS pin_key, coalesce(c.last_message_at, c.created_at) AS activity_key
            FROM {Schema}.chat_members m
            JOIN {Schema}.chats c ON c.id = m.chat_id
            WHERE m.user_id = $1 AND m.left_at IS NULL AND c.deleted_at IS NULL
              AND (m.hidden_at IS NULL OR c.last_message_at > m.hidden_at)
              AND ($4 IS NULL
                   OR (coalesce(m.pinned_at, '-infinity'), coalesce(c.last_message_at, c.created_at), c.id)
                    < (coalesce($2, '-infinity'), $3, $4))
            ORDER BY pin_key DESC, activity_key DESC, c.id DESC
            LIMIT $5
        )
        SELECT {Columns}, c.role,
               greatest(c.last_seq - c.last_read_seq - (
                   SELECT count(*) FROM {Schema}.messages d
                   WHERE d.chat_id = c.id AND d.seq > c.last_read_seq AND d.deleted_at IS NOT NULL), 0),
               c.unread_mention_count, coalesce(c.muted_until > now(), false), c.pinned_at,
               preview.id, preview.seq, preview.sender_id, preview.type, preview.content, preview.created_at, preview.deleted_at IS NOT NULL
        FROM page c
        LEFT JOIN LATERAL (
            SELECT x.id, x.seq, x.sender_id, x.type, x.content, x.created_at, x.deleted_at
            FROM {Schema}.messages x
            WHERE x.chat_id = c.id AND x.seq > c.cleared_seq
              AND NOT EXISTS (SELECT FROM {Schema}.message_hides h WHERE h.user_id = $1 AND h.message_id = x.id)
            ORDER BY x.seq DESC
            LIMIT 1
        ) preview ON true
        ORDER BY c.pin_key DESC, c.activity_key DESC, c.id DESC
        """;

    private const string DirectKey = "least($1, $2)::text || ':' || greatest($1, $2)::text";

    // $1 user, $2 other user, $3 id of a new chat, $4 require a message request (as ChatDataOptions.RequireMessageRequestForNonContacts).
    // The checks' row always comes back, with the chat's columns and the members the statement added when there is a chat.
    private const string GetOrCreateDirectSql = $$"""
        WITH existing AS (
            SELECT {{Columns}}, 0 FROM {{Schema}}.chats c WHERE c.direct_key = {{DirectKey}}
        ), checks AS (
            SELECT EXISTS (
                       SELECT 1 FROM {{Schema}}.user_blocks b WHERE b.blocker_id = $2 AND b.blocked_id = $1) AS blocked,
                   NOT $4
                   OR EXISTS (
                       SELECT 1 FROM {{Schema}}.contacts k
                       WHERE k.owner_id = $1 AND k.contact_id = $2 AND k.status = 'accepted')
                   OR EXISTS (
                       SELECT 1 FROM {{Schema}}.message_requests r
                       WHERE (r.requester_id, r.recipient_id) IN (($1, $2), ($2, $1))
                         AND r.status = 'accepted') AS permitted
        ), c AS (
            INSERT INTO {{Schema}}.chats AS c (id, type, created_by, direct_key)
            SELECT $3, 'direct', $1, {{DirectKey}} FROM checks k
            WHERE NOT k.blocked AND k.permitted AND NOT EXISTS (SELECT 1 FROM existing)
            ON CONFLICT (direct_key) DO NOTHING
            RETURNING c.*
        ), members AS (
            INSERT INTO {{Schema}}.chat_members (chat_id, user_id)
            SELECT c.id, u.user_id FROM c, (VALUES ($1), ($2)) AS u(user_id)
            RETURNING 1
        ), restored AS (
            UPDATE {{Schema}}.chats c SET deleted_at = NULL
            FROM checks k
            WHERE c.direct_key = {{DirectKey}} AND c.deleted_at IS NOT NULL AND NOT k.blocked AND k.permitted
            RETURNING c.*
        )
        SELECT x.*, k.blocked, k.permitted
        FROM checks k
        LEFT JOIN (
            SELECT {{Columns}}, (SELECT count(*) FROM members)::int FROM c
            UNION ALL
            SELECT {{Columns}}, 0 FROM restored c
            UNION ALL
            SELECT * FROM existing e WHERE e.deleted_at IS NULL
        ) x ON true
        """;

    /// <summary>The first page of the user's chat list.</summary>
    public async Task<Page<ChatListItem>> ListForUserAsync(Guid userId, int limit)
    {
        await using var command = dataSource.CreateCommand(ListForUserSql);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = DBNull.Value });
        p.Add(new NpgsqlParameter<int> { TypedValue = limit + 1 });
        await using var reader = await command.ExecuteReaderAsync();
        var items = new List<ChatListItem>(limit + 1);
        while (await reader.ReadAsync())
            items.Add(Read(reader));
        return ChatListPage.Create(items, limit);
    }

    /// <summary>The pair's direct chat, created with both as members when there is none (with the library's default options).</summary>
    public async Task<ChatRoom> GetOrCreateDirectAsync(Guid userId, Guid otherUserId)
    {
        await using var command = dataSource.CreateCommand(GetOrCreateDirectSql);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        p.Add(new NpgsqlParameter<Guid> { TypedValue = otherUserId });
        p.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.CreateVersion7() });
        p.Add(new NpgsqlParameter<bool> { TypedValue = false });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        if (!reader.IsDBNull(0))
        {
            var chat = ReadChat(reader);
            return chat with { MemberCount = chat.MemberCount + reader.GetInt32(21) };
        }
        throw reader.GetBoolean(22)
            ? new BlockedException(userId, blockedBy: otherUserId)
            : new InvalidOperationException($"No direct chat of {userId} and {otherUserId}: a concurrent call created and deleted it.");
    }

    private static ChatListItem Read(NpgsqlDataReader r) => new(
        Chat: ReadChat(r),
        Role: DbEnum<MemberRole>.FromDb(r.GetString(21)),
        UnreadCount: r.GetInt64(22),
        UnreadMentionCount: r.GetInt32(23),
        IsMuted: r.GetBoolean(24),
        PinnedAt: r.IsDBNull(25) ? null : r.GetFieldValue<DateTimeOffset>(25),
        LastMessage: r.IsDBNull(26) ? null : new MessagePreview(
            Id: r.GetGuid(26),
            Seq: r.GetInt64(27),
            SenderId: r.IsDBNull(28) ? null : r.GetGuid(28),
            Type: DbEnum<MessageType>.FromDb(r.GetString(29)),
            Content: r.IsDBNull(30) ? null : r.GetString(30),
            CreatedAt: r.GetFieldValue<DateTimeOffset>(31),
            IsDeleted: r.GetBoolean(32)));

    private static ChatRoom ReadChat(NpgsqlDataReader r) => new(
        Id: r.GetGuid(0),
        Type: DbEnum<ChatType>.FromDb(r.GetString(1)),
        ParentChatId: r.IsDBNull(2) ? null : r.GetGuid(2),
        Name: r.IsDBNull(3) ? null : r.GetString(3),
        Slug: r.IsDBNull(4) ? null : r.GetString(4),
        Description: r.IsDBNull(5) ? null : r.GetString(5),
        Icon: r.IsDBNull(6) ? null : r.GetString(6),
        CreatedBy: r.IsDBNull(7) ? null : r.GetGuid(7),
        EntityType: r.IsDBNull(8) ? null : r.GetString(8),
        EntityId: r.IsDBNull(9) ? null : r.GetString(9),
        IsPrivate: r.GetBoolean(10),
        ArchivedAt: r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
        Metadata: r.IsDBNull(12) ? null : r.GetString(12),
        LastSeq: r.GetInt64(13),
        LastMessageId: r.IsDBNull(14) ? null : r.GetGuid(14),
        LastMessageAt: r.IsDBNull(15) ? null : r.GetFieldValue<DateTimeOffset>(15),
        MessageCount: r.GetInt64(16),
        MemberCount: r.GetInt32(17),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(18),
        UpdatedAt: r.GetFieldValue<DateTimeOffset>(19),
        DeletedAt: r.IsDBNull(20) ? null : r.GetFieldValue<DateTimeOffset>(20));
}
