using System.Data.Common;
using System.Runtime.CompilerServices;
using Chat.Data.Internal;
using static Chat.Data.Documents.DocumentWrite;

namespace Chat.Data.Documents;

internal sealed class DocumentBlockRepository(ChatDatabase db) : IDocumentBlockRepository
{
    // Every query that returns blocks selects these columns in this order (from a row aliased b), for Read.
    private const string Columns =
        "b.id, b.document_id, b.parent_block_id, b.type, b.content, b.checked, b.rows, b.columns, b.language, b.emoji, b.color, " +
        "b.sort_order, b.created_at, b.updated_at";

    private const int After = 14;

    // The blocks of one level: those under @parentBlockId, or the top level when it is null.
    private const string Level = "(s.parent_block_id = @parentBlockId OR (@parentBlockId IS NULL AND s.parent_block_id IS NULL))";

    private static DocumentBlock Read(DbDataReader r) => new(
        Id: r.GetGuid(0),
        DocumentId: r.GetGuid(1),
        ParentBlockId: r.IsDBNull(2) ? null : r.GetGuid(2),
        Type: DbEnum<BlockType>.FromDb(r.GetString(3)),
        Content: r.IsDBNull(4) ? null : r.GetString(4),
        Checked: r.IsDBNull(5) ? null : r.GetBoolean(5),
        Rows: r.IsDBNull(6) ? null : r.GetString(6),
        Columns: r.IsDBNull(7) ? null : r.GetString(7),
        Language: r.IsDBNull(8) ? null : r.GetString(8),
        Emoji: r.IsDBNull(9) ? null : r.GetString(9),
        Color: r.IsDBNull(10) ? null : r.GetString(10),
        SortOrder: r.GetInt32(11),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(12),
        UpdatedAt: r.GetFieldValue<DateTimeOffset>(13));

    private static DocumentBlock? ReadOptional(DbDataReader r) => r.IsDBNull(0) ? null : Read(r);

    /// <summary>
    /// CTEs that make room at <c>@position</c> (last when null or past the end) of the level under
    /// <c>@parentBlockId</c> in document <paramref name="documentId"/>: <c>place</c> yields the document
    /// and the position once <c>allowed</c> and <paramref name="ready"/> (over <c>checks k</c>) hold, and
    /// <c>shifted</c> numbers the level's other blocks 0, 1, ... around it (closing gaps deletes left).
    /// Block <c>@blockId</c>, the one being placed, is not counted among them.
    /// </summary>
    private static string Placement(string documentId, string ready) => $$"""
        siblings AS (
            SELECT s.id, (row_number() OVER (ORDER BY s.sort_order, s.id) - 1)::int AS pos
            FROM {schema}.document_blocks s
            WHERE s.document_id = {{documentId}} AND {{Level}} AND s.id <> @blockId
        ),
        place AS (
            SELECT a.document_id, least(coalesce(@position, n.count), n.count)::int AS pos
            FROM allowed a, checks k, (SELECT count(*)::int AS count FROM siblings) n
            WHERE {{ready}}
        ),
        shifted AS (
            UPDATE {schema}.document_blocks b SET sort_order = s.pos + (s.pos >= p.pos)::int
            FROM siblings s, place p
            WHERE b.id = s.id AND b.sort_order <> s.pos + (s.pos >= p.pos)::int
        )
        """;

    public async Task<DocumentBlock> CreateAsync(NewBlock block, Guid actorId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        Check.NotEmpty(block.DocumentId, nameof(NewBlock.DocumentId));
        Check.NotEmpty(actorId, nameof(actorId));
        var type = DbEnum<BlockType>.ToDb(block.Type, nameof(NewBlock.Type));
        var row = new
        {
            blockId = Guid.CreateVersion7(),
            documentId = block.DocumentId,
            actorId,
            need = (int)DocumentRight.Edit,
            parentBlockId = Check.OptionalId(block.ParentBlockId, nameof(NewBlock.ParentBlockId)),
            position = DocumentFields.Position(block.Position, nameof(NewBlock.Position)),
            Type = type,
            Content = DocumentFields.Content(block.Content, nameof(NewBlock.Content)),
            // A checklist item starts unchecked.
            Checked = block.Type == BlockType.Checklist ? block.Checked ?? false : block.Checked,
            Rows = DocumentFields.JsonArray(block.Rows, nameof(NewBlock.Rows), allowEmpty: false),
            Columns = DocumentFields.JsonArray(block.Columns, nameof(NewBlock.Columns), allowEmpty: false),
            Language = DocumentFields.Language(block.Language, nameof(NewBlock.Language)),
            Emoji = DocumentFields.Emoji(block.Emoji, nameof(NewBlock.Emoji)),
            Color = DocumentFields.Color(block.Color, nameof(NewBlock.Color)),
        };
        DocumentFields.FitsType(block.Type, block.Checked, block.Rows, block.Columns, block.Language, block.Emoji);

        var created = (await db.QueryAfterLockAsync(
            CreateSql, row,
            static r => (Block: ReadOptional(r), Access: DocumentAccess.Read(r, After), ParentFound: r.GetBoolean(After + DocumentAccess.ColumnCount)),
            cancellationToken).ConfigureAwait(false)).Single();
        if (created.Block is { } stored)
            return stored;
        if (!created.Access.Found)
            throw new ReferenceNotFoundException(nameof(NewBlock.DocumentId));
        created.Access.ThrowIfRefused(DocumentRight.Edit);
        throw new ReferenceNotFoundException(nameof(NewBlock.ParentBlockId));
    }

