using System.Data.Common;
using Chat.Data.Internal;
using Microsoft.Extensions.Options;

namespace Chat.Data.Messages;

internal sealed class AttachmentRepository(ChatDatabase db, IOptions<ChatDataOptions> options) : IAttachmentRepository
{
    // Every query that returns attachments selects these columns in this order (from a row aliased a), for Read.
    private const string Columns =
        "a.id, a.message_id, a.chat_id, a.kind, a.file_name, a.mime_type, a.size_bytes, a.storage_key, a.url, a.thumbnail_key, " +
        "a.thumbnail_url, a.width, a.height, a.duration_ms, a.sort_order, a.scan_status, a.metadata, a.created_at";

    // The ordinal of the first column a query selects after Columns.
    private const int After = 18;

    private readonly AttachmentRules _rules = new(options.Value);

    internal static MessageAttachment Read(DbDataReader r) => new(
        Id: r.GetGuid(0),
        MessageId: r.GetGuid(1),
        ChatId: r.GetGuid(2),
        Kind: DbEnum<AttachmentKind>.FromDb(r.GetString(3)),
        FileName: r.IsDBNull(4) ? null : r.GetString(4),
        MimeType: r.IsDBNull(5) ? null : r.GetString(5),
        SizeBytes: r.IsDBNull(6) ? null : r.GetInt64(6),
        StorageKey: r.IsDBNull(7) ? null : r.GetString(7),
        Url: r.IsDBNull(8) ? null : r.GetString(8),
        ThumbnailKey: r.IsDBNull(9) ? null : r.GetString(9),
        ThumbnailUrl: r.IsDBNull(10) ? null : r.GetString(10),
        Width: r.IsDBNull(11) ? null : r.GetInt32(11),
        Height: r.IsDBNull(12) ? null : r.GetInt32(12),
        DurationMs: r.IsDBNull(13) ? null : r.GetInt32(13),
        SortOrder: r.GetInt32(14),
        ScanStatus: DbEnum<ScanStatus>.FromDb(r.GetString(15)),
        Metadata: r.IsDBNull(16) ? null : r.GetString(16),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(17));

    // The message row's lock serialises the adds to one message, and the batch's second statement
    // takes its snapshot once the lock is granted (ChatDatabase.QueryAfterLockAsync), so the count it
    // checks against the limit includes every add committed before: concurrent adds never exceed it.
    // The lock is the one DeleteForEveryoneAsync takes, so a message is never deleted mid-add either.
    private const string AddSql = $$"""
        SELECT m.id FROM {schema}.messages m WHERE m.id = @messageId FOR NO KEY UPDATE;
        WITH target AS (
            SELECT m.id, m.chat_id,
                   EXISTS (SELECT 1 FROM {schema}.chat_members cm
                           WHERE cm.chat_id = m.chat_id AND cm.user_id = @userId AND cm.left_at IS NULL) AS is_member,
                   m.sender_id IS NOT DISTINCT FROM @userId AS is_sender,
                   m.deleted_at IS NOT NULL AS is_deleted,
                   x.count + @count <= @max AS has_room,
                   x.next_order
            FROM {schema}.messages m
            CROSS JOIN LATERAL (
                SELECT count(*) AS count, coalesce(max(e.sort_order) + 1, 0) AS next_order
                FROM {schema}.message_attachments e WHERE e.message_id = m.id
            ) x
            WHERE m.id = @messageId
        ), added AS (
            INSERT INTO {schema}.message_attachments AS a
                (id, message_id, chat_id, kind, file_name, mime_type, size_bytes, storage_key, url, thumbnail_key,
                 thumbnail_url, width, height, duration_ms, sort_order, scan_status, metadata)
            SELECT n.id, t.id, t.chat_id, n.kind, n.file_name, n.mime_type, n.size_bytes, n.storage_key, n.url, n.thumbnail_key,
                   n.thumbnail_url, n.width, n.height, n.duration_ms, t.next_order + n.ord - 1, n.scan_status, CAST(n.metadata AS jsonb)
            FROM target t,
                 unnest(@Ids, @Kinds, @FileNames, @MimeTypes, @Sizes, @StorageKeys, @Urls, @ThumbnailKeys,
                        @ThumbnailUrls, @Widths, @Heights, @Durations, @ScanStatuses, @Metadata)
                     WITH ORDINALITY AS n (id, kind, file_name, mime_type, size_bytes, storage_key, url, thumbnail_key,
                                           thumbnail_url, width, height, duration_ms, scan_status, metadata, ord)
            WHERE t.is_member AND t.is_sender AND NOT t.is_deleted AND t.has_room
            RETURNING {{Columns}}
        )
        SELECT {{Columns}}, t.chat_id, t.is_member, t.is_sender, t.is_deleted
        FROM target t
        LEFT JOIN added a ON true
        ORDER BY a.sort_order
        """;

