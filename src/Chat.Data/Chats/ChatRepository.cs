using System.Data.Common;
using Chat.Data.Internal;
using Chat.Data.Messages;
using Chat.Data.ReadState;
using Microsoft.Extensions.Options;

namespace Chat.Data.Chats;

internal sealed class ChatRepository(ChatDatabase db, IOptions<ChatDataOptions> options) : IChatRepository
{
    // Every query that returns chats selects these columns in this order (from a row aliased c), for Read.
    private const string Columns =
        "c.id, c.type, c.parent_chat_id, c.name, c.slug, c.description, c.icon, c.created_by, c.entity_type, c.entity_id, c.is_private, " +
        "c.archived_at, c.metadata, c.last_seq, c.last_message_id, c.last_message_at, c.message_count, c.member_count, c.created_at, c.updated_at, c.deleted_at";

    private const int ColumnCount = 21;

    // One direct chat per pair: the key is built from the uuids' text in SQL, the form the members
    // trigger compares against when it checks that a direct chat has exactly its two users.
    private const string DirectKey = "least(@userId, @otherUserId)::text || ':' || greatest(@userId, @otherUserId)::text";

    // A statement that creates a chat returns it from its INSERT ... RETURNING, before the trigger
    // that counts members has run (it runs at the end of the statement); the statement adds the
    // number of members it inserted as one more column.
    private const string MembersAdded = "(SELECT count(*) FROM members)::int";

    // A concurrent call that created the same direct chat commits after this statement's snapshot
    // was taken: the statement then neither inserts nor sees it, and a retry (a fresh snapshot) does.
    private const int DirectChatAttempts = 3;

    private readonly int _maxMembers = options.Value.MaxGroupMembers;

    private readonly bool _requireMessageRequest = options.Value.RequireMessageRequestForNonContacts;

