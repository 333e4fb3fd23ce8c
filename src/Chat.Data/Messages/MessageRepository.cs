using System.Data.Common;
using System.Runtime.CompilerServices;
using Chat.Data.Internal;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Chat.Data.Messages;

internal sealed class MessageRepository(ChatDatabase db, IOptions<ChatDataOptions> options) : IMessageRepository
{
    private readonly SendBatcher _sends = new(db);
    private readonly AttachmentRules _attachments = new(options.Value);

    // What a viewer sees: not the messages they hid ("delete for me"). Each query also drops the
    // ones at or below the viewer's cleared_seq, which it reads with the membership it checks.
    private const string NotHidden =
        "NOT EXISTS (SELECT 1 FROM {schema}.message_hides h WHERE h.user_id = @viewerId AND h.message_id = m.id)";

    // The next edit version is read from the statement's snapshot: an edit committed while this one
    // waited for the message's row lock can take the same number, and a retry's fresh snapshot sees it.
    // Each failed attempt means a competing edit committed, so with up to this many edits of one
    // message at once every one of them succeeds.
    private const int MaxEditAttempts = 10;

    // Without a listener the send is not wrapped at all: no span, and no state machine for one.
    public Task<Message> SendAsync(NewMessage message, CancellationToken cancellationToken = default) =>
        ChatDataTelemetry.Source.HasListeners() ? SendTracedAsync(message, cancellationToken) : SendOnceAsync(message, cancellationToken);