    public async Task<IReadOnlyList<MessageAttachment>> AddAsync(Guid messageId, Guid userId, IReadOnlyCollection<NewAttachment> attachments, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        Check.NotEmpty(userId, nameof(userId));
        ArgumentNullException.ThrowIfNull(attachments);
        if (attachments.Count > _rules.MaxPerMessage)
            throw new AttachmentLimitException(messageId, _rules.MaxPerMessage);
        var c = _rules.Validate(attachments, nameof(attachments));
        if (attachments.Count == 0)
            return [];

        var rows = await db.QueryAfterLockAsync(
            AddSql,
            new
            {
                messageId, userId, count = attachments.Count, max = _rules.MaxPerMessage,
                c.Ids, c.Kinds, c.FileNames, c.MimeTypes, c.Sizes, c.StorageKeys, c.Urls, c.ThumbnailKeys,
                c.ThumbnailUrls, c.Widths, c.Heights, c.Durations, c.ScanStatuses, c.Metadata,
            },
            static r => new AddRow(r.IsDBNull(0) ? null : Read(r), r.GetGuid(After), r.GetBoolean(After + 1), r.GetBoolean(After + 2), r.GetBoolean(After + 3)),
            cancellationToken).ConfigureAwait(false);

        if (rows.Count == 0)
            throw new ReferenceNotFoundException(nameof(messageId));
        if (rows[0].Attachment is not null)
            return rows.Select(r => r.Attachment!).ToList();
        var target = rows[0];
        if (!target.IsMember)
            throw new NotAMemberException(target.ChatId, userId);
        if (!target.IsSender)
            throw new NotPermittedException("Only the sender adds attachments to a message.");
        if (target.IsDeleted)
            throw new NotPermittedException("A message deleted for everyone takes no attachments.");
        throw new AttachmentLimitException(messageId, _rules.MaxPerMessage);
    }

    private static readonly string FindSeenSql = $$"""
        SELECT {{Columns}} FROM {schema}.message_attachments a
        JOIN {schema}.messages m ON m.id = a.message_id
        WHERE a.id = @attachmentId AND {{Viewer.SeesMessage("m")}}
        """;

    public Task<MessageAttachment?> FindByIdAsync(Guid attachmentId, Guid viewerId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(attachmentId, nameof(attachmentId));
        Check.NotEmpty(viewerId, nameof(viewerId));
        return db.QuerySingleOrDefaultAsync(FindSeenSql, new { attachmentId, viewerId }, Read, cancellationToken);
    }

