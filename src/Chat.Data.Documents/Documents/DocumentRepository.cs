using System.Runtime.CompilerServices;
using Chat.Data.Internal;
using static Chat.Data.Documents.DocumentWrite;

namespace Chat.Data.Documents;

internal sealed class DocumentRepository(ChatDatabase db) : IDocumentRepository
{
    private const string Columns = DocumentRows.Columns;

    // The ordinal of the first column a write selects after Columns.
    private const int After = DocumentRows.ColumnCount;

    public async Task<Document> CreateAsync(NewDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        Check.NotEmpty(document.OwnerId, nameof(NewDocument.OwnerId));
        var row = new
        {
            documentId = Guid.CreateVersion7(),
            Title = DocumentFields.Title(document.Title, nameof(NewDocument.Title)),
            Icon = DocumentFields.Icon(document.Icon, nameof(NewDocument.Icon)),
            Cover = DocumentFields.Cover(document.Cover, nameof(NewDocument.Cover)),
            actorId = document.OwnerId,
            ChatId = Check.OptionalId(document.ChatId, nameof(NewDocument.ChatId)),
            document.RequireSignatures,
        };

        // A document goes into a chat or topic that exists (not soft-deleted) and has the owner as an
        // active member; the column after the document's says which check failed.
        var created = (await db.QuerySingleOrDefaultAsync(
            CreateSql, row, static r => new Created(DocumentRows.ReadOptional(r), r.GetBoolean(After)),
            cancellationToken).ConfigureAwait(false))!;
        if (created.Document is { } stored)
            return stored;
        if (!created.ChatFound)
            throw new ReferenceNotFoundException(nameof(NewDocument.ChatId));
        throw new NotAMemberException(document.ChatId!.Value, document.OwnerId);
    }

    private sealed record Created(Document? Document, bool ChatFound);

    private static readonly string CreateSql = $$"""
        WITH checks AS (
            SELECT @ChatId IS NULL OR c.id IS NOT NULL AS chat_found,
                   @ChatId IS NULL OR EXISTS (
                       SELECT FROM {schema}.chat_members m
                       WHERE m.chat_id = @ChatId AND m.user_id = @actorId AND m.left_at IS NULL) AS is_member
            FROM (VALUES (1)) AS one (x)
            LEFT JOIN {schema}.chats c ON c.id = @ChatId AND c.deleted_at IS NULL
        ), d AS (
            INSERT INTO {schema}.documents AS d (id, title, icon, cover, owner_id, chat_id, require_signatures)
            SELECT @documentId, @Title, @Icon, @Cover, @actorId, @ChatId, @RequireSignatures
            FROM checks k WHERE k.chat_found AND k.is_member
            RETURNING d.*
        ),
        {{Log("logged", "(SELECT d.id AS document_id, d.title, d.chat_id FROM d)", DocumentActions.Created,
            "jsonb_build_object('title', x.title, 'chatId', x.chat_id)")}}
        SELECT {{Columns}}, k.chat_found FROM checks k LEFT JOIN d ON true
        """;

