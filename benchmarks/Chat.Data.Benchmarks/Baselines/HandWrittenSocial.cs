using Chat.Data.Benchmarks.Host;
using Chat.Data.Internal;
using Chat.Data.Messages;
using Chat.Data.Users;
using Npgsql;

namespace Chat.Data.Benchmarks.Baselines;

/// <summary>
/// The floor for reactions, contact sync and galleries: the library's own statements (ReactionRepository,
/// ContactRepository, AttachmentRepository) run by plain Npgsql with positional typed parameters and reads
/// by ordinal. Keep the statements in step with the library's.
/// </summary>
internal sealed class HandWrittenSocial(NpgsqlDataSource dataSource)
{
    private const string Schema = BenchDatabase.Schema;

    private const string UserColumns =
        "id, external_id, phone, username, display_name, avatar, about, presence, last_seen_at, created_at, updated_at";

    private const string AttachmentColumns =
        "a.id, a.message_id, a.chat_id, a.kind, a.file_name, a.mime_type, a.size_bytes, a.storage_key, a.url, a.thumbnail_key, " +
        "a.thumbnail_url, a.width, a.height, a.duration_ms, a.sort_order, a.scan_status, a.metadata, a.created_at";

    private const int AttachmentAfter = 18;

    // $1 message ids, $2 viewer.
    private static readonly string SummarySql = $"""
        SELECT r.message_id, r.emoji, CAST(count(*) AS integer), bool_or(r.user_id = $2),
               (array_agg(r.user_id ORDER BY r.created_at, r.user_id))[1:{ReactionSummary.SampleSize}]
        FROM {Schema}.message_reactions r
        JOIN {Schema}.messages m ON m.id = r.message_id
        JOIN {Schema}.chat_members cm ON cm.chat_id = m.chat_id AND cm.user_id = $2 AND cm.left_at IS NULL
        WHERE r.message_id = ANY($1) AND m.deleted_at IS NULL
        GROUP BY r.message_id, r.emoji
        ORDER BY r.message_id, count(*) DESC, min(r.created_at), r.emoji
        """;

    // $1 user, $2 phones.
    private const string SyncSql = $"""
        SELECT {UserColumns} FROM {Schema}.users u
        WHERE u.phone = ANY($2) AND u.id <> $1
          AND NOT EXISTS (
              SELECT 1 FROM {Schema}.user_blocks b
              WHERE (b.blocker_id, b.blocked_id) IN (($1, u.id), (u.id, $1)))
        """;

    // $1 chat, $2 viewer, $3 kinds, $4 after created_at, $5 after id, $6 limit.
    private const string GallerySql = $"""
        WITH viewer AS (
            SELECT cm.cleared_seq
            FROM (VALUES (1)) AS one (x)
            LEFT JOIN {Schema}.chat_members cm ON cm.chat_id = $1 AND cm.user_id = $2 AND cm.left_at IS NULL
        )
        SELECT {AttachmentColumns}, v.cleared_seq IS NOT NULL AS member
        FROM viewer v
        LEFT JOIN LATERAL (
            SELECT a.* FROM unnest($3) AS k (kind)
            CROSS JOIN LATERAL (
                SELECT {AttachmentColumns}
                FROM {Schema}.message_attachments a
                JOIN {Schema}.messages m ON m.id = a.message_id
                WHERE a.chat_id = $1 AND a.kind = k.kind AND (a.created_at, a.id) < ($4, $5)
                  AND m.seq > v.cleared_seq
                  AND NOT EXISTS (SELECT 1 FROM {Schema}.message_hides h WHERE h.user_id = $2 AND h.message_id = a.message_id)
                ORDER BY a.created_at DESC, a.id DESC
                LIMIT $6 + 1
            ) a
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT $6 + 1
        ) a ON v.cleared_seq IS NOT NULL
        ORDER BY a.created_at DESC, a.id DESC
        """;

    public async Task<ILookup<Guid, ReactionSummary>> GetReactionSummariesAsync(Guid[] messageIds, Guid viewerId)
    {
        await using var command = dataSource.CreateCommand(SummarySql);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = messageIds });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = viewerId });
        await using var reader = await command.ExecuteReaderAsync();
        var summaries = new List<ReactionSummary>();
        while (await reader.ReadAsync())
        {
            summaries.Add(new ReactionSummary(
                reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), reader.GetBoolean(3), reader.GetFieldValue<Guid[]>(4)));
        }
        return summaries.ToLookup(s => s.MessageId);
    }

    public async Task<List<User>> SyncContactsAsync(Guid userId, string[] phones)
    {
        await using var command = dataSource.CreateCommand(SyncSql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = phones });
        await using var reader = await command.ExecuteReaderAsync();
        var users = new List<User>();
        while (await reader.ReadAsync())
        {
            users.Add(new User(
                Id: reader.GetGuid(0),
                ExternalId: reader.IsDBNull(1) ? null : reader.GetString(1),
                Phone: reader.IsDBNull(2) ? null : reader.GetString(2),
                Username: reader.IsDBNull(3) ? null : reader.GetString(3),
                DisplayName: reader.GetString(4),
                Avatar: reader.IsDBNull(5) ? null : reader.GetString(5),
                About: reader.GetString(6),
                Presence: DbEnum<Presence>.FromDb(reader.GetString(7)),
                LastSeenAt: reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                CreatedAt: reader.GetFieldValue<DateTimeOffset>(9),
                UpdatedAt: reader.GetFieldValue<DateTimeOffset>(10)));
        }
        return users;
    }

    /// <summary>The gallery of one kind, newest first, from the top (<paramref name="after"/> null) or after a page's last row.</summary>
    public async Task<Page<MessageAttachment>> GetGalleryAsync(Guid chatId, Guid viewerId, string kind, (DateTimeOffset At, Guid Id)? after, int limit)
    {
        await using var command = dataSource.CreateCommand(GallerySql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = chatId });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = viewerId });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [kind] });
        // The first page starts above every key, as the library's does.
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = after?.At ?? DateTimeOffset.MaxValue });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = after?.Id ?? Guid.AllBitsSet });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<MessageAttachment>(limit + 1);
        var member = false;
        while (await reader.ReadAsync())
        {
            member = reader.GetBoolean(AttachmentAfter);
            if (!reader.IsDBNull(0))
                rows.Add(ReadAttachment(reader));
        }
        if (!member)
            throw new NotAMemberException(chatId, viewerId);
        return Gallery.ToPage(rows, limit);
    }

    private static MessageAttachment ReadAttachment(NpgsqlDataReader r) => new(
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
}

/// <summary>Gallery pages as the library cuts them: one row more than the page tells whether there is a next one.</summary>
internal static class Gallery
{
    /// <summary>At most <paramref name="limit"/> of the rows, with the library's cursor on the last row's (created_at, id).</summary>
    public static Page<MessageAttachment> ToPage(List<MessageAttachment> rows, int limit)
    {
        if (rows.Count <= limit)
            return new Page<MessageAttachment>(rows, null);
        rows.RemoveAt(limit);
        var last = rows[^1];
        return new Page<MessageAttachment>(rows, Cursor.Encode(Cursor.Text(last.CreatedAt), Cursor.Text(last.Id)));
    }
}