    public Task<MessageAttachment?> FindByIdUncheckedAsync(Guid attachmentId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(attachmentId, nameof(attachmentId));
        return db.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.message_attachments a WHERE a.id = @attachmentId""",
            new { attachmentId }, Read, cancellationToken);
    }

    public async Task<IReadOnlyList<MessageAttachment>> ListAsync(Guid messageId, Guid viewerId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        return (await ListForMessagesAsync([messageId], viewerId, cancellationToken).ConfigureAwait(false))[messageId].ToList();
    }

    public async Task<IReadOnlyList<MessageAttachment>> ListUncheckedAsync(Guid messageId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        return await db.Replica.QueryAsync(ForMessagesSql, new { attachmentIds = new[] { messageId } }, Read, cancellationToken).ConfigureAwait(false);
    }

    // Also the first statement of a history page's extras (MessageExtras): parameter @attachmentIds.
    internal const string ForMessagesSql = $$"""
        SELECT {{Columns}} FROM {schema}.message_attachments a
        WHERE a.message_id = ANY(@attachmentIds)
        ORDER BY a.message_id, a.sort_order, a.id
        """;

    // The messages the viewer sees among @attachmentIds, each one's attachments.
    private static readonly string ForSeenMessagesSql = $$"""
        SELECT {{Columns}} FROM {schema}.message_attachments a
        JOIN {schema}.messages m ON m.id = a.message_id
        WHERE a.message_id = ANY(@attachmentIds) AND {{Viewer.SeesMessage("m")}}
        ORDER BY a.message_id, a.sort_order, a.id
        """;

    public async Task<ILookup<Guid, MessageAttachment>> ListForMessagesAsync(IReadOnlyCollection<Guid> messageIds, Guid viewerId, CancellationToken cancellationToken = default)
    {
        var attachmentIds = Check.Ids(messageIds, nameof(messageIds), MessageExtras.MaxMessages);
        Check.NotEmpty(viewerId, nameof(viewerId));
        if (attachmentIds.Length == 0)
            return MessageExtras.NoAttachments;
        var attachments = await db.QueryAsync(ForSeenMessagesSql, new { attachmentIds, viewerId }, Read, cancellationToken).ConfigureAwait(false);
        return attachments.ToLookup(a => a.MessageId);
    }

    public async Task<ILookup<Guid, MessageAttachment>> ListForMessagesUncheckedAsync(IReadOnlyCollection<Guid> messageIds, CancellationToken cancellationToken = default)
    {
        var attachmentIds = Check.Ids(messageIds, nameof(messageIds), MessageExtras.MaxMessages);
        if (attachmentIds.Length == 0)
            return MessageExtras.NoAttachments;
        var attachments = await db.Replica.QueryAsync(ForMessagesSql, new { attachmentIds }, Read, cancellationToken).ConfigureAwait(false);
        return attachments.ToLookup(a => a.MessageId);
    }

    // Each kind is a range scan of message_attachments_gallery_idx from the cursor down, stopped after
    // a page; the pages merge newest first. Rows of messages the viewer hid or cleared are skipped.
    // Internal for the test that checks its plan (EXPLAIN).
    internal const string GallerySql = $$"""
        WITH viewer AS (
            SELECT cm.cleared_seq
            FROM (VALUES (1)) AS one (x)
            LEFT JOIN {schema}.chat_members cm ON cm.chat_id = @chatId AND cm.user_id = @viewerId AND cm.left_at IS NULL
        )
        SELECT {{Columns}}, v.cleared_seq IS NOT NULL AS member
        FROM viewer v
        LEFT JOIN LATERAL (
            SELECT a.* FROM unnest(@kinds) AS k (kind)
            CROSS JOIN LATERAL (
                SELECT {{Columns}}
                FROM {schema}.message_attachments a
                JOIN {schema}.messages m ON m.id = a.message_id
                WHERE a.chat_id = @chatId AND a.kind = k.kind AND (a.created_at, a.id) < (@afterAt, @afterId)
                  AND m.seq > v.cleared_seq
                  AND NOT EXISTS (SELECT 1 FROM {schema}.message_hides h WHERE h.user_id = @viewerId AND h.message_id = a.message_id)
                ORDER BY a.created_at DESC, a.id DESC
                LIMIT @limit + 1
            ) a
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT @limit + 1
        ) a ON v.cleared_seq IS NOT NULL
        ORDER BY a.created_at DESC, a.id DESC
        """;

    private static readonly string[] AllKinds = Enum.GetValues<AttachmentKind>().Select(k => DbEnum<AttachmentKind>.ToDb(k, "kinds")).ToArray();

    public async Task<Page<MessageAttachment>> GetGalleryAsync(Guid chatId, Guid viewerId, IReadOnlyCollection<AttachmentKind>? kinds = null, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        Check.NotEmpty(viewerId, nameof(viewerId));
        var kindTexts = kinds is null || kinds.Count == 0
            ? AllKinds
            : kinds.Select((k, i) => DbEnum<AttachmentKind>.ToDb(k, $"kinds[{i}]")).Distinct().ToArray();
        Check.Limit(limit);
        var after = Cursor.Decode(cursor, 2);

        var rows = await db.Replica.QueryAsync(
            GallerySql,
            new
            {
                chatId,
                viewerId,
                kinds = kindTexts,
                // The first page starts above every key, so every page is the same range scan.
                afterAt = after is null ? DateTimeOffset.MaxValue : Cursor.Time(after[0]),
                afterId = after is null ? Guid.AllBitsSet : Cursor.Guid(after[1]),
                limit,
            },
            static r => (Attachment: r.IsDBNull(0) ? null : Read(r), Member: r.GetBoolean(After)),
            cancellationToken).ConfigureAwait(false);

        if (!rows[0].Member)
            throw new NotAMemberException(chatId, viewerId);
        return ToPage(rows.Where(r => r.Attachment is not null).Select(r => r.Attachment!).ToList(), limit);
    }

    public Task<MessageAttachment?> SetScanStatusAsync(Guid attachmentId, ScanStatus status, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(attachmentId, nameof(attachmentId));
        return db.QuerySingleOrDefaultAsync(
            $$"""
            UPDATE {schema}.message_attachments a SET scan_status = @status
            WHERE a.id = @attachmentId
            RETURNING {{Columns}}
            """,
            new { attachmentId, status = DbEnum<ScanStatus>.ToDb(status, nameof(status)) },
            Read, cancellationToken);
    }

    // A range scan of message_attachments_pending_scan_idx (pending rows only, by created_at) from the
    // cursor's time, which the planner takes from the row comparison, so a deep page does not rescan
    // the queue. Internal for the test that checks its plan (EXPLAIN).
    internal const string PendingScansSql = $$"""
        SELECT {{Columns}} FROM {schema}.message_attachments a
        WHERE a.scan_status = 'pending' AND (a.created_at, a.id) > (@afterAt, @afterId)
        ORDER BY a.created_at, a.id
        LIMIT @limit + 1
        """;

    public async Task<Page<MessageAttachment>> ListPendingScansAsync(string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.Limit(limit);
        var after = Cursor.Decode(cursor, 2);
        var rows = await db.QueryAsync(
            PendingScansSql,
            new
            {
                afterAt = after is null ? DateTimeOffset.MinValue : Cursor.Time(after[0]),
                afterId = after is null ? Guid.Empty : Cursor.Guid(after[1]),
                limit,
            },
            Read, cancellationToken).ConfigureAwait(false);
        return ToPage(rows, limit);
    }

    /// <summary>A page of at most <paramref name="limit"/> rows out of <paramref name="limit"/> + 1 read, keyed by (created_at, id).</summary>
    private static Page<MessageAttachment> ToPage(List<MessageAttachment> rows, int limit)
    {
        if (rows.Count <= limit)
            return new Page<MessageAttachment>(rows, null);
        rows.RemoveAt(limit);
        var last = rows[^1];
        return new Page<MessageAttachment>(rows, Cursor.Encode(Cursor.Text(last.CreatedAt), Cursor.Text(last.Id)));
    }

    private sealed record AddRow(MessageAttachment? Attachment, Guid ChatId, bool IsMember, bool IsSender, bool IsDeleted);
}
