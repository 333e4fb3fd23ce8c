using System.Data.Common;
using Chat.Data.Internal;
using static Chat.Data.Documents.DocumentWrite;

namespace Chat.Data.Documents;

internal sealed class DocumentSignatureRepository(ChatDatabase db) : IDocumentSignatureRepository
{
    // Every query that returns signers selects these columns in this order (from a row aliased s), for Read.
    private const string Columns = "s.document_id, s.user_id, s.signed_at, s.signer_name, s.added_at";

    private const int After = 5;

    private static DocumentSigner Read(DbDataReader r) => new(
        DocumentId: r.GetGuid(0),
        UserId: r.GetGuid(1),
        SignedAt: r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2),
        SignerName: r.IsDBNull(3) ? null : r.GetString(3),
        AddedAt: r.GetFieldValue<DateTimeOffset>(4));

    private static DocumentSigner? ReadOptional(DbDataReader r) => r.IsDBNull(0) ? null : Read(r);

    public async Task<DocumentSigner> AddSignerAsync(Guid documentId, Guid userId, Guid actorId, CancellationToken cancellationToken = default)
    {
        DocumentFields.Ids(documentId, userId, actorId);
        var added = (await db.QueryAfterLockAsync(
            AddSignerSql,
            new { documentId, userId, actorId, need = (int)DocumentRight.Manage },
            static r => (Signer: ReadOptional(r), Access: DocumentAccess.Read(r, After), UserFound: r.GetBoolean(After + DocumentAccess.ColumnCount)),
            cancellationToken).ConfigureAwait(false)).Single();

        if (added.Signer is { } signer)
            return signer;
        if (!added.Access.Found)
            throw new ReferenceNotFoundException(nameof(documentId));
        added.Access.ThrowIfRefused(DocumentRight.Manage);
        if (!added.UserFound)
            throw new ReferenceNotFoundException(nameof(userId));
        throw new DuplicateException(nameof(userId));
    }

    private static readonly string AddSignerSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        target AS (
            SELECT EXISTS (SELECT FROM {schema}.users u WHERE u.id = @userId) AS user_found
        ),
        added AS (
            INSERT INTO {schema}.document_signers AS s (document_id, user_id)
            SELECT a.document_id, @userId FROM allowed a, target t WHERE t.user_found
            ON CONFLICT DO NOTHING
            RETURNING {{Columns}}
        ),
        {{LogAndTouch("added", DocumentActions.SignerAdded, "jsonb_build_object('userId', x.user_id)")}}
        SELECT {{Columns}}, {{AccessColumns}}, t.user_found
        FROM access a CROSS JOIN target t LEFT JOIN added s ON true
        """;

    public Task<bool> RemoveSignerAsync(Guid documentId, Guid userId, Guid actorId, CancellationToken cancellationToken = default)
    {
        DocumentFields.Ids(documentId, userId, actorId);
        return DocumentWrite.RemoveAsync(
            db, RemoveSignerSql, new { documentId, userId, actorId, need = (int)DocumentRight.Manage }, DocumentRight.Manage, cancellationToken);
    }

    private static readonly string RemoveSignerSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        removed AS (
            DELETE FROM {schema}.document_signers s USING allowed a
            WHERE s.document_id = a.document_id AND s.user_id = @userId
            RETURNING s.document_id, s.user_id, s.signed_at
        ),
        {{LogAndTouch("removed", DocumentActions.SignerRemoved, "jsonb_build_object('userId', x.user_id, 'hadSigned', x.signed_at IS NOT NULL)")}}
        SELECT {{AccessColumns}}, EXISTS (SELECT FROM removed) FROM access a
        """;

    public async Task<SignatureStatus?> SignAsync(Guid documentId, Guid userId, string signerName, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        Check.NotEmpty(userId, nameof(userId));
        var row = new { documentId, actorId = userId, need = (int)DocumentRight.None, signerName = DocumentFields.SignerName(signerName, nameof(signerName)) };
        var rows = await db.QueryAfterLockAsync(
            SignSql, row,
            static r => (Status: ReadStatusRow(r), Access: DocumentAccess.Read(r, StatusColumnCount), IsSigner: r.GetBoolean(StatusColumnCount + 3), HadSigned: r.GetBoolean(StatusColumnCount + 4)),
            cancellationToken).ConfigureAwait(false);

        var first = rows[0];
        if (!first.Access.Found)
            return null;
        if (!first.IsSigner)
            throw new NotPermittedException($"User {userId} is not a signer of document {documentId}.");
        // Signing twice is a retry: the status as it is, even once the first signature locked the document.
        if (!first.HadSigned && first.Access.Lock is { } reason)
            throw new DocumentLockedException(documentId, reason);
        return StatusOf(rows.ConvertAll(r => r.Status));
    }

    // The statement runs once the document lock is granted (DocumentWrite), so it sees every signature
    // committed before: of two last signatures at once, the second finds the first and locks. The
    // signature and the lock take the time they were written, after any write that got in first.
    // One UPDATE of the document moves updated_at and, when this signature completes the set,
    // locks it; the history rows go in that order: signed, then locked.
    private static readonly string SignSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        signer AS (
            SELECT s.signed_at FROM {schema}.document_signers s WHERE s.document_id = @documentId AND s.user_id = @actorId
        ),
        signed AS (
            UPDATE {schema}.document_signers s SET signed_at = clock_timestamp(), signer_name = @signerName
            FROM allowed a
            WHERE s.document_id = a.document_id AND s.user_id = @actorId AND s.signed_at IS NULL
            RETURNING s.document_id, s.user_id, s.signed_at, s.signer_name
        ),
        completes AS (
            SELECT x.document_id FROM signed x JOIN {schema}.documents d ON d.id = x.document_id
            WHERE d.require_signatures AND NOT EXISTS (
                SELECT FROM {schema}.document_signers o
                WHERE o.document_id = x.document_id AND o.user_id <> x.user_id AND o.signed_at IS NULL)
        ),
        doc AS (
            UPDATE {schema}.documents d SET
                updated_at  = now(),
                locked_at   = CASE WHEN c.document_id IS NULL THEN d.locked_at ELSE x.signed_at END,
                lock_reason = CASE WHEN c.document_id IS NULL THEN d.lock_reason ELSE 'signatures' END
            FROM signed x LEFT JOIN completes c ON true
            WHERE d.id = x.document_id
            RETURNING d.id AS document_id, d.locked_at, d.lock_reason, c.document_id IS NOT NULL AS locked_now
        ),
        logged AS (
            INSERT INTO {schema}.document_history (document_id, user_id, action, details)
            SELECT e.document_id, @actorId, e.action, e.details FROM (
                SELECT x.document_id, 1 AS step, '{{DocumentActions.Signed}}' AS action, jsonb_build_object('signerName', x.signer_name) AS details
                FROM signed x
                UNION ALL
                SELECT l.document_id, 2, '{{DocumentActions.Locked}}', jsonb_build_object('reason', 'signatures')
                FROM doc l WHERE l.locked_now
            ) e
            ORDER BY e.step
        )
        SELECT s.user_id, coalesce(x.signed_at, s.signed_at), coalesce(x.signer_name, s.signer_name), s.added_at,
               d.require_signatures, coalesce(l.locked_at, d.locked_at), coalesce(l.lock_reason, d.lock_reason), d.id,
               {{AccessColumns}},
               EXISTS (SELECT FROM signer), coalesce((SELECT g.signed_at IS NOT NULL FROM signer g), false)
        FROM access a
        LEFT JOIN {schema}.documents d ON d.id = a.document_id
        LEFT JOIN doc l ON true
        LEFT JOIN {schema}.document_signers s ON s.document_id = a.document_id
        LEFT JOIN signed x ON x.user_id = s.user_id
        ORDER BY s.added_at, s.user_id
        """;

    public async Task<SignatureStatus?> GetStatusAsync(Guid documentId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        var rows = await db.QueryAsync(
            """
            SELECT s.user_id, s.signed_at, s.signer_name, s.added_at, d.require_signatures, d.locked_at, d.lock_reason, d.id
            FROM {schema}.documents d
            LEFT JOIN {schema}.document_signers s ON s.document_id = d.id
            WHERE d.id = @documentId
            ORDER BY s.added_at, s.user_id
            """,
            new { documentId }, ReadStatusRow, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : StatusOf(rows);
    }

    // A status query's rows: one per signer (or one with a null signer when there is none), each with the document's columns.
    private const int StatusColumnCount = 8;

    private sealed record StatusRow(DocumentSigner? Signer, bool RequiresSignatures, DateTimeOffset? LockedAt, LockReason? LockReason, Guid DocumentId);

    private static StatusRow ReadStatusRow(DbDataReader r)
    {
        if (r.IsDBNull(7))
            return new StatusRow(null, false, null, null, Guid.Empty);
        var documentId = r.GetGuid(7);
        return new StatusRow(
            Signer: r.IsDBNull(0) ? null : new DocumentSigner(
                DocumentId: documentId,
                UserId: r.GetGuid(0),
                SignedAt: r.IsDBNull(1) ? null : r.GetFieldValue<DateTimeOffset>(1),
                SignerName: r.IsDBNull(2) ? null : r.GetString(2),
                AddedAt: r.GetFieldValue<DateTimeOffset>(3)),
            RequiresSignatures: r.GetBoolean(4),
            LockedAt: r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
            LockReason: r.IsDBNull(6) ? null : DbEnum<LockReason>.FromDb(r.GetString(6)),
            DocumentId: documentId);
    }

    private static SignatureStatus StatusOf(List<StatusRow> rows)
    {
        var document = rows[0];
        return new SignatureStatus(
            document.DocumentId,
            document.RequiresSignatures,
            rows.Where(r => r.Signer is not null).Select(r => r.Signer!).ToList(),
            document.LockedAt,
            document.LockReason);
    }
}
