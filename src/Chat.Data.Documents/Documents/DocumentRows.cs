using System.Data.Common;
using Chat.Data.Internal;

namespace Chat.Data.Documents;

/// <summary>Documents as every query reads them, and keyset pages (shared with the entity repository).</summary>
internal static class DocumentRows
{
    // Every query that returns documents selects these columns in this order (from a row aliased d), for Read.
    public const string Columns =
        "d.id, d.title, d.icon, d.cover, d.owner_id, d.chat_id, d.is_standalone, d.require_signatures, d.locked_at, d.lock_reason, d.created_at, d.updated_at";

    public const int ColumnCount = 12;

    // Document lists are newest first by id (UUID v7: creation order to the millisecond); a page continues below the last id.
    public const string NewestFirst = "(@afterId IS NULL OR d.id < @afterId) ORDER BY d.id DESC LIMIT @take";

    public static Document Read(DbDataReader r) => new(
        Id: r.GetGuid(0),
        Title: r.GetString(1),
        Icon: r.GetString(2),
        Cover: r.IsDBNull(3) ? null : r.GetString(3),
        OwnerId: r.GetGuid(4),
        ChatId: r.IsDBNull(5) ? null : r.GetGuid(5),
        IsStandalone: r.GetBoolean(6),
        RequiresSignatures: r.GetBoolean(7),
        LockedAt: r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8),
        LockReason: r.IsDBNull(9) ? null : DbEnum<LockReason>.FromDb(r.GetString(9)),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(10),
        UpdatedAt: r.GetFieldValue<DateTimeOffset>(11));

    /// <summary>The document of a row whose Columns may all be NULL (an outer join that found none).</summary>
    public static Document? ReadOptional(DbDataReader r) => r.IsDBNull(0) ? null : Read(r);

    /// <summary>The id a page of a newest-first list continues below; null for the first page.</summary>
    public static Guid? AfterId(string? cursor) => Cursor.Decode(cursor, 1) is { } parts ? Cursor.Guid(parts[0]) : null;

    /// <summary>
    /// A page from rows fetched with <c>LIMIT limit + 1</c>: the extra row only says there is a next
    /// page, whose cursor is made from the page's last row.
    /// </summary>
    public static Page<T> Cut<T>(List<T> rows, int limit, Func<T, string> cursorOf)
    {
        if (rows.Count <= limit)
            return new Page<T>(rows, null);
        rows.RemoveAt(limit);
        return new Page<T>(rows, cursorOf(rows[^1]));
    }

    /// <summary>A page of documents, newest first, from <paramref name="sql"/> (which ends with <see cref="NewestFirst"/>).</summary>
    public static async Task<Page<Document>> NewestFirstAsync(
        ChatDatabase db, string sql, Func<Guid?, int, object> param, string? cursor, int limit, CancellationToken cancellationToken)
    {
        Check.Limit(limit);
        var rows = await db.QueryAsync(sql, param(AfterId(cursor), limit + 1), Read, cancellationToken).ConfigureAwait(false);
        return Cut(rows, limit, d => Cursor.Encode(Cursor.Text(d.Id)));
    }
}