    private async Task<Message> SendTracedAsync(NewMessage message, CancellationToken cancellationToken)
    {
        using var activity = ChatDataTelemetry.Source.StartActivity("messages.send");
        try
        {
            var sent = await SendOnceAsync(message, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("chat_data.chat.id", sent.ChatId);
            activity?.SetTag("chat_data.message.id", sent.Id);
            return sent;
        }
        catch (Exception e) when (activity is not null)
        {
            ChatDataTelemetry.SetError(activity, e);
            throw;
        }
    }

    private async Task<Message> SendOnceAsync(NewMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Check.NotEmpty(message.ChatId, nameof(NewMessage.ChatId));
        var type = DbEnum<MessageType>.ToDb(message.Type, nameof(NewMessage.Type));
        var row = new SendRow(
            Id: Guid.CreateVersion7(),
            message.ChatId,
            SenderId: MessageFields.Sender(message.SenderId, message.Type, nameof(NewMessage.SenderId)),
            ClientMsgId: MessageFields.ClientMessageId(message.ClientMessageId, nameof(NewMessage.ClientMessageId)),
            Type: type,
            Content: MessageFields.Content(message.Content, message.Type, nameof(NewMessage.Content)),
            Metadata: Check.JsonObject(message.Metadata, nameof(NewMessage.Metadata)),
            ReplyToId: Check.OptionalId(message.ReplyToId, nameof(NewMessage.ReplyToId)),
            ThreadRootId: Check.OptionalId(message.ThreadRootId, nameof(NewMessage.ThreadRootId)),
            Mentions: Check.Ids(message.Mentions, nameof(NewMessage.Mentions), MessageFields.MaxMentions),
            message.Flagged);
        ArgumentNullException.ThrowIfNull(message.Attachments, nameof(NewMessage.Attachments));
        MessageFields.HasMedia(message.Type, row.Content, message.Attachments.Count, nameof(NewMessage.Attachments));
        if (message.Attachments.Count > _attachments.MaxPerMessage)
            throw new AttachmentLimitException(row.Id, _attachments.MaxPerMessage);
        var attachments = message.Attachments.Count == 0 ? null : _attachments.Validate(message.Attachments, nameof(NewMessage.Attachments));

        SendResult sent;
        try
        {
            sent = attachments is null
                ? await _sends.SendAsync(row, cancellationToken).ConfigureAwait(false)
                : await _sends.SendWithAttachmentsAsync(row, attachments, cancellationToken).ConfigureAwait(false);
        }
        catch (DuplicateException e) when (e.Field is "Id" or "ClientMsgId")
        {
            // Id: the batch holding this send committed but its reply was lost, so the send ran again
            // alone with the same id; the message it stored is its result. ClientMsgId: a concurrent
            // send with the same client id took the chat's lock first and committed; this statement
            // rolled back whole (no seq spent), and that message is the answer to this retry.
            // The send has run, so the token no longer applies (SendAsync's contract).
            var found = await db.QuerySingleOrDefaultAsync(
                $$"""
                SELECT {{MessageRows.Columns}} FROM {schema}.messages m WHERE m.id = @Id
                UNION ALL
                SELECT {{MessageRows.Columns}} FROM {schema}.messages m
                WHERE m.chat_id = @ChatId AND m.sender_id = @SenderId AND m.client_msg_id = @ClientMsgId
                LIMIT 1
                """,
                row, MessageRows.Read, CancellationToken.None).ConfigureAwait(false);
            if (found is null)
                throw;
            return found;
        }

        return sent.MessageOrThrow(message);
    }

    private static readonly string FindSeenSql =
        $$"""SELECT {{MessageRows.Columns}} FROM {schema}.messages m WHERE m.id = @messageId AND {{Viewer.SeesMessage("m")}}""";

    public Task<Message?> FindByIdAsync(Guid messageId, Guid viewerId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        Check.NotEmpty(viewerId, nameof(viewerId));
        return db.QuerySingleOrDefaultAsync(FindSeenSql, new { messageId, viewerId }, MessageRows.Read, cancellationToken);
    }

    public Task<Message?> FindByIdUncheckedAsync(Guid messageId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        return db.QuerySingleOrDefaultAsync(
            $$"""SELECT {{MessageRows.Columns}} FROM {schema}.messages m WHERE m.id = @messageId""",
            new { messageId }, MessageRows.Read, cancellationToken);
    }

    // Both pages read a window around b.up_to: up to b.older visible messages at or below it (newest
    // first) and b.newer above it (oldest first), each side fetching one more to tell whether it
    // reached the end. `bounds` yields one row (chat_id, member, cleared_seq, up_to, older, newer),
    // or none when the thread root does not exist; `scope` picks the rows, a range scan on (scope, seq).
    // Two index probes per message say whether it has attachments or reactions to show, so a page
    // with none costs no second round trip (MessageExtras).
    private static string PageSql(string bounds, string scope) => $$"""
        WITH bounds AS (
        {{bounds}}
        )
        SELECT {{MessageRows.Columns}}, m.side, b.older, b.newer, b.member, b.chat_id,
               EXISTS (SELECT 1 FROM {schema}.message_attachments a WHERE a.message_id = m.id),
               m.deleted_at IS NULL AND EXISTS (SELECT 1 FROM {schema}.message_reactions r WHERE r.message_id = m.id)
        FROM bounds b
        LEFT JOIN LATERAL (
            (SELECT {{MessageRows.Columns}}, -1 AS side FROM {schema}.messages m
             WHERE b.member AND {{scope}} AND m.seq <= b.up_to AND m.seq > b.cleared_seq AND {{NotHidden}}
             ORDER BY m.seq DESC LIMIT b.older + 1)
            UNION ALL
            (SELECT {{MessageRows.Columns}}, 1 AS side FROM {schema}.messages m
             WHERE b.member AND {{scope}} AND m.seq > b.up_to AND m.seq > b.cleared_seq AND {{NotHidden}}
             ORDER BY m.seq LIMIT b.newer + 1)
        ) m ON true
        """;

    // Internal for the test that checks its plan (EXPLAIN).
    internal static readonly string HistorySql = PageSql(
        bounds: """
            SELECT @chatId AS chat_id, cm.user_id IS NOT NULL AS member, coalesce(cm.cleared_seq, 0) AS cleared_seq,
                   CASE WHEN u.unread THEN cm.last_read_seq + 1 ELSE @UpTo END AS up_to,
                   CASE WHEN u.unread THEN @AroundOlder ELSE @Older END AS older,
                   CASE WHEN u.unread THEN @AroundNewer ELSE @Newer END AS newer
            FROM (VALUES (1)) AS one (x)
            LEFT JOIN {schema}.chat_members cm ON cm.chat_id = @chatId AND cm.user_id = @viewerId AND cm.left_at IS NULL
            LEFT JOIN {schema}.chats c ON c.id = @chatId
            -- First unread: around the first message after the read mark, when there is one.
            CROSS JOIN LATERAL (SELECT @FirstUnread AND cm.last_read_seq < c.last_seq AS unread) u
            """,
        scope: "m.chat_id = @chatId");

    public Task<MessagePage> GetHistoryAsync(Guid chatId, Guid viewerId, HistoryAnchor anchor, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        Check.NotEmpty(viewerId, nameof(viewerId));
        Check.Limit(limit);
        if (anchor.Seq < 0)
            throw new ChatDataValidationException(nameof(anchor), $"a seq of 0 or more is required ({anchor.Seq} given).");

        var around = Window.Around(anchor.Seq, limit);
        var window = anchor.Kind switch
        {
            HistoryAnchorKind.Latest or HistoryAnchorKind.FirstUnread => new Window(long.MaxValue, limit, 0),
            HistoryAnchorKind.Before => new Window(anchor.Seq - 1, limit, 0),
            HistoryAnchorKind.After => new Window(anchor.Seq, 0, limit),
            HistoryAnchorKind.Around => around,
            _ => throw new ChatDataValidationException(nameof(anchor), $"'{anchor.Kind}' is not a {nameof(HistoryAnchorKind)}."),
        };
        return PageAsync(
            HistorySql,
            new
            {
                chatId,
                viewerId,
                window.UpTo,
                window.Older,
                window.Newer,
                FirstUnread = anchor.Kind == HistoryAnchorKind.FirstUnread,
                AroundOlder = around.Older,
                AroundNewer = around.Newer,
            },
            viewerId, cancellationToken);
    }

    private static readonly string ThreadSql = PageSql(
        bounds: """
            SELECT r.chat_id, cm.user_id IS NOT NULL AS member, coalesce(cm.cleared_seq, 0) AS cleared_seq,
                   @afterSeq AS up_to, 0 AS older, @limit AS newer
            FROM {schema}.messages r
            LEFT JOIN {schema}.chat_members cm ON cm.chat_id = r.chat_id AND cm.user_id = @viewerId AND cm.left_at IS NULL
            WHERE r.id = @rootMessageId
            """,
        scope: "m.thread_root_id = @rootMessageId");

    public Task<MessagePage> GetThreadAsync(Guid rootMessageId, Guid viewerId, long? afterSeq = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(rootMessageId, nameof(rootMessageId));
        Check.NotEmpty(viewerId, nameof(viewerId));
        Check.Limit(limit);
        if (afterSeq < 0)
            throw new ChatDataValidationException(nameof(afterSeq), $"a seq of 0 or more is required ({afterSeq} given).");

        return PageAsync(ThreadSql, new { rootMessageId, viewerId, afterSeq = afterSeq ?? 0, limit }, viewerId, cancellationToken);
    }

    // Planned once (ChatDatabase.QueryPlannedOnceAsync): every value takes the same index walk, and at
    // 10M messages PostgreSQL planned the page for its values on every run, 1.5 ms of a 3 ms page.
    private async Task<MessagePage> PageAsync(string sql, object param, Guid viewerId, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        var rows = await db.Replica.QueryPlannedOnceAsync(
            sql, param,
            static r => new PageRow(
                MessageRows.ReadOptional(r),
                r.IsDBNull(MessageRows.After) ? 0 : r.GetInt32(MessageRows.After),
                r.GetInt32(MessageRows.After + 1),
                r.GetInt32(MessageRows.After + 2),
                r.GetBoolean(MessageRows.After + 3),
                r.GetGuid(MessageRows.After + 4),
                r.GetBoolean(MessageRows.After + 5),
                r.GetBoolean(MessageRows.After + 6)),
            cancellationToken, operation: operation).ConfigureAwait(false);
        // Only a thread's bounds can be missing: its root message does not exist.
        if (rows.Count == 0)
            throw new ReferenceNotFoundException("rootMessageId");
        var bounds = rows[0];
        if (!bounds.Member)
            throw new NotAMemberException(bounds.ChatId, viewerId);

        var older = rows.Where(r => r.Side < 0).ToList();
        var newer = rows.Where(r => r.Side > 0).ToList();
        var shown = older.Take(bounds.Older).Reverse().Concat(newer.Take(bounds.Newer)).ToList();
        var (attachments, reactions) = await MessageExtras.LoadAsync(
            db,
            shown.Where(r => r.HasAttachments).Select(r => r.Message!.Id).ToArray(),
            shown.Where(r => r.HasReactions).Select(r => r.Message!.Id).ToArray(),
            viewerId, cancellationToken).ConfigureAwait(false);
        return new MessagePage(shown.Select(r => r.Message!).ToList(), ReachedOldest: older.Count <= bounds.Older, ReachedNewest: newer.Count <= bounds.Newer)
        {
            Attachments = attachments,
            Reactions = reactions,
        };
    }

    public async Task<Message?> EditAsync(Guid messageId, Guid editorId, string content, string? metadata = null, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        Check.NotEmpty(editorId, nameof(editorId));
        var row = new
        {
            messageId,
            editorId,
            content = Check.Optional(content, nameof(content), MessageFields.MaxContentLength)
                ?? throw new ChatDataValidationException(nameof(content), "a value is required."),
            // Whether blank text is allowed depends on the message's type, which only the database knows.
            blank = string.IsNullOrWhiteSpace(content),
            metadata = Check.JsonObject(metadata, nameof(metadata)),
        };

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await EditOnceAsync(row, cancellationToken).ConfigureAwait(false);
            }
            catch (DuplicateException e) when (e.InnerException is PostgresException { ConstraintName: "message_edits_pkey" } pg)
            {
                if (attempt == MaxEditAttempts)
                    throw new ConcurrencyConflictException(pg);
            }
        }
    }

    private async Task<Message?> EditOnceAsync(object row, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        var edit = await db.QuerySingleOrDefaultAsync(
            $$"""
            WITH target AS (
                SELECT m.id, m.content, m.metadata,
                       m.type = 'system' AS is_system,
                       m.sender_id IS NOT DISTINCT FROM @editorId AS is_sender,
                       m.deleted_at IS NOT NULL AS is_deleted,
                       m.type = 'text' AND @blank AS is_blank_text
                FROM {schema}.messages m
                WHERE m.id = @messageId
                FOR NO KEY UPDATE
            ),
            allowed AS (
                SELECT t.id, t.content, t.metadata FROM target t
                WHERE NOT t.is_system AND t.is_sender AND NOT t.is_deleted AND NOT t.is_blank_text
            ),
            saved AS (
                INSERT INTO {schema}.message_edits (message_id, version, content, metadata, edited_at)
                SELECT a.id, coalesce((SELECT max(e.version) FROM {schema}.message_edits e WHERE e.message_id = a.id), 0) + 1,
                       a.content, a.metadata, now()
                FROM allowed a
            ),
            edited AS (
                UPDATE {schema}.messages m
                SET content = @content, metadata = coalesce(CAST(@metadata AS jsonb), m.metadata), edited_at = now()
                FROM allowed a
                WHERE m.id = a.id
                RETURNING {{MessageRows.Columns}}
            )
            SELECT {{MessageRows.Columns}}, t.is_system, t.is_sender, t.is_deleted, t.is_blank_text
            FROM target t
            LEFT JOIN edited m ON true
            """,
            row,
            static r => new EditResult(MessageRows.ReadOptional(r), r.GetBoolean(MessageRows.After), r.GetBoolean(MessageRows.After + 1), r.GetBoolean(MessageRows.After + 2), r.GetBoolean(MessageRows.After + 3)),
            cancellationToken, operation: operation).ConfigureAwait(false);

        if (edit is null)
            return null;
        if (edit.Message is { } edited)
            return edited;
        if (edit.IsSystem)
            throw new NotPermittedException("A system message cannot be edited.");
        if (!edit.IsSender)
            throw new NotPermittedException("Only the sender can edit a message.");
        if (edit.IsDeleted)
            throw new NotPermittedException("A message deleted for everyone cannot be edited.");
        throw new ChatDataValidationException("content", "a non-blank value is required for a text message.");
    }

    // The versions of message @messageId, oldest first; with a viewer, only a message they see.
    private static string EditsSql(string seen) => $$"""
        SELECT e.message_id, e.version, e.content, e.metadata, e.edited_at
        FROM {schema}.message_edits e
        JOIN {schema}.messages m ON m.id = e.message_id
        WHERE e.message_id = @messageId {{seen}}
        ORDER BY e.version
        """;

    private static readonly string EditsSeenSql = EditsSql("AND " + Viewer.SeesMessage("m"));

    private static readonly string EditsUncheckedSql = EditsSql("");

    public Task<IReadOnlyList<MessageEdit>> ListEditsAsync(Guid messageId, Guid viewerId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        Check.NotEmpty(viewerId, nameof(viewerId));
        return QueryEditsAsync(EditsSeenSql, new { messageId, viewerId }, cancellationToken);
    }

    public Task<IReadOnlyList<MessageEdit>> ListEditsUncheckedAsync(Guid messageId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        return QueryEditsAsync(EditsUncheckedSql, new { messageId }, cancellationToken);
    }

    private async Task<IReadOnlyList<MessageEdit>> QueryEditsAsync(string sql, object param, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        await db.Replica.QueryAsync(
            sql, param,
            static r => new MessageEdit(
                r.GetGuid(0),
                r.GetInt32(1),
                r.IsDBNull(2) ? null : r.GetString(2),
                r.IsDBNull(3) ? null : r.GetString(3),
                r.GetFieldValue<DateTimeOffset>(4)),
            cancellationToken, operation: operation).ConfigureAwait(false);

    public async Task<DeletedMessage?> DeleteForEveryoneAsync(Guid messageId, Guid deletedBy, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        Check.NotEmpty(deletedBy, nameof(deletedBy));
        // The locks come first, in a statement of their own (ChatDatabase.QueryAfterLockAsync): an
        // attachment added while this waited for the message's lock (AttachmentRepository.AddAsync holds
        // it) is in the next statement's snapshot, so it is deleted and its keys handed back, never left.
        var deleted = (await db.QueryAfterLockAsync(
            $$"""
            WITH chat AS (
                SELECT c.id FROM {schema}.chats c
                WHERE c.id = (SELECT m.chat_id FROM {schema}.messages m WHERE m.id = @messageId)
                FOR NO KEY UPDATE
            )
            SELECT m.id FROM chat JOIN {schema}.messages m ON m.chat_id = chat.id WHERE m.id = @messageId FOR NO KEY UPDATE OF m;
            WITH chat AS (
                -- The chat row first, as a send takes it: holding the message while waiting for the chat
                -- would deadlock with a send that holds the chat and bumps this message's reply count.
                SELECT c.id FROM {schema}.chats c
                WHERE c.id = (SELECT m.chat_id FROM {schema}.messages m WHERE m.id = @messageId)
                FOR NO KEY UPDATE
            ),
            target AS (
                SELECT {{MessageRows.Columns}},
                       m.sender_id IS NOT DISTINCT FROM @deletedBy OR EXISTS (
                           SELECT 1 FROM {schema}.chat_members cm
                           WHERE cm.chat_id = m.chat_id AND cm.user_id = @deletedBy AND cm.left_at IS NULL
                             AND cm.role IN ('owner', 'admin')) AS allowed
                FROM chat
                JOIN {schema}.messages m ON m.chat_id = chat.id
                WHERE m.id = @messageId
                FOR NO KEY UPDATE OF m
            ),
            deleted AS (
                UPDATE {schema}.messages m
                SET content = NULL, metadata = NULL, mentions = '{}', deleted_at = now(), deleted_by = @deletedBy
                FROM target t
                WHERE m.id = t.id AND t.allowed AND t.deleted_at IS NULL
                RETURNING {{MessageRows.Columns}}
            ),
            counted AS (
                UPDATE {schema}.chats c SET message_count = c.message_count - 1
                FROM deleted d
                WHERE c.id = d.chat_id
            ),
            attachments AS (
                DELETE FROM {schema}.message_attachments a
                USING deleted d
                WHERE a.message_id = d.id
                RETURNING a.storage_key, a.thumbnail_key
            )
            SELECT {{MessageRows.Columns}}, m.allowed,
                   ARRAY(SELECT k.key FROM attachments a, LATERAL (VALUES (a.storage_key), (a.thumbnail_key)) AS k (key)
                         WHERE k.key IS NOT NULL)
            FROM (
                SELECT {{MessageRows.Columns}}, true AS allowed FROM deleted m
                UNION ALL
                -- Deleted before (deleting twice returns it again, with no keys), or not allowed.
                SELECT {{MessageRows.Columns}}, m.allowed FROM target m WHERE NOT EXISTS (SELECT 1 FROM deleted)
            ) m
            """,
            new { messageId, deletedBy },
            static r => new DeleteResult(MessageRows.Read(r), r.GetBoolean(MessageRows.After), r.GetFieldValue<string[]>(MessageRows.After + 1)),
            cancellationToken).ConfigureAwait(false)).SingleOrDefault();

        if (deleted is null)
            return null;
        if (!deleted.Allowed)
            throw new NotPermittedException("Only the sender, or an owner or admin of the chat, can delete a message for everyone.");
        return new DeletedMessage(deleted.Message, deleted.StorageKeys);
    }

    public async Task<bool> HideForMeAsync(Guid messageId, Guid userId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        Check.NotEmpty(userId, nameof(userId));
        var target = await db.QuerySingleOrDefaultAsync(
            """
            WITH target AS (
                SELECT m.id, m.chat_id, EXISTS (
                           SELECT 1 FROM {schema}.chat_members cm
                           WHERE cm.chat_id = m.chat_id AND cm.user_id = @userId AND cm.left_at IS NULL) AS member
                FROM {schema}.messages m
                WHERE m.id = @messageId
            ),
            hidden AS (
                INSERT INTO {schema}.message_hides (message_id, user_id)
                SELECT t.id, @userId FROM target t WHERE t.member
                ON CONFLICT DO NOTHING
            )
            SELECT t.chat_id, t.member FROM target t
            """,
            new { messageId, userId },
            static r => new HideResult(r.GetGuid(0), r.GetBoolean(1)),
            cancellationToken).ConfigureAwait(false);

        if (target is null)
            return false;
        return target.Member ? true : throw new NotAMemberException(target.ChatId, userId);
    }

    // Full text ranks whole words; the substring match (trigram index) finds parts of words and
    // scripts the 'simple' parser cannot split (Chinese, Japanese, Thai), and earns a bonus.
    // The right plan depends on the values: a rare word is found through the GIN indexes, a common or
    // short one by reading the chat's rows, and @chatId makes it one chat or all of them. The planner
    // tells rare from common by search_vector's statistics, which count words down to about 1 message
    // in 20,000 (migration 0010_messages_search_statistics); with the default ones a word in 2,000 of
    // 10,000,000 messages looked common, and a search in a 2,000,000-message group read the group's
    // whole (chat_id, seq) index to narrow the GIN indexes' hits (80 ms instead of 10 ms). A generic
    // plan sees none of them and reads every message of the user's chats (300 ms instead of 5 ms in
    // the benchmark's 100,000-message group), so the query is planned for its values on every run
    // (ChatDatabase.QueryPlannedPerRunAsync).
    // Internal for the test that checks its plan (EXPLAIN).
    internal const string SearchSql = $$"""
        SELECT {{MessageRows.Columns}},
               CAST(ts_rank(m.search_vector, websearch_to_tsquery('simple', @query))
                    + CASE WHEN m.content ILIKE @pattern ESCAPE '\' THEN 0.1 ELSE 0 END AS double precision) AS rank
        FROM {schema}.messages m
        JOIN {schema}.chat_members cm ON cm.chat_id = m.chat_id AND cm.user_id = @viewerId AND cm.left_at IS NULL
        WHERE m.deleted_at IS NULL
          AND (m.search_vector @@ websearch_to_tsquery('simple', @query) OR m.content ILIKE @pattern ESCAPE '\')
          AND (@chatId IS NULL OR m.chat_id = @chatId)
          AND m.seq > cm.cleared_seq AND {{NotHidden}}
        ORDER BY rank DESC, m.created_at DESC
        LIMIT @limit
        """;

    public async Task<IReadOnlyList<MessageSearchHit>> SearchAsync(Guid userId, string query, Guid? chatId = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        Check.Required(query, nameof(query), MessageFields.MaxQueryLength);
        Check.OptionalId(chatId, nameof(chatId));
        Check.Limit(limit);

        return await db.Replica.QueryPlannedPerRunAsync(
            SearchSql,
            new { viewerId = userId, query, pattern = MessageFields.ContainsPattern(query), chatId, limit },
            static r => new MessageSearchHit(MessageRows.Read(r), r.GetDouble(MessageRows.After)),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<Page<Message>> ListMentionsAsync(Guid userId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        Check.Limit(limit);
        var after = Cursor.Decode(cursor, 2);

        // The mentions <> '{}' term lets the planner use the partial GIN index messages_mentions_idx.
        var rows = await db.Replica.QueryAsync(
            $$"""
            SELECT {{MessageRows.Columns}}
            FROM {schema}.messages m
            JOIN {schema}.chat_members cm ON cm.chat_id = m.chat_id AND cm.user_id = @viewerId AND cm.left_at IS NULL
            WHERE m.mentions @> ARRAY[@viewerId] AND m.mentions <> '{}'
              AND m.deleted_at IS NULL AND m.seq > cm.cleared_seq AND {{NotHidden}}
              AND (@afterAt IS NULL OR (m.created_at, m.id) < (@afterAt, @afterId))
            ORDER BY m.created_at DESC, m.id DESC
            LIMIT @limit + 1
            """,
            new
            {
                viewerId = userId,
                afterAt = after is null ? (DateTimeOffset?)null : Cursor.Time(after[0]),
                afterId = after is null ? (Guid?)null : Cursor.Guid(after[1]),
                limit,
            },
            MessageRows.Read, cancellationToken).ConfigureAwait(false);

        if (rows.Count <= limit)
            return new Page<Message>(rows, null);
        rows.RemoveAt(limit);
        var last = rows[^1];
        return new Page<Message>(rows, Cursor.Encode(Cursor.Text(last.CreatedAt), Cursor.Text(last.Id)));
    }

    /// <summary>A history page's shape: the seq it is around, and how many messages to take at or below it and above it.</summary>
    private readonly record struct Window(long UpTo, int Older, int Newer)
    {
        /// <summary>About half at or below the seq (itself included), the rest after it.</summary>
        public static Window Around(long seq, int limit) => new(seq, (limit + 1) / 2, limit - (limit + 1) / 2);
    }

    private sealed record PageRow(Message? Message, int Side, int Older, int Newer, bool Member, Guid ChatId, bool HasAttachments, bool HasReactions);

    private sealed record EditResult(Message? Message, bool IsSystem, bool IsSender, bool IsDeleted, bool IsBlankText);

    private sealed record DeleteResult(Message Message, bool Allowed, string[] StorageKeys);

    private sealed record HideResult(Guid ChatId, bool Member);
}