    public Task<Document?> FindByIdAsync(Guid documentId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        return db.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.documents d WHERE d.id = @documentId""",
            new { documentId }, DocumentRows.Read, cancellationToken);
    }

    private static readonly string ListByChatSeenSql =
        $$"""SELECT {{Columns}} FROM {schema}.documents d WHERE d.chat_id = @chatId AND {{Viewer.IsMember("@chatId")}} AND {{DocumentRows.NewestFirst}}""";

    public Task<Page<Document>> ListByChatAsync(Guid chatId, Guid viewerId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        Check.NotEmpty(viewerId, nameof(viewerId));
        return DocumentRows.NewestFirstAsync(
            db, ListByChatSeenSql, (afterId, take) => new { chatId, viewerId, afterId, take }, cursor, limit, cancellationToken);
    }

    public Task<Page<Document>> ListByChatUncheckedAsync(Guid chatId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(chatId, nameof(chatId));
        return DocumentRows.NewestFirstAsync(
            db,
            $$"""SELECT {{Columns}} FROM {schema}.documents d WHERE d.chat_id = @chatId AND {{DocumentRows.NewestFirst}}""",
            (afterId, take) => new { chatId, afterId, take }, cursor, limit, cancellationToken);
    }

    public Task<Page<Document>> ListByOwnerAsync(Guid ownerId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(ownerId, nameof(ownerId));
        return DocumentRows.NewestFirstAsync(
            db,
            $$"""SELECT {{Columns}} FROM {schema}.documents d WHERE d.owner_id = @ownerId AND {{DocumentRows.NewestFirst}}""",
            (afterId, take) => new { ownerId, afterId, take }, cursor, limit, cancellationToken);
    }

    public Task<Page<Document>> ListByTagAsync(string tag, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        DocumentFields.Tag(tag, nameof(tag));
        return DocumentRows.NewestFirstAsync(
            db,
            $$"""
            SELECT {{Columns}} FROM {schema}.document_tags t JOIN {schema}.documents d ON d.id = t.document_id
            WHERE t.tag = @tag AND {{DocumentRows.NewestFirst}}
            """,
            (afterId, take) => new { tag, afterId, take }, cursor, limit, cancellationToken);
    }

    public async Task<Document?> UpdateAsync(Guid documentId, DocumentUpdate update, Guid actorId, CancellationToken cancellationToken = default)
    {
        CheckIds(documentId, actorId);
        ArgumentNullException.ThrowIfNull(update);
        var row = new
        {
            documentId,
            actorId,
            need = (int)DocumentRight.Edit,
            Title = update.Title is null ? null : DocumentFields.Title(update.Title, nameof(DocumentUpdate.Title)),
            Icon = update.Icon is null ? null : DocumentFields.Icon(update.Icon, nameof(DocumentUpdate.Icon)),
            Cover = DocumentFields.Cover(update.Cover, nameof(DocumentUpdate.Cover)),
        };
        if (update.IsEmpty)
            return await FindByIdAsync(documentId, cancellationToken).ConfigureAwait(false);

        var (document, access) = await WriteAsync(UpdateSql, row, cancellationToken).ConfigureAwait(false);
        if (!access.Found || document is not null)
            return document;
        access.ThrowIfRefused(DocumentRight.Edit);
        return null;
    }

    private static readonly string UpdateSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        changed AS (
            UPDATE {schema}.documents d SET
                title      = coalesce(@Title, d.title),
                icon       = coalesce(@Icon, d.icon),
                cover      = CASE WHEN @Cover IS NULL THEN d.cover ELSE nullif(@Cover, '') END,
                updated_at = now()
            FROM allowed a
            WHERE d.id = a.document_id
            RETURNING d.*
        ),
        {{Log("logged", "(SELECT id AS document_id FROM changed)", DocumentActions.Updated,
            "jsonb_strip_nulls(jsonb_build_object('title', @Title, 'icon', @Icon, 'cover', @Cover))")}}
        SELECT {{Columns}}, {{AccessColumns}} FROM access a LEFT JOIN changed d ON true
        """;

    public async Task<Document?> LockAsync(Guid documentId, Guid actorId, CancellationToken cancellationToken = default)
    {
        CheckIds(documentId, actorId);
        var (document, access) = await WriteAsync(LockSql, new { documentId, actorId, need = (int)DocumentRight.Manage }, cancellationToken).ConfigureAwait(false);
        if (access.Found && access.Rights < DocumentRight.Manage)
            access.ThrowIfRefused(DocumentRight.Manage);
        return document;
    }

    // A locked document comes back unchanged (the second branch), with no history row. The lock's
    // time is read after the document lock was granted: every write that got in first has committed.
    private static readonly string LockSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        changed AS (
            UPDATE {schema}.documents d SET locked_at = clock_timestamp(), lock_reason = 'manual', updated_at = now()
            FROM allowed a
            WHERE d.id = a.document_id
            RETURNING d.*
        ),
        {{Log("logged", "(SELECT id AS document_id FROM changed)", DocumentActions.Locked, "jsonb_build_object('reason', 'manual')")}}
        {{SelectChangedOrCurrent}}
        """;

    public async Task<Document?> UnlockAsync(Guid documentId, Guid actorId, CancellationToken cancellationToken = default)
    {
        CheckIds(documentId, actorId);
        var (document, access) = await WriteAsync(UnlockSql, new { documentId, actorId, need = (int)DocumentRight.Manage }, cancellationToken).ConfigureAwait(false);
        if (!access.Found)
            return null;
        if (access.Rights < DocumentRight.Manage)
            access.ThrowIfRefused(DocumentRight.Manage);
        if (access.Lock == LockReason.Signatures)
            throw new NotPermittedException($"Document {documentId} was locked by its signatures; that lock is final.");
        return document;
    }

    private static readonly string UnlockSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        changed AS (
            UPDATE {schema}.documents d SET locked_at = NULL, lock_reason = NULL, updated_at = now()
            FROM access a
            WHERE d.id = a.document_id AND a.lock_reason = 'manual' AND a.rights >= @need
            RETURNING d.*
        ),
        {{Log("logged", "(SELECT id AS document_id FROM changed)", DocumentActions.Unlocked, "NULL")}}
        {{SelectChangedOrCurrent}}
        """;

    // The document as the statement left it: changed, or as it was.
    private const string SelectChangedOrCurrent = $$"""
        SELECT {{Columns}}, {{AccessColumns}}
        FROM access a
        LEFT JOIN LATERAL (
            SELECT * FROM changed
            UNION ALL
            SELECT * FROM {schema}.documents d WHERE d.id = a.document_id AND NOT EXISTS (SELECT FROM changed)
        ) d ON true
        """;

    public Task<bool> DeleteAsync(Guid documentId, Guid actorId, CancellationToken cancellationToken = default)
    {
        CheckIds(documentId, actorId);
        return DocumentWrite.RemoveAsync(db, DeleteSql, new { documentId, actorId, need = (int)DocumentRight.Manage }, DocumentRight.Manage, cancellationToken);
    }

    private static readonly string DeleteSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        gone AS (
            -- Foreign keys cascade to blocks, collaborators, signers, tags, history and entity links.
            DELETE FROM {schema}.documents d USING allowed a WHERE d.id = a.document_id RETURNING d.id
        )
        SELECT {{AccessColumns}}, EXISTS (SELECT FROM gone) FROM access a
        """;

    private async Task<(Document? Document, DocumentAccess Access)> WriteAsync(string sql, object row, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        (await db.QueryAfterLockAsync(
            sql, row, static r => (DocumentRows.ReadOptional(r), DocumentAccess.Read(r, After)), cancellationToken, operation: operation).ConfigureAwait(false)).Single();

    private static void CheckIds(Guid documentId, Guid actorId)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        Check.NotEmpty(actorId, nameof(actorId));
    }
}