    private static ChatRoom Read(DbDataReader r) => new(
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

    /// <summary>A chat a statement has just created, read with the <see cref="MembersAdded"/> column after it.</summary>
    private static ChatRoom ReadCreated(DbDataReader r)
    {
        var chat = Read(r);
        return chat with { MemberCount = chat.MemberCount + r.GetInt32(ColumnCount) };
    }

    public async Task<ChatRoom> CreateGroupAsync(NewGroupChat group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        var id = Guid.CreateVersion7();
        var members = ChatFields.StartingMembers(group.CreatedBy, group.MemberIds, nameof(NewGroupChat.MemberIds));
        var entity = ChatFields.Entity(group.EntityType, group.EntityId, nameof(NewGroupChat.EntityType), nameof(NewGroupChat.EntityId));
        var row = new
        {
            Id = id,
            Name = ChatFields.Name(group.Name, nameof(NewGroupChat.Name)),
            Slug = group.Slug is null ? null : ChatFields.Slug(group.Slug, nameof(NewGroupChat.Slug)),
            Description = ChatFields.Description(group.Description, nameof(NewGroupChat.Description)),
            Icon = ChatFields.Icon(group.Icon, nameof(NewGroupChat.Icon)),
            group.CreatedBy,
            EntityType = entity.Type,
            EntityId = entity.Id,
            group.IsPrivate,
            Metadata = Check.JsonObject(group.Metadata, nameof(NewGroupChat.Metadata)),
            Members = members,
        };
        if (members.Length > _maxMembers)
            throw new MemberLimitException(id, _maxMembers);

        return (await db.QuerySingleOrDefaultAsync(
            $$"""
            WITH c AS (
                INSERT INTO {schema}.chats AS c (id, type, name, slug, description, icon, created_by, entity_type, entity_id, is_private, metadata)
                VALUES (@Id, 'group', @Name, @Slug, @Description, @Icon, @CreatedBy, @EntityType, @EntityId, @IsPrivate, CAST(@Metadata AS jsonb))
                RETURNING c.*
            ), members AS (
                INSERT INTO {schema}.chat_members (chat_id, user_id, role)
                SELECT c.id, m.user_id, CASE WHEN m.ord = 1 THEN 'owner' ELSE 'member' END
                FROM c, unnest(@Members) WITH ORDINALITY AS m(user_id, ord)
                RETURNING 1
            )
            SELECT {{Columns}}, {{MembersAdded}} FROM c
            """,
            row, ReadCreated, cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<ChatRoom> GetOrCreateDirectAsync(Guid userId, Guid otherUserId, CancellationToken cancellationToken = default)
    {
        CheckPair(userId, otherUserId);
        var row = new { id = Guid.CreateVersion7(), userId, otherUserId, requireRequest = _requireMessageRequest };
        for (var attempt = 1; ; attempt++)
        {
            // An existing chat is returned whatever the checks say, and no insert is tried for it (an
            // ON CONFLICT that finds the row costs more than the look-up). The checks only stop a new
            // one, or the restoring of a soft-deleted one: when the other user blocked this one, or (with the option) when the two are not
            // contacts and no message request between them was accepted. The row of checks always
            // comes back, with the chat's columns when there is one.
            var result = await db.QuerySingleOrDefaultAsync(
                $$"""
                WITH existing AS (
                    SELECT {{Columns}}, 0 FROM {schema}.chats c WHERE c.direct_key = {{DirectKey}}
                ), checks AS (
                    SELECT EXISTS (
                               SELECT 1 FROM {schema}.user_blocks b WHERE b.blocker_id = @otherUserId AND b.blocked_id = @userId) AS blocked,
                           NOT @requireRequest
                           OR EXISTS (
                               SELECT 1 FROM {schema}.contacts k
                               WHERE k.owner_id = @userId AND k.contact_id = @otherUserId AND k.status = 'accepted')
                           OR EXISTS (
                               SELECT 1 FROM {schema}.message_requests r
                               WHERE (r.requester_id, r.recipient_id) IN ((@userId, @otherUserId), (@otherUserId, @userId))
                                 AND r.status = 'accepted') AS permitted
                ), c AS (
                    INSERT INTO {schema}.chats AS c (id, type, created_by, direct_key)
                    SELECT @id, 'direct', @userId, {{DirectKey}} FROM checks k
                    WHERE NOT k.blocked AND k.permitted AND NOT EXISTS (SELECT 1 FROM existing)
                    ON CONFLICT (direct_key) DO NOTHING
                    RETURNING c.*
                ), members AS (
                    INSERT INTO {schema}.chat_members (chat_id, user_id)
                    SELECT c.id, u.user_id FROM c, (VALUES (@userId), (@otherUserId)) AS u(user_id)
                    RETURNING 1
                ), restored AS (
                    -- The pair's soft-deleted chat, the one their key names, comes back with its history,
                    -- on the checks a new chat needs.
                    UPDATE {schema}.chats c SET deleted_at = NULL
                    FROM checks k
                    WHERE c.direct_key = {{DirectKey}} AND c.deleted_at IS NOT NULL AND NOT k.blocked AND k.permitted
                    RETURNING c.*
                )
                SELECT x.*, k.blocked, k.permitted
                FROM checks k
                LEFT JOIN (
                    SELECT {{Columns}}, {{MembersAdded}} FROM c
                    UNION ALL
                    SELECT {{Columns}}, 0 FROM restored c
                    UNION ALL
                    SELECT * FROM existing e WHERE e.deleted_at IS NULL
                ) x ON true
                """,
                row,
                static r => new DirectResult(r.IsDBNull(0) ? null : ReadCreated(r), r.GetBoolean(ColumnCount + 1), r.GetBoolean(ColumnCount + 2)),
                cancellationToken).ConfigureAwait(false);
            if (result!.Chat is { } chat)
                return chat;
            if (result.Blocked)
                throw new BlockedException(userId, blockedBy: otherUserId);
            if (!result.Permitted)
                throw new MessageRequestRequiredException(userId, otherUserId);
            if (attempt == DirectChatAttempts)
                throw new ConcurrencyConflictException(new InvalidOperationException(
                    $"The direct chat of {userId} and {otherUserId} was created and deleted by concurrent calls {DirectChatAttempts} times."));
        }
    }

    public Task<ChatRoom?> FindDirectAsync(Guid userId, Guid otherUserId, CancellationToken cancellationToken = default)
    {
        CheckPair(userId, otherUserId);
        return db.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.chats c WHERE c.direct_key = {{DirectKey}} AND c.deleted_at IS NULL""",
            new { userId, otherUserId }, Read, cancellationToken);
    }

    private static void CheckPair(Guid userId, Guid otherUserId)
    {
        Check.NotEmpty(userId, nameof(userId));
        Check.NotEmpty(otherUserId, nameof(otherUserId));
        if (userId == otherUserId)
            throw new ChatDataValidationException(nameof(otherUserId), "a direct chat needs two different users.");
    }

    public async Task<ChatRoom> CreateTopicAsync(NewTopic topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var id = Guid.CreateVersion7();
        if (topic.ParentChatId is { } parent)
            Check.NotEmpty(parent, nameof(NewTopic.ParentChatId));
        else if (topic.EntityType is null && topic.EntityId is null)
            throw new ChatDataValidationException(nameof(NewTopic.EntityType), "a topic without a parent chat needs EntityType and EntityId.");
        var members = ChatFields.StartingMembers(topic.CreatedBy, topic.MemberIds, nameof(NewTopic.MemberIds));
        var entity = ChatFields.Entity(topic.EntityType, topic.EntityId, nameof(NewTopic.EntityType), nameof(NewTopic.EntityId));
        var row = new
        {
            Id = id,
            topic.ParentChatId,
            Name = ChatFields.Name(topic.Name, nameof(NewTopic.Name)),
            Description = ChatFields.Description(topic.Description, nameof(NewTopic.Description)),
            Icon = ChatFields.Icon(topic.Icon, nameof(NewTopic.Icon)),
            topic.CreatedBy,
            EntityType = entity.Type,
            EntityId = entity.Id,
            topic.IsPrivate,
            Metadata = Check.JsonObject(topic.Metadata, nameof(NewTopic.Metadata)),
            Members = members,
        };
        if (members.Length > _maxMembers)
            throw new MemberLimitException(id, _maxMembers);

        // Columns after the chat's: members added, whether the parent qualifies, the first starting
        // member (creator first) who is not an active member of the parent. Nothing is written unless
        // both checks pass.
        return (await db.QuerySingleOrDefaultAsync(
            $$"""
            WITH parent AS (
                SELECT p.id FROM {schema}.chats p
                WHERE p.id = @ParentChatId AND p.type <> 'topic' AND p.deleted_at IS NULL
            ), starting AS (
                SELECT s.user_id, s.ord FROM unnest(@Members) WITH ORDINALITY AS s(user_id, ord)
            ), parent_members AS (
                -- FOR SHARE: a member leaving the parent now waits for this topic to commit, so the
                -- trigger that takes leavers out of the parent's topics finds them in it.
                SELECT pm.user_id FROM {schema}.chat_members pm
                WHERE pm.chat_id = @ParentChatId AND pm.user_id = ANY(@Members) AND pm.left_at IS NULL
                FOR SHARE
            ), checks AS (
                SELECT @ParentChatId IS NULL OR EXISTS (SELECT FROM parent) AS parent_found,
                       (SELECT s.user_id FROM starting s
                        WHERE @ParentChatId IS NOT NULL AND s.user_id NOT IN (SELECT user_id FROM parent_members)
                        ORDER BY s.ord LIMIT 1) AS outsider
            ), c AS (
                INSERT INTO {schema}.chats AS c (id, type, parent_chat_id, name, description, icon, created_by, entity_type, entity_id, is_private, metadata)
                SELECT @Id, 'topic', @ParentChatId, @Name, @Description, @Icon, @CreatedBy, @EntityType, @EntityId, @IsPrivate, CAST(@Metadata AS jsonb)
                FROM checks WHERE parent_found AND outsider IS NULL
                RETURNING c.*
            ), members AS (
                INSERT INTO {schema}.chat_members (chat_id, user_id, role)
                SELECT c.id, s.user_id, CASE WHEN s.ord = 1 THEN 'owner' ELSE 'member' END
                FROM c, starting s
                RETURNING 1
            )
            SELECT {{Columns}}, {{MembersAdded}}, k.parent_found, k.outsider
            FROM checks k LEFT JOIN c ON true
            """,
            row, ReadTopic, cancellationToken).ConfigureAwait(false))!;

        ChatRoom ReadTopic(DbDataReader r)
        {
            if (!r.GetBoolean(ColumnCount + 1))
                throw new ReferenceNotFoundException(nameof(NewTopic.ParentChatId));
            if (!r.IsDBNull(ColumnCount + 2))
                throw new NotAMemberException(topic.ParentChatId!.Value, r.GetGuid(ColumnCount + 2));
            return ReadCreated(r);
        }
    }

    private static readonly string FindSeenSql =
        $$"""SELECT {{Columns}} FROM {schema}.chats c WHERE c.id = @chatId AND c.deleted_at IS NULL AND {{Viewer.IsMember("c.id")}}""";

    public Task<ChatRoom?> FindByIdAsync(Guid chatId, Guid viewerId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        Check.NotEmpty(viewerId, nameof(viewerId));
        return db.QuerySingleOrDefaultAsync(FindSeenSql, new { chatId, viewerId }, Read, cancellationToken);
    }

    public Task<ChatRoom?> FindByIdUncheckedAsync(Guid chatId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        return db.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.chats c WHERE c.id = @chatId AND c.deleted_at IS NULL""",
            new { chatId }, Read, cancellationToken);
    }

    public Task<ChatRoom?> FindBySlugAsync(string slug, CancellationToken cancellationToken = default)
    {
        ChatFields.Slug(slug, nameof(slug));
        return db.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.chats c WHERE c.slug = @slug AND c.deleted_at IS NULL""",
            new { slug }, Read, cancellationToken);
    }

    public async Task<IReadOnlyList<ChatRoom>> ListTopicsAsync(Guid parentChatId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(parentChatId, nameof(parentChatId));
        return await db.Replica.QueryAsync(
            $$"""
            SELECT {{Columns}} FROM {schema}.chats c
            WHERE c.parent_chat_id = @parentChatId AND c.deleted_at IS NULL
            ORDER BY c.created_at, c.id
            """,
            new { parentChatId }, Read, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ChatRoom>> ListByEntityAsync(string entityType, string entityId, CancellationToken cancellationToken = default)
    {
        var row = new
        {
            entityType = ChatFields.EntityType(entityType, nameof(entityType)),
            entityId = ChatFields.EntityId(entityId, nameof(entityId)),
        };
        return await db.QueryAsync(
            $$"""
            SELECT {{Columns}} FROM {schema}.chats c
            WHERE c.entity_type = @entityType AND c.entity_id = @entityId AND c.deleted_at IS NULL
            ORDER BY c.created_at, c.id
            """,
            row, Read, cancellationToken).ConfigureAwait(false);
    }

    // The list's order is total and all descending, so a row comparison continues it: the pin time
    // (unpinned chats as -infinity, after every pinned one), the latest activity, the id. The page
    // is cut first; unread counts and previews are worked out for its rows only. The preview is the
    // newest message the member can see: after what they cleared, not hidden by them.
    private static readonly string ListForUserSql =
        $$"""
        WITH page AS (
            SELECT {{Columns}}, m.role, m.last_read_seq, m.unread_mention_count, m.muted_until, m.pinned_at, m.cleared_seq,
                   coalesce(m.pinned_at, '-infinity') AS pin_key, coalesce(c.last_message_at, c.created_at) AS activity_key
            FROM {schema}.chat_members m
            JOIN {schema}.chats c ON c.id = m.chat_id
            WHERE m.user_id = @userId AND m.left_at IS NULL AND c.deleted_at IS NULL
              AND (m.hidden_at IS NULL OR c.last_message_at > m.hidden_at)
              AND (@afterId IS NULL
                   OR (coalesce(m.pinned_at, '-infinity'), coalesce(c.last_message_at, c.created_at), c.id)
                    < (coalesce(@afterPinnedAt, '-infinity'), @afterActivity, @afterId))
            ORDER BY pin_key DESC, activity_key DESC, c.id DESC
            LIMIT @take
        )
        SELECT {{Columns}}, c.role, u.unread, c.unread_mention_count, coalesce(c.muted_until > now(), false), c.pinned_at,
               preview.id, preview.seq, preview.sender_id, preview.type, preview.content, preview.created_at, preview.deleted_at IS NOT NULL
        FROM page c
        {{ReadStateRepository.UnreadJoin("c")}}
        LEFT JOIN LATERAL (
            SELECT x.id, x.seq, x.sender_id, x.type, x.content, x.created_at, x.deleted_at
            FROM {schema}.messages x
            WHERE x.chat_id = c.id AND x.seq > c.cleared_seq
              AND NOT EXISTS (SELECT FROM {schema}.message_hides h WHERE h.user_id = @userId AND h.message_id = x.id)
            ORDER BY x.seq DESC
            LIMIT 1
        ) preview ON true
        ORDER BY c.pin_key DESC, c.activity_key DESC, c.id DESC
        """;

    private static ChatListItem ReadListItem(DbDataReader r) => new(
        Chat: Read(r),
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

    public async Task<Page<ChatListItem>> ListForUserAsync(Guid userId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        Check.Limit(limit);
        var after = Cursor.Decode(cursor, 3);
        var row = new
        {
            userId,
            afterPinnedAt = after is null || after[0].Length == 0 ? (DateTimeOffset?)null : Cursor.Time(after[0]),
            afterActivity = after is null ? (DateTimeOffset?)null : Cursor.Time(after[1]),
            afterId = after is null ? (Guid?)null : Cursor.Guid(after[2]),
            take = limit + 1,
        };
        var items = await db.Replica.QueryAsync(ListForUserSql, row, ReadListItem, cancellationToken).ConfigureAwait(false);
        if (items.Count <= limit)
            return new Page<ChatListItem>(items, null);

        items.RemoveAt(limit);
        var last = items[^1];
        var next = Cursor.Encode(
            last.PinnedAt is { } pinnedAt ? Cursor.Text(pinnedAt) : "",
            Cursor.Text(last.Chat.LastMessageAt ?? last.Chat.CreatedAt),
            Cursor.Text(last.Chat.Id));
        return new Page<ChatListItem>(items, next);
    }

    public async Task<ChatRoom?> UpdateAsync(Guid chatId, ChatUpdate update, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        ArgumentNullException.ThrowIfNull(update);
        var row = new
        {
            chatId,
            Name = update.Name is null ? null : ChatFields.Name(update.Name, nameof(ChatUpdate.Name)),
            Slug = update.Slug is null or "" ? update.Slug : ChatFields.Slug(update.Slug, nameof(ChatUpdate.Slug)),
            Description = ChatFields.Description(update.Description, nameof(ChatUpdate.Description)),
            Icon = ChatFields.Icon(update.Icon, nameof(ChatUpdate.Icon)),
            update.IsPrivate,
            Metadata = Check.JsonObject(update.Metadata, nameof(ChatUpdate.Metadata)),
        };
        if (ChatFields.IsEmpty(update))
            return await FindByIdUncheckedAsync(chatId, cancellationToken).ConfigureAwait(false);

        // A direct chat has no name: a rename of one updates nothing, and the row of the chat found
        // (target) comes back without the chat's columns.
        return await db.QuerySingleOrDefaultAsync(
            $$"""
            WITH target AS (
                SELECT t.id, t.type FROM {schema}.chats t WHERE t.id = @chatId AND t.deleted_at IS NULL
            ), c AS (
                UPDATE {schema}.chats c SET
                    name        = coalesce(@Name, c.name),
                    slug        = CASE WHEN @Slug IS NULL THEN c.slug ELSE nullif(@Slug, '') END,
                    description = CASE WHEN @Description IS NULL THEN c.description ELSE nullif(@Description, '') END,
                    icon        = CASE WHEN @Icon IS NULL THEN c.icon ELSE nullif(@Icon, '') END,
                    is_private  = coalesce(@IsPrivate, c.is_private),
                    metadata    = coalesce(CAST(@Metadata AS jsonb), c.metadata),
                    updated_at  = now()
                FROM target t
                WHERE c.id = t.id AND (@Name IS NULL OR t.type <> 'direct')
                RETURNING c.*
            )
            SELECT {{Columns}} FROM target t LEFT JOIN c ON true
            """,
            row,
            r => r.IsDBNull(0) ? throw new ChatDataValidationException(nameof(ChatUpdate.Name), "a direct chat has no name.") : Read(r),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ArchiveAsync(Guid chatId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        return await db.ExecuteAsync(
            "UPDATE {schema}.chats SET archived_at = coalesce(archived_at, now()) WHERE id = @chatId AND deleted_at IS NULL",
            new { chatId }, cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> UnarchiveAsync(Guid chatId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        return await db.ExecuteAsync(
            "UPDATE {schema}.chats SET archived_at = NULL WHERE id = @chatId AND deleted_at IS NULL",
            new { chatId }, cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> SoftDeleteAsync(Guid chatId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        // Its topics go with it (a topic only exists while its parent does, so any row means the chat exists).
        return await db.ExecuteAsync(
            "UPDATE {schema}.chats SET deleted_at = coalesce(deleted_at, now()) WHERE id = @chatId OR parent_chat_id = @chatId",
            new { chatId }, cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<bool> DeleteAsync(Guid chatId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        // Foreign keys cascade to members, messages (and their edits, hides, attachments, read marks) and topics.
        return await db.ExecuteAsync(
            "DELETE FROM {schema}.chats WHERE id = @chatId",
            new { chatId }, cancellationToken).ConfigureAwait(false) == 1;
    }

    private sealed record DirectResult(ChatRoom? Chat, bool Blocked, bool Permitted);
}