    private static readonly string CreateSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        checks AS (
            SELECT @parentBlockId IS NULL OR EXISTS (
                SELECT FROM {schema}.document_blocks p WHERE p.id = @parentBlockId AND p.document_id = @documentId) AS parent_found
        ),
        {{Placement("@documentId", "k.parent_found")}},
        inserted AS (
            INSERT INTO {schema}.document_blocks AS b
                (id, document_id, parent_block_id, type, content, checked, rows, columns, language, emoji, color, sort_order)
            SELECT @blockId, p.document_id, @parentBlockId, @Type, @Content, @Checked, CAST(@Rows AS jsonb), CAST(@Columns AS jsonb),
                   @Language, @Emoji, @Color, p.pos
            FROM place p
            RETURNING b.*
        ),
        {{LogAndTouch("inserted", DocumentActions.BlockAdded, "jsonb_build_object('blockId', x.id, 'type', x.type, 'parentBlockId', x.parent_block_id)")}}
        SELECT {{Columns}}, {{AccessColumns}}, k.parent_found
        FROM access a CROSS JOIN checks k LEFT JOIN inserted b ON true
        """;

    public Task<DocumentBlock?> FindByIdAsync(Guid blockId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(blockId, nameof(blockId));
        return db.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.document_blocks b WHERE b.id = @blockId""",
            new { blockId }, Read, cancellationToken);
    }

    public async Task<IReadOnlyList<DocumentBlockNode>> ListTreeAsync(Guid documentId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        var blocks = await db.QueryAsync(
            $$"""SELECT {{Columns}} FROM {schema}.document_blocks b WHERE b.document_id = @documentId ORDER BY b.sort_order, b.id""",
            new { documentId }, Read, cancellationToken).ConfigureAwait(false);

        // Every level comes out in the order of the rows (sort_order, then id); no recursion, so any depth builds.
        var children = blocks.ToDictionary(b => b.Id, _ => new List<DocumentBlockNode>());
        var roots = new List<DocumentBlockNode>();
        foreach (var block in blocks)
            (block.ParentBlockId is { } parent ? children[parent] : roots).Add(new DocumentBlockNode(block, children[block.Id]));
        return roots;
    }

    public async Task<DocumentBlock?> UpdateAsync(Guid blockId, BlockUpdate update, Guid actorId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(blockId, nameof(blockId));
        Check.NotEmpty(actorId, nameof(actorId));
        ArgumentNullException.ThrowIfNull(update);
        var row = new
        {
            blockId,
            actorId,
            need = (int)DocumentRight.Edit,
            Type = update.Type is { } type ? DbEnum<BlockType>.ToDb(type, nameof(BlockUpdate.Type)) : null,
            Content = DocumentFields.Content(update.Content, nameof(BlockUpdate.Content)),
            update.Checked,
            Rows = DocumentFields.JsonArray(update.Rows, nameof(BlockUpdate.Rows), allowEmpty: true),
            Columns = DocumentFields.JsonArray(update.Columns, nameof(BlockUpdate.Columns), allowEmpty: true),
            Language = DocumentFields.Language(update.Language, nameof(BlockUpdate.Language)),
            Emoji = DocumentFields.Emoji(update.Emoji, nameof(BlockUpdate.Emoji)),
            Color = DocumentFields.Color(update.Color, nameof(BlockUpdate.Color)),
        };
        // Without a new type, the block's own is only known to the database, whose checks hold the same rule.
        if (update.Type is { } newType)
            DocumentFields.FitsType(newType, update.Checked, update.Rows, update.Columns, update.Language, update.Emoji);
        if (update.IsEmpty)
            return await FindByIdAsync(blockId, cancellationToken).ConfigureAwait(false);

        var (block, access) = await WriteAsync(UpdateSql, row, cancellationToken).ConfigureAwait(false);
        if (!access.Found || block is not null)
            return block;
        access.ThrowIfRefused(DocumentRight.Edit);
        return null;
    }

    // A field the (new) type does not use is cleared unless the update sets it, when the table's
    // check refuses it, naming it.
    private static readonly string UpdateSql = $$"""
        {{LockBlockDocument}}
        WITH {{BlockAccess}},
        changed AS (
            UPDATE {schema}.document_blocks b SET
                type       = coalesce(@Type, b.type),
                content    = CASE WHEN @Content IS NULL THEN b.content ELSE nullif(@Content, '') END,
                checked    = CASE WHEN @Checked IS NOT NULL THEN @Checked
                                  WHEN coalesce(@Type, b.type) = 'checklist' THEN coalesce(b.checked, false) END,
                rows       = CASE WHEN @Rows IS NOT NULL THEN CAST(nullif(@Rows, '') AS jsonb)
                                  WHEN coalesce(@Type, b.type) = 'table' THEN b.rows END,
                columns    = CASE WHEN @Columns IS NOT NULL THEN CAST(nullif(@Columns, '') AS jsonb)
                                  WHEN coalesce(@Type, b.type) = 'table' THEN b.columns END,
                language   = CASE WHEN @Language IS NOT NULL THEN nullif(@Language, '')
                                  WHEN coalesce(@Type, b.type) = 'code' THEN b.language END,
                emoji      = CASE WHEN @Emoji IS NOT NULL THEN nullif(@Emoji, '')
                                  WHEN coalesce(@Type, b.type) = 'callout' THEN b.emoji END,
                color      = CASE WHEN @Color IS NULL THEN b.color ELSE nullif(@Color, '') END,
                updated_at = now()
            FROM allowed a
            WHERE b.id = @blockId AND b.document_id = a.document_id
            RETURNING b.*
        ),
        {{LogAndTouch("changed", DocumentActions.BlockUpdated, "jsonb_build_object('blockId', x.id)")}}
        SELECT {{Columns}}, {{AccessColumns}} FROM access a LEFT JOIN changed b ON true
        """;

    public async Task<DocumentBlock?> MoveAsync(Guid blockId, Guid? parentBlockId, int? position, Guid actorId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(blockId, nameof(blockId));
        Check.NotEmpty(actorId, nameof(actorId));
        var row = new
        {
            blockId,
            actorId,
            need = (int)DocumentRight.Edit,
            parentBlockId = Check.OptionalId(parentBlockId, nameof(parentBlockId)),
            position = DocumentFields.Position(position, nameof(position)),
        };
        if (parentBlockId == blockId)
            throw new ChatDataValidationException(nameof(parentBlockId), "a block cannot be its own parent.");

        var moved = (await db.QueryAfterLockAsync(
            MoveSql, row,
            static r => (Block: ReadOptional(r), Access: DocumentAccess.Read(r, After),
                         ParentFound: r.GetBoolean(After + DocumentAccess.ColumnCount), Acyclic: r.GetBoolean(After + DocumentAccess.ColumnCount + 1)),
            cancellationToken).ConfigureAwait(false)).Single();
        if (!moved.Access.Found || moved.Block is not null)
            return moved.Block;
        moved.Access.ThrowIfRefused(DocumentRight.Edit);
        if (!moved.ParentFound)
            throw new ReferenceNotFoundException(nameof(parentBlockId));
        throw new ChatDataValidationException(nameof(parentBlockId), "a block cannot move under a block that is under it.");
    }

    // The blocks under the moving one (its subtree) are read after the document lock, so two moves at
    // once cannot each make the other's block its parent: the second sees the first and is refused.
    private static readonly string MoveSql = $$"""
        {{LockBlockDocument}}
        WITH RECURSIVE {{BlockAccess}},
        block AS (
            SELECT b.id, b.document_id FROM {schema}.document_blocks b WHERE b.id = @blockId
        ),
        subtree AS (
            SELECT k.id FROM block k
            UNION ALL
            SELECT c.id FROM subtree t
            JOIN {schema}.document_blocks c ON c.parent_block_id = t.id AND c.document_id = (SELECT k.document_id FROM block k)
        ),
        checks AS (
            SELECT @parentBlockId IS NULL OR EXISTS (
                       SELECT FROM {schema}.document_blocks p JOIN block k ON p.document_id = k.document_id
                       WHERE p.id = @parentBlockId) AS parent_found,
                   @parentBlockId IS NULL OR NOT EXISTS (SELECT FROM subtree t WHERE t.id = @parentBlockId) AS acyclic
        ),
        {{Placement("(SELECT k.document_id FROM block k)", "k.parent_found AND k.acyclic")}},
        moved AS (
            UPDATE {schema}.document_blocks b SET parent_block_id = @parentBlockId, sort_order = p.pos, updated_at = now()
            FROM place p
            WHERE b.id = @blockId
            RETURNING b.*
        ),
        {{LogAndTouch("moved", DocumentActions.BlockMoved,
            "jsonb_build_object('blockId', x.id, 'parentBlockId', x.parent_block_id, 'sortOrder', x.sort_order)")}}
        SELECT {{Columns}}, {{AccessColumns}}, k.parent_found, k.acyclic
        FROM access a CROSS JOIN checks k LEFT JOIN moved b ON true
        """;

    public async Task<bool> ReorderAsync(Guid documentId, Guid? parentBlockId, IReadOnlyList<Guid> blockIds, Guid actorId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        Check.NotEmpty(actorId, nameof(actorId));
        var row = new
        {
            documentId,
            actorId,
            need = (int)DocumentRight.Edit,
            parentBlockId = Check.OptionalId(parentBlockId, nameof(parentBlockId)),
            blockIds = DocumentFields.DistinctIds(blockIds, nameof(blockIds)),
        };

        var result = (await db.QueryAfterLockAsync(
            ReorderSql, row,
            static r => (Access: DocumentAccess.Read(r, 0), ParentFound: r.GetBoolean(DocumentAccess.ColumnCount), Exact: r.GetBoolean(DocumentAccess.ColumnCount + 1)),
            cancellationToken).ConfigureAwait(false)).Single();
        if (!result.Access.Found)
            return false;
        result.Access.ThrowIfRefused(DocumentRight.Edit);
        if (!result.ParentFound)
            throw new ReferenceNotFoundException(nameof(parentBlockId));
        if (!result.Exact)
            throw new ChatDataValidationException(nameof(blockIds), "list exactly the blocks of that level, each once.");
        return true;
    }

    // One UPDATE gives each listed block its index, only when the list is exactly the level (read
    // after the document lock, so a block added concurrently cannot be left out unnoticed).
    private static readonly string ReorderSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        level AS (
            SELECT s.id FROM {schema}.document_blocks s WHERE s.document_id = @documentId AND {{Level}}
        ),
        checks AS (
            SELECT @parentBlockId IS NULL OR EXISTS (
                       SELECT FROM {schema}.document_blocks p WHERE p.id = @parentBlockId AND p.document_id = @documentId) AS parent_found,
                   (SELECT count(*) FROM level) = cardinality(@blockIds)
                   AND (SELECT count(*) FROM level l WHERE l.id = ANY(@blockIds)) = cardinality(@blockIds) AS exact
        ),
        ready AS (
            SELECT a.document_id FROM allowed a, checks k WHERE k.parent_found AND k.exact
        ),
        reordered AS (
            UPDATE {schema}.document_blocks b SET sort_order = (g.ord - 1)::int
            FROM ready, unnest(@blockIds) WITH ORDINALITY AS g (id, ord)
            WHERE b.id = g.id AND b.sort_order <> g.ord - 1
            RETURNING b.id
        ),
        {{LogAndTouch("(SELECT r.document_id FROM ready r WHERE EXISTS (SELECT FROM reordered))", DocumentActions.BlocksReordered,
            "jsonb_build_object('parentBlockId', CAST(@parentBlockId AS uuid))")}}
        SELECT {{AccessColumns}}, k.parent_found, k.exact FROM access a CROSS JOIN checks k
        """;

    public Task<bool> DeleteAsync(Guid blockId, Guid actorId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(blockId, nameof(blockId));
        Check.NotEmpty(actorId, nameof(actorId));
        return DocumentWrite.RemoveAsync(db, DeleteSql, new { blockId, actorId, need = (int)DocumentRight.Edit }, DocumentRight.Edit, cancellationToken);
    }

    // The parent foreign key cascades to the blocks under it.
    private static readonly string DeleteSql = $$"""
        {{LockBlockDocument}}
        WITH {{BlockAccess}},
        gone AS (
            DELETE FROM {schema}.document_blocks b USING allowed a
            WHERE b.id = @blockId AND b.document_id = a.document_id
            RETURNING b.document_id, b.id, b.type
        ),
        {{LogAndTouch("gone", DocumentActions.BlockDeleted, "jsonb_build_object('blockId', x.id, 'type', x.type)")}}
        SELECT {{AccessColumns}}, EXISTS (SELECT FROM gone) FROM access a
        """;

    private async Task<(DocumentBlock? Block, DocumentAccess Access)> WriteAsync(string sql, object row, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        (await db.QueryAfterLockAsync(
            sql, row, static r => (ReadOptional(r), DocumentAccess.Read(r, After)), cancellationToken, operation: operation).ConfigureAwait(false)).Single();
}
