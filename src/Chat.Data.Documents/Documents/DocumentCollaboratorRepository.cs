using System.Data.Common;
using Chat.Data.Internal;
using static Chat.Data.Documents.DocumentWrite;

namespace Chat.Data.Documents;

internal sealed class DocumentCollaboratorRepository(ChatDatabase db) : IDocumentCollaboratorRepository
{
    // Every query that returns collaborators selects these columns in this order (from a row aliased c), for Read.
    private const string Columns = "c.document_id, c.user_id, c.role, c.added_at";

    private const int After = 4;

    private static DocumentCollaborator Read(DbDataReader r) => new(
        DocumentId: r.GetGuid(0),
        UserId: r.GetGuid(1),
        Role: DbEnum<CollaboratorRole>.FromDb(r.GetString(2)),
        AddedAt: r.GetFieldValue<DateTimeOffset>(3));

    private static DocumentCollaborator? ReadOptional(DbDataReader r) => r.IsDBNull(0) ? null : Read(r);

    public async Task<DocumentCollaborator> AddAsync(Guid documentId, Guid userId, CollaboratorRole role, Guid actorId, CancellationToken cancellationToken = default)
    {
        var row = Row(documentId, userId, role, actorId);
        var added = (await db.QueryAfterLockAsync(
            AddSql,
            row,
            static r => (Collaborator: ReadOptional(r), Access: DocumentAccess.Read(r, After), UserFound: r.GetBoolean(After + 3), IsOwner: r.GetBoolean(After + 4)),
            cancellationToken).ConfigureAwait(false)).Single();

        if (added.Collaborator is { } collaborator)
            return collaborator;
        if (!added.Access.Found)
            throw new ReferenceNotFoundException(nameof(documentId));
        added.Access.ThrowIfRefused(DocumentRight.Manage);
        if (!added.UserFound)
            throw new ReferenceNotFoundException(nameof(userId));
        if (added.IsOwner)
            throw new ChatDataValidationException(nameof(userId), "the owner is not a collaborator of their own document.");
        throw new DuplicateException(nameof(userId));
    }

    private static readonly string AddSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        target AS (
            SELECT EXISTS (SELECT FROM {schema}.users u WHERE u.id = @userId) AS user_found,
                   EXISTS (SELECT FROM {schema}.documents d WHERE d.id = @documentId AND d.owner_id = @userId) AS is_owner
        ),
        added AS (
            INSERT INTO {schema}.document_collaborators AS c (document_id, user_id, role)
            SELECT a.document_id, @userId, @role FROM allowed a, target t
            WHERE t.user_found AND NOT t.is_owner
            ON CONFLICT DO NOTHING
            RETURNING {{Columns}}
        ),
        {{LogAndTouch("added", DocumentActions.CollaboratorAdded, "jsonb_build_object('userId', x.user_id, 'role', x.role)")}}
        SELECT {{Columns}}, {{AccessColumns}}, t.user_found, t.is_owner
        FROM access a CROSS JOIN target t LEFT JOIN added c ON true
        """;

    public async Task<DocumentCollaborator?> ChangeRoleAsync(Guid documentId, Guid userId, CollaboratorRole role, Guid actorId, CancellationToken cancellationToken = default)
    {
        var row = Row(documentId, userId, role, actorId);
        // The same role again changes nothing and logs nothing: the collaborator comes back as they are.
        var changed = (await db.QueryAfterLockAsync(
            ChangeRoleSql,
            row,
            static r => (Collaborator: ReadOptional(r), Access: DocumentAccess.Read(r, After)),
            cancellationToken).ConfigureAwait(false)).Single();

        if (!changed.Access.Found)
            return null;
        changed.Access.ThrowIfRefused(DocumentRight.Manage);
        return changed.Collaborator;
    }

    private static readonly string ChangeRoleSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        changed AS (
            UPDATE {schema}.document_collaborators c SET role = @role
            FROM allowed a
            WHERE c.document_id = a.document_id AND c.user_id = @userId AND c.role <> @role
            RETURNING {{Columns}}
        ),
        {{LogAndTouch("changed", DocumentActions.CollaboratorRoleChanged, "jsonb_build_object('userId', x.user_id, 'role', x.role)")}}
        SELECT {{Columns}}, {{AccessColumns}}
        FROM access a
        LEFT JOIN LATERAL (
            SELECT * FROM changed
            UNION ALL
            SELECT {{Columns}} FROM {schema}.document_collaborators c
            WHERE c.document_id = a.document_id AND c.user_id = @userId AND NOT EXISTS (SELECT FROM changed)
        ) c ON true
        """;

    public Task<bool> RemoveAsync(Guid documentId, Guid userId, Guid actorId, CancellationToken cancellationToken = default)
    {
        DocumentFields.Ids(documentId, userId, actorId);
        // The owner removes anyone; a collaborator may leave.
        var need = userId == actorId ? DocumentRight.None : DocumentRight.Manage;
        return DocumentWrite.RemoveAsync(db, RemoveSql, new { documentId, userId, actorId, need = (int)need }, need, cancellationToken);
    }

    private static readonly string RemoveSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        removed AS (
            DELETE FROM {schema}.document_collaborators c USING allowed a
            WHERE c.document_id = a.document_id AND c.user_id = @userId
            RETURNING c.document_id, c.user_id
        ),
        {{LogAndTouch("removed", DocumentActions.CollaboratorRemoved, "jsonb_build_object('userId', x.user_id)")}}
        SELECT {{AccessColumns}}, EXISTS (SELECT FROM removed) FROM access a
        """;

    public async Task<IReadOnlyList<DocumentCollaborator>> ListAsync(Guid documentId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        return await db.QueryAsync(
            $$"""SELECT {{Columns}} FROM {schema}.document_collaborators c WHERE c.document_id = @documentId ORDER BY c.added_at, c.user_id""",
            new { documentId }, Read, cancellationToken).ConfigureAwait(false);
    }

    private static object Row(Guid documentId, Guid userId, CollaboratorRole role, Guid actorId)
    {
        DocumentFields.Ids(documentId, userId, actorId);
        return new { documentId, userId, actorId, role = DbEnum<CollaboratorRole>.ToDb(role, nameof(role)), need = (int)DocumentRight.Manage };
    }
}
