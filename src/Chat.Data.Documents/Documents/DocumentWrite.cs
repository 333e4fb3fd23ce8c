using System.Data.Common;
using Chat.Data.Internal;

namespace Chat.Data.Documents;

/// <summary>What an actor may do with a document: <see cref="DocumentWrite.Access"/> works it out in SQL.</summary>
internal enum DocumentRight
{
    /// <summary>Anyone: reading, signing when a signer, leaving when a collaborator.</summary>
    None = 0,

    /// <summary>The owner or an editor: details, blocks, tags, entity links.</summary>
    Edit = 1,

    /// <summary>The owner: collaborators, signers, lock, unlock, delete.</summary>
    Manage = 2,
}

/// <summary>
/// The shape every write to a document, or to anything under it, shares. It runs as two statements
/// in one round trip (<see cref="ChatDatabase.QueryAfterLockAsync{T}"/>): the first takes the
/// document row's lock, so the writes to one document are serialised with each other, with
/// signatures and with locking; the second, whose snapshot is taken once that lock is granted, sees
/// the rows as they are: it checks the lock and the actor's rights (<see cref="Access"/>), writes only
/// when they allow it, appends the history row (<see cref="LogAndTouch"/>), and returns the access row
/// so that C# can say why nothing was written without a second query. A lock is taken under the same
/// row lock, so no write can land after it.
/// </summary>
internal static class DocumentWrite
{
    public const string LockDocument = "SELECT FROM {schema}.documents WHERE id = @documentId FOR NO KEY UPDATE;";

    public const string LockBlockDocument =
        "SELECT FROM {schema}.documents WHERE id = (SELECT b.document_id FROM {schema}.document_blocks b WHERE b.id = @blockId) FOR NO KEY UPDATE;";

    /// <summary>CTEs <c>access</c> and <c>allowed</c> for the document <c>@documentId</c>; parameters <c>@actorId</c> and <c>@need</c>.</summary>
    public static readonly string Access = AccessTo("@documentId");

    /// <summary>Like <see cref="Access"/>, for the document of block <c>@blockId</c>.</summary>
    public static readonly string BlockAccess = AccessTo("(SELECT b.document_id FROM {schema}.document_blocks b WHERE b.id = @blockId)");

    /// <summary>The access row's columns, which every write selects after its own (see <see cref="DocumentAccess.Read"/>).</summary>
    public const string AccessColumns = "a.document_id, a.lock_reason, a.rights";

    // access: always one row: the document (null when there is none), its lock, and the actor's
    // rights as a DocumentRight. allowed: the document when it is unlocked and the actor has @need.
    private static string AccessTo(string documentId) => $$"""
        access AS (
            SELECT d.id AS document_id, d.lock_reason,
                   CASE WHEN d.owner_id = @actorId THEN 2 WHEN c.role = 'editor' THEN 1 ELSE 0 END AS rights
            FROM (VALUES (1)) AS one (x)
            LEFT JOIN {schema}.documents d ON d.id = {{documentId}}
            LEFT JOIN {schema}.document_collaborators c ON c.document_id = d.id AND c.user_id = @actorId
        ),
        allowed AS (
            SELECT a.document_id FROM access a WHERE a.lock_reason IS NULL AND a.rights >= @need
        )
        """;

    /// <summary>
    /// A CTE <paramref name="name"/> appending one history row by <c>@actorId</c> per row of
    /// <paramref name="source"/> (a CTE or a parenthesised query with a <c>document_id</c> column,
    /// aliased x for <paramref name="details"/>).
    /// </summary>
    public static string Log(string name, string source, string action, string details) => $$"""
        {{name}} AS (
            INSERT INTO {schema}.document_history (document_id, user_id, action, details)
            SELECT x.document_id, @actorId, '{{action}}', {{details}} FROM {{source}} x
        )
        """;

    /// <summary>
    /// <see cref="Log"/> plus moving the document's updated_at, for changes to the rows under a
    /// document (a statement that updates the document row sets it there: one statement cannot update a row twice).
    /// </summary>
    public static string LogAndTouch(string source, string action, string details) => $$"""
        {{Log("logged", source, action, details)}},
        touched AS (
            UPDATE {schema}.documents d SET updated_at = now()
            WHERE d.id IN (SELECT x.document_id FROM {{source}} x)
        )
        """;

    /// <summary>Runs a write whose statement selects <see cref="AccessColumns"/>, then whether it changed a row.</summary>
    public static async Task<(DocumentAccess Access, bool Changed)> ChangeAsync(ChatDatabase db, string sql, object row, CancellationToken cancellationToken) =>
        (await db.QueryAfterLockAsync(
            sql, row, static r => (DocumentAccess.Read(r, 0), r.GetBoolean(DocumentAccess.ColumnCount)), cancellationToken).ConfigureAwait(false)).Single();

    /// <summary>
    /// Runs a removal (see <see cref="ChangeAsync"/>): true when it removed the row, false when there
    /// was none or no document; throws when the actor lacks <paramref name="need"/> or the document is locked.
    /// </summary>
    public static async Task<bool> RemoveAsync(ChatDatabase db, string sql, object row, DocumentRight need, CancellationToken cancellationToken)
    {
        var (access, removed) = await ChangeAsync(db, sql, row, cancellationToken).ConfigureAwait(false);
        if (!access.Found || removed)
            return removed;
        access.ThrowIfRefused(need);
        return false;
    }
}

/// <summary>The access row of a write: whether the document exists, its lock, and what the actor may do.</summary>
internal readonly record struct DocumentAccess(Guid? DocumentId, LockReason? Lock, DocumentRight Rights)
{
    public const int ColumnCount = 3;

    public bool Found => DocumentId is not null;

    public static DocumentAccess Read(DbDataReader r, int ordinal) => new(
        r.IsDBNull(ordinal) ? null : r.GetGuid(ordinal),
        r.IsDBNull(ordinal + 1) ? null : DbEnum<LockReason>.FromDb(r.GetString(ordinal + 1)),
        (DocumentRight)r.GetInt32(ordinal + 2));

    /// <summary>Throws when the actor lacks <paramref name="need"/> or the document is locked: why a write was refused.</summary>
    public void ThrowIfRefused(DocumentRight need)
    {
        if (Rights < need)
        {
            throw new NotPermittedException(need == DocumentRight.Manage
                ? $"Only the owner of document {DocumentId} can do this."
                : $"Only the owner or an editor of document {DocumentId} can change it.");
        }
        if (Lock is { } reason)
            throw new DocumentLockedException(DocumentId!.Value, reason);
    }
}
