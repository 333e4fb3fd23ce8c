using Chat.Data.Internal;
using static Chat.Data.Documents.DocumentWrite;

namespace Chat.Data.Documents;

internal sealed class DocumentTagRepository(ChatDatabase db) : IDocumentTagRepository
{
    public async Task<bool> AddAsync(Guid documentId, string tag, Guid actorId, CancellationToken cancellationToken = default)
    {
        var (access, added) = await ChangeAsync(db, AddSql, Row(documentId, tag, actorId), cancellationToken).ConfigureAwait(false);
        if (!access.Found)
            throw new ReferenceNotFoundException(nameof(documentId));
        if (added)
            return true;
        access.ThrowIfRefused(DocumentRight.Edit);
        return false;
    }

    private static readonly string AddSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        changed AS (
            INSERT INTO {schema}.document_tags AS t (document_id, tag)
            SELECT a.document_id, @tag FROM allowed a
            ON CONFLICT DO NOTHING
            RETURNING t.document_id, t.tag
        ),
        {{LogAndTouch("changed", DocumentActions.TagAdded, "jsonb_build_object('tag', x.tag)")}}
        SELECT {{AccessColumns}}, EXISTS (SELECT FROM changed) FROM access a
        """;

    public Task<bool> RemoveAsync(Guid documentId, string tag, Guid actorId, CancellationToken cancellationToken = default) =>
        DocumentWrite.RemoveAsync(db, RemoveSql, Row(documentId, tag, actorId), DocumentRight.Edit, cancellationToken);

    private static readonly string RemoveSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        changed AS (
            DELETE FROM {schema}.document_tags t USING allowed a
            WHERE t.document_id = a.document_id AND t.tag = @tag
            RETURNING t.document_id, t.tag
        ),
        {{LogAndTouch("changed", DocumentActions.TagRemoved, "jsonb_build_object('tag', x.tag)")}}
        SELECT {{AccessColumns}}, EXISTS (SELECT FROM changed) FROM access a
        """;

    private static object Row(Guid documentId, string tag, Guid actorId)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        Check.NotEmpty(actorId, nameof(actorId));
        return new { documentId, actorId, need = (int)DocumentRight.Edit, tag = DocumentFields.Tag(tag, nameof(tag)) };
    }

    public async Task<IReadOnlyList<string>> ListAsync(Guid documentId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        return await db.QueryAsync(
            """SELECT t.tag FROM {schema}.document_tags t WHERE t.document_id = @documentId ORDER BY t.tag COLLATE "C" """,
            new { documentId }, static r => r.GetString(0), cancellationToken).ConfigureAwait(false);
    }
}
