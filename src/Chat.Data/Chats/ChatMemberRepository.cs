using System.Data.Common;
using System.Runtime.CompilerServices;
using Chat.Data.Internal;
using Microsoft.Extensions.Options;

namespace Chat.Data.Chats;

internal sealed class ChatMemberRepository(ChatDatabase db, IOptions<ChatDataOptions> options) : IChatMemberRepository
{
    // Every query that returns memberships selects these columns in this order (from a row aliased m), for Read.
    private const string Columns =
        "m.chat_id, m.user_id, m.role, m.joined_at, m.left_at, m.removed_by, m.last_read_seq, m.last_read_at, m.last_delivered_seq, " +
        "m.last_delivered_at, m.unread_mention_count, m.muted_until, m.pinned_at, m.notification_level, m.cleared_seq, m.hidden_at, m.metadata";

    private const int ColumnCount = 17;

    // Statements that change who is in a chat, or who owns it, run after this one in the same batch
    // (ChatDatabase.QueryAfterLockAsync): the chat row lock serialises them with each other and with
    // the member-count trigger, and their own snapshot, taken once the lock is granted, shows the
    // members as they are. Taking the chat lock before any member row also keeps the lock order
    // (chat, then members) that sending a message uses, so the two cannot deadlock.
    private const string LockChat = "SELECT id FROM {schema}.chats WHERE id = @chatId FOR NO KEY UPDATE;";

    // The chat's topics as well: a member who leaves the chat leaves its topics (the trigger
    // chat_members_leave_topics), and each topic they owned is handed over in the same statement.
    private const string LockChatAndTopics =
        "SELECT id FROM {schema}.chats WHERE id = @chatId OR parent_chat_id = @chatId ORDER BY id FOR NO KEY UPDATE;";

    // Each topic of the chat that @userId owned passes, as the chat itself does, to its oldest active
    // admin, else member, else guest. Runs when the statement's CTE "leaving" yields a row.
    private const string TopicHandOver = """
        topic_heirs AS (
            SELECT DISTINCT ON (mine.chat_id) mine.chat_id, h.user_id
            FROM {schema}.chats t
            JOIN {schema}.chat_members mine ON mine.chat_id = t.id AND mine.user_id = @userId AND mine.left_at IS NULL AND mine.role = 'owner'
            JOIN {schema}.chat_members h ON h.chat_id = t.id AND h.user_id <> @userId AND h.left_at IS NULL
            WHERE t.parent_chat_id = @chatId AND EXISTS (SELECT FROM leaving)
            ORDER BY mine.chat_id, CASE h.role WHEN 'admin' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, h.joined_at, h.user_id
        ), topic_owners AS (
            UPDATE {schema}.chat_members m SET role = 'owner'
            FROM topic_heirs th
            WHERE m.chat_id = th.chat_id AND m.user_id = th.user_id
        )
        """;

    private const string ActiveMember = "chat_id = @chatId AND user_id = @userId AND left_at IS NULL";

    private readonly int _maxMembers = options.Value.MaxGroupMembers;

