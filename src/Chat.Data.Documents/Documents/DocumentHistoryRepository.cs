using System.Data.Common;
using Chat.Data.Internal;

namespace Chat.Data.Documents;

internal sealed class DocumentHistoryRepository(ChatDatabase db) : IDocumentHistoryRepository
{
    // Every query that returns history selects these columns in this order (from a row aliased h), for Read.
    private const string Columns = "h.id, h.document_id, h.user_id, h.action, h.details, h.created_at";

    private const int After = 6;

    private static DocumentHistoryEntry Read(DbDataReader r) => new(
        Id: r.GetInt64(0),
        DocumentId: r.GetGuid(1),
        UserId: r.IsDBNull(2) ? null : r.GetGuid(2),
        Action: r.GetString(3),
        Details: r.IsDBNull(4) ? null : r.GetString(4),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(5));

    public async Task<DocumentHistoryEntry> AppendAsync(Guid documentId, string action, Guid? userId = null, string? details = null, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        var row = new
        {
            documentId,
            action = DocumentFields.Action(action, nameof(action)),
            userId = Check.OptionalId(userId, nameof(userId)),
            details = Check.JsonObject(details, nameof(details)),
        };
        var appended = (await db.QuerySingleOrDefaultAsync(
            $$"""
            WITH target AS (
                SELECT EXISTS (SELECT FROM {schema}.documents d WHERE d.id = @documentId) AS document_found,
                       @userId IS NULL OR EXISTS (SELECT FROM {schema}.users u WHERE u.id = @userId) AS user_found
            ), h AS (
                INSERT INTO {schema}.document_history AS h (document_id, user_id, action, details)
                SELECT @documentId, @userId, @action, CAST(@details AS jsonb)
                FROM target t WHERE t.document_found AND t.user_found
                RETURNING h.*
            )
            SELECT {{Columns}}, t.document_found FROM target t LEFT JOIN h ON true
            """,
            row, static r => new Appended(r.IsDBNull(0) ? null : Read(r), r.GetBoolean(After)), cancellationToken).ConfigureAwait(false))!;
        if (appended.Entry is { } entry)
            return entry;
        throw new ReferenceNotFoundException(appended.DocumentFound ? nameof(userId) : nameof(documentId));
    }

    private sealed record Appended(DocumentHistoryEntry? Entry, bool DocumentFound);

    public async Task<Page<DocumentHistoryEntry>> ListAsync(Guid documentId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        Check.Limit(limit);
        var afterId = Cursor.Decode(cursor, 1) is { } parts ? Cursor.Int64(parts[0]) : (long?)null;
        var rows = await db.QueryAsync(
            $$"""
            SELECT {{Columns}} FROM {schema}.document_history h
            WHERE h.document_id = @documentId AND (@afterId IS NULL OR h.id < @afterId)
            ORDER BY h.id DESC
            LIMIT @take
            """,
            new { documentId, afterId, take = limit + 1 }, Read, cancellationToken).ConfigureAwait(false);
        return DocumentRows.Cut(rows, limit, h => Cursor.Encode(Cursor.Text(h.Id)));
    }
}