    private static ChatMember Read(DbDataReader r) => new(
        ChatId: r.GetGuid(0),
        UserId: r.GetGuid(1),
        Role: DbEnum<MemberRole>.FromDb(r.GetString(2)),
        JoinedAt: r.GetFieldValue<DateTimeOffset>(3),
        LeftAt: r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4),
        RemovedBy: r.IsDBNull(5) ? null : r.GetGuid(5),
        LastReadSeq: r.GetInt64(6),
        LastReadAt: r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7),
        LastDeliveredSeq: r.GetInt64(8),
        LastDeliveredAt: r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9),
        UnreadMentionCount: r.GetInt32(10),
        MutedUntil: r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
        PinnedAt: r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12),
        NotificationLevel: DbEnum<NotificationLevel>.FromDb(r.GetString(13)),
        ClearedSeq: r.GetInt64(14),
        HiddenAt: r.IsDBNull(15) ? null : r.GetFieldValue<DateTimeOffset>(15),
        Metadata: r.IsDBNull(16) ? null : r.GetString(16));

    public async Task<ChatMember> AddAsync(Guid chatId, Guid userId, MemberRole role = MemberRole.Member, CancellationToken cancellationToken = default)
    {
        CheckMember(chatId, userId);
        return (await AddAsync(chatId, [userId], AddedRole(role), cancellationToken).ConfigureAwait(false))[0];
    }

    public async Task<IReadOnlyList<ChatMember>> AddManyAsync(Guid chatId, IReadOnlyCollection<Guid> userIds, MemberRole role = MemberRole.Member, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        var ids = Check.Ids(userIds, nameof(userIds), int.MaxValue);
        var roleText = AddedRole(role);
        return ids.Length == 0 ? [] : await AddAsync(chatId, ids, roleText, cancellationToken).ConfigureAwait(false);
    }

    private static string AddedRole(MemberRole role)
    {
        var text = DbEnum<MemberRole>.ToDb(role, nameof(role));
        if (role == MemberRole.Owner)
            throw new NotPermittedException("A member cannot be added as owner: add them, then make them owner with ChangeRoleAsync.");
        return text;
    }

    // Only users who are not active members are written: new ones inserted, ones who had left
    // re-activated (joined now, their read marks kept); active ones are returned as they are. The
    // member limit counts the chat's active members (exact under the lock) plus those joining. The
    // columns after the membership's say why nothing was written, when nothing was.
    private const string AddSql =
        $$"""
        {{LockChat}}
        WITH chat AS (
            SELECT c.id, c.type, c.parent_chat_id, c.member_count FROM {schema}.chats c WHERE c.id = @chatId AND c.deleted_at IS NULL
        ), wanted AS (
            SELECT w.user_id, w.ord FROM unnest(@userIds) WITH ORDINALITY AS w(user_id, ord)
        ), active AS (
            SELECT a.user_id FROM {schema}.chat_members a
            WHERE a.chat_id = @chatId AND a.user_id = ANY(@userIds) AND a.left_at IS NULL
        ), parent_members AS (
            -- FOR SHARE: a member leaving the parent now waits for this to commit, so the trigger
            -- that takes leavers out of the parent's topics finds them in this one.
            SELECT pm.user_id FROM {schema}.chat_members pm JOIN chat ON pm.chat_id = chat.parent_chat_id
            WHERE pm.user_id = ANY(@userIds) AND pm.left_at IS NULL
            FOR SHARE OF pm
        ), outsider AS (
            SELECT w.user_id FROM wanted w, chat
            WHERE chat.parent_chat_id IS NOT NULL AND w.user_id NOT IN (SELECT user_id FROM parent_members)
            ORDER BY w.ord
            LIMIT 1
        ), checks AS (
            SELECT chat.type, chat.parent_chat_id, o.user_id AS outsider,
                   chat.type <> 'direct' AND o.user_id IS NULL
                   AND chat.member_count + (SELECT count(*) FROM wanted w WHERE w.user_id NOT IN (SELECT user_id FROM active)) <= @maxMembers AS ok
            FROM chat LEFT JOIN outsider o ON true
        ), added AS (
            INSERT INTO {schema}.chat_members AS m (chat_id, user_id, role)
            SELECT @chatId, w.user_id, @role
            FROM checks k, wanted w
            WHERE k.ok AND w.user_id NOT IN (SELECT user_id FROM active)
            ON CONFLICT (chat_id, user_id) DO UPDATE
                SET role = EXCLUDED.role, joined_at = now(), left_at = NULL, removed_by = NULL
            RETURNING m.*
        ), members AS (
            SELECT * FROM added
            UNION ALL
            SELECT m.* FROM {schema}.chat_members m WHERE m.chat_id = @chatId AND m.user_id IN (SELECT user_id FROM active)
        )
        SELECT {{Columns}}, k.type, k.parent_chat_id, k.outsider, k.ok
        FROM checks k
        LEFT JOIN (members m JOIN wanted w ON w.user_id = m.user_id) ON k.ok
        ORDER BY w.ord
        """;

    private async Task<List<ChatMember>> AddAsync(Guid chatId, Guid[] userIds, string role, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        var row = new { chatId, userIds, role, maxMembers = _maxMembers };
        if (userIds.Length > _maxMembers)
            throw new MemberLimitException(chatId, _maxMembers);

        var members = await db.QueryAfterLockAsync(AddSql, row, ReadAdded, cancellationToken, operation: operation).ConfigureAwait(false);
        return members.Count > 0 ? members : throw new ReferenceNotFoundException(nameof(chatId));

        ChatMember ReadAdded(DbDataReader r)
        {
            if (r.GetBoolean(ColumnCount + 3))
                return Read(r);
            if (DbEnum<ChatType>.FromDb(r.GetString(ColumnCount)) == ChatType.Direct)
                throw new NotPermittedException("A direct chat has exactly its two users; create a group instead.");
            if (!r.IsDBNull(ColumnCount + 2))
                throw new NotAMemberException(r.GetGuid(ColumnCount + 1), r.GetGuid(ColumnCount + 2));
            throw new MemberLimitException(chatId, _maxMembers);
        }
    }

    public async Task<bool> RemoveAsync(Guid chatId, Guid userId, Guid removedBy, CancellationToken cancellationToken = default)
    {
        CheckMember(chatId, userId);
        Check.NotEmpty(removedBy, nameof(removedBy));
        var target = await db.QueryAfterLockAsync(
            $$"""
            {{LockChatAndTopics}}
            WITH target AS (
                SELECT m.role, c.type FROM {schema}.chat_members m JOIN {schema}.chats c ON c.id = m.chat_id
                WHERE m.chat_id = @chatId AND m.user_id = @userId AND m.left_at IS NULL
            ), leaving AS (
                UPDATE {schema}.chat_members m SET left_at = now(), removed_by = @removedBy
                FROM target t
                WHERE m.chat_id = @chatId AND m.user_id = @userId AND t.type <> 'direct' AND t.role <> 'owner'
                RETURNING m.user_id
            ), {{TopicHandOver}}
            SELECT t.type, t.role FROM target t
            """,
            new { chatId, userId, removedBy },
            static r => (Type: DbEnum<ChatType>.FromDb(r.GetString(0)), Role: DbEnum<MemberRole>.FromDb(r.GetString(1))),
            cancellationToken).ConfigureAwait(false);
        if (target.Count == 0)
            return false;
        if (target[0].Type == ChatType.Direct)
            throw new NotPermittedException("Nobody is removed from a direct chat; hide it instead.");
        if (target[0].Role == MemberRole.Owner)
            throw new NotPermittedException("The owner cannot be removed: make another member owner first.");
        return true;
    }

    public async Task<LeaveResult> LeaveAsync(Guid chatId, Guid userId, CancellationToken cancellationToken = default)
    {
        CheckMember(chatId, userId);
        // An owner who leaves hands the chat to the oldest active admin, else the oldest active
        // member, else the oldest guest, in the same statement, so a group never has two owners or
        // none while it has members; so does each topic of the chat they owned.
        var result = await db.QueryAfterLockAsync(
            $$"""
            {{LockChatAndTopics}}
            WITH me AS (
                SELECT m.role, c.type FROM {schema}.chat_members m JOIN {schema}.chats c ON c.id = m.chat_id
                WHERE m.chat_id = @chatId AND m.user_id = @userId AND m.left_at IS NULL
            ), leaving AS (
                UPDATE {schema}.chat_members m SET left_at = now()
                FROM me
                WHERE m.chat_id = @chatId AND m.user_id = @userId AND me.type <> 'direct'
                RETURNING m.user_id
            ), {{TopicHandOver}}, heir AS (
                SELECT h.user_id FROM {schema}.chat_members h, me
                WHERE me.role = 'owner' AND me.type <> 'direct'
                  AND h.chat_id = @chatId AND h.user_id <> @userId AND h.left_at IS NULL
                ORDER BY CASE h.role WHEN 'admin' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, h.joined_at, h.user_id
                LIMIT 1
            ), promoted AS (
                UPDATE {schema}.chat_members m SET role = 'owner'
                FROM heir
                WHERE m.chat_id = @chatId AND m.user_id = heir.user_id
                RETURNING m.user_id
            )
            SELECT me.type = 'direct', (SELECT user_id FROM promoted) FROM me
            """,
            new { chatId, userId },
            static r => r.GetBoolean(0)
                ? throw new NotPermittedException("Nobody leaves a direct chat; hide it instead.")
                : new LeaveResult(true, r.IsDBNull(1) ? null : r.GetGuid(1)),
            cancellationToken).ConfigureAwait(false);
        return result.Count == 0 ? new LeaveResult(false, null) : result[0];
    }

    public async Task<ChatMember?> ChangeRoleAsync(Guid chatId, Guid userId, MemberRole role, CancellationToken cancellationToken = default)
    {
        CheckMember(chatId, userId);
        var row = new { chatId, userId, role = DbEnum<MemberRole>.ToDb(role, nameof(role)) };
        // The columns after the membership's say why it did not change: a direct chat has no roles,
        // and an owner stops being one only when another member becomes owner (the old one becomes
        // an admin, in the same statement), so a group always keeps one owner.
        var members = await db.QueryAfterLockAsync(
            $$"""
            {{LockChat}}
            WITH target AS (
                SELECT m.role, c.type FROM {schema}.chat_members m JOIN {schema}.chats c ON c.id = m.chat_id
                WHERE m.chat_id = @chatId AND m.user_id = @userId AND m.left_at IS NULL
            ), allowed AS (
                SELECT FROM target t WHERE t.type <> 'direct' AND (t.role <> 'owner' OR @role = 'owner')
            ), demoted AS (
                UPDATE {schema}.chat_members m SET role = 'admin'
                FROM allowed
                WHERE @role = 'owner' AND m.chat_id = @chatId AND m.user_id <> @userId AND m.role = 'owner' AND m.left_at IS NULL
            ), changed AS (
                UPDATE {schema}.chat_members m SET role = @role
                FROM allowed
                WHERE m.chat_id = @chatId AND m.user_id = @userId
                RETURNING m.*
            )
            SELECT {{Columns}}, t.type FROM target t LEFT JOIN changed m ON true
            """,
            row,
            static r => !r.IsDBNull(0) ? Read(r)
                : DbEnum<ChatType>.FromDb(r.GetString(ColumnCount)) == ChatType.Direct ? throw new NotPermittedException("A direct chat has no roles.")
                : throw new NotPermittedException("The owner stays owner until another member is made owner."),
            cancellationToken).ConfigureAwait(false);
        return members.Count == 0 ? null : members[0];
    }

    public Task<ChatMember?> FindAsync(Guid chatId, Guid userId, CancellationToken cancellationToken = default)
    {
        CheckMember(chatId, userId);
        return db.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.chat_members m WHERE m.chat_id = @chatId AND m.user_id = @userId""",
            new { chatId, userId }, Read, cancellationToken);
    }

    // Active members by join order; with a viewer, none unless they are one.
    private static string ListActiveSql(string seen) => $$"""
        SELECT {{Columns}} FROM {schema}.chat_members m
        WHERE m.chat_id = @chatId AND m.left_at IS NULL {{seen}}
          AND (@afterUserId IS NULL OR (m.joined_at, m.user_id) > (@afterJoinedAt, @afterUserId))
        ORDER BY m.joined_at, m.user_id
        LIMIT @take
        """;

    private static readonly string ListActiveSeenSql = ListActiveSql("AND " + Viewer.IsMember("@chatId"));

    private static readonly string ListActiveUncheckedSql = ListActiveSql("");

    public Task<Page<ChatMember>> ListActiveAsync(Guid chatId, Guid viewerId, string? cursor = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(viewerId, nameof(viewerId));
        return ListActiveAsync(ListActiveSeenSql, chatId, viewerId, cursor, limit, cancellationToken);
    }

    public Task<Page<ChatMember>> ListActiveUncheckedAsync(Guid chatId, string? cursor = null, int limit = 100, CancellationToken cancellationToken = default) =>
        ListActiveAsync(ListActiveUncheckedSql, chatId, null, cursor, limit, cancellationToken);

    private async Task<Page<ChatMember>> ListActiveAsync(string sql, Guid chatId, Guid? viewerId, string? cursor, int limit, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        Check.NotEmpty(chatId, nameof(chatId));
        Check.Limit(limit);
        var after = Cursor.Decode(cursor, 2);
        var row = new
        {
            chatId,
            viewerId,
            afterJoinedAt = after is null ? (DateTimeOffset?)null : Cursor.Time(after[0]),
            afterUserId = after is null ? (Guid?)null : Cursor.Guid(after[1]),
            take = limit + 1,
        };
        var members = await db.Replica.QueryAsync(sql, row, Read, cancellationToken, operation: operation).ConfigureAwait(false);
        if (members.Count <= limit)
            return new Page<ChatMember>(members, null);

        members.RemoveAt(limit);
        var last = members[^1];
        return new Page<ChatMember>(members, Cursor.Encode(Cursor.Text(last.JoinedAt), Cursor.Text(last.UserId)));
    }

    public Task<bool> SetPinnedAsync(Guid chatId, Guid userId, bool pinned, CancellationToken cancellationToken = default) =>
        UpdateActiveAsync(
            $$"""UPDATE {schema}.chat_members SET pinned_at = CASE WHEN @pinned THEN coalesce(pinned_at, now()) END WHERE {{ActiveMember}}""",
            chatId, userId, new { chatId, userId, pinned }, cancellationToken);

    public Task<bool> MuteAsync(Guid chatId, Guid userId, DateTimeOffset? until, CancellationToken cancellationToken = default) =>
        UpdateActiveAsync(
            $$"""UPDATE {schema}.chat_members SET muted_until = @until WHERE {{ActiveMember}}""",
            chatId, userId, new { chatId, userId, until = until?.ToUniversalTime() }, cancellationToken);

    public Task<bool> SetNotificationLevelAsync(Guid chatId, Guid userId, NotificationLevel level, CancellationToken cancellationToken = default) =>
        UpdateActiveAsync(
            $$"""UPDATE {schema}.chat_members SET notification_level = @level WHERE {{ActiveMember}}""",
            chatId, userId, new { chatId, userId, level = DbEnum<NotificationLevel>.ToDb(level, nameof(level)) }, cancellationToken);

    // Everything up to the chat's newest message is hidden from the member and counts as read and
    // delivered. A watermark that moves gets its read_marks row, as a mark-as-read would, so receipts
    // still say when the member got to each message. The member row is locked first, so the marks
    // are compared with its newest version.
    public Task<bool> ClearHistoryAsync(Guid chatId, Guid userId, CancellationToken cancellationToken = default) =>
        UpdateActiveAsync(
            """
            WITH member AS (
                SELECT m.chat_id, m.user_id, c.last_seq,
                       c.last_seq > m.last_read_seq AS read_moves, c.last_seq > m.last_delivered_seq AS delivery_moves
                FROM {schema}.chat_members m JOIN {schema}.chats c ON c.id = m.chat_id
                WHERE m.chat_id = @chatId AND m.user_id = @userId AND m.left_at IS NULL
                FOR UPDATE OF m
            ), marks AS (
                INSERT INTO {schema}.read_marks (chat_id, user_id, kind, up_to_seq, at)
                SELECT s.chat_id, s.user_id, v.kind, s.last_seq, now()
                FROM member s, LATERAL (VALUES ('read', s.read_moves), ('delivered', s.delivery_moves)) AS v(kind, moves)
                WHERE v.moves
                ON CONFLICT DO NOTHING
            )
            UPDATE {schema}.chat_members m SET
                cleared_seq          = s.last_seq,
                last_read_seq        = greatest(m.last_read_seq, s.last_seq),
                last_read_at         = CASE WHEN s.read_moves THEN now() ELSE m.last_read_at END,
                last_delivered_seq   = greatest(m.last_delivered_seq, s.last_seq),
                last_delivered_at    = CASE WHEN s.delivery_moves THEN now() ELSE m.last_delivered_at END,
                unread_mention_count = 0
            FROM member s
            WHERE m.chat_id = s.chat_id AND m.user_id = s.user_id
            """,
            chatId, userId, new { chatId, userId }, cancellationToken);

    public Task<bool> HideAsync(Guid chatId, Guid userId, CancellationToken cancellationToken = default) =>
        UpdateActiveAsync(
            $$"""UPDATE {schema}.chat_members SET hidden_at = now() WHERE {{ActiveMember}}""",
            chatId, userId, new { chatId, userId }, cancellationToken);

    /// <summary>Runs an UPDATE of one active membership; true when there was one.</summary>
    private async Task<bool> UpdateActiveAsync(string sql, Guid chatId, Guid userId, object param, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        CheckMember(chatId, userId);
        return await db.ExecuteAsync(sql, param, cancellationToken, operation: operation).ConfigureAwait(false) == 1;
    }

    private static void CheckMember(Guid chatId, Guid userId)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        Check.NotEmpty(userId, nameof(userId));
    }
}
