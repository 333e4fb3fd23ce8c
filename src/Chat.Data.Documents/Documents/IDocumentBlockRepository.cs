namespace Chat.Data.Documents;

/// <summary>
/// The blocks a document is made of, as a tree: top-level blocks and blocks under a parent (a
/// toggle's children), each level in order. Changes need the owner or an editor, are refused while
/// the document is locked, and append a history row in their transaction.
/// </summary>
public interface IDocumentBlockRepository
{
    /// <summary>Adds a block at <see cref="NewBlock.Position"/> of its level (last when none), moving the later siblings down.</summary>
    /// <exception cref="ReferenceNotFoundException">The document (<c>DocumentId</c>) or the parent block in it (<c>ParentBlockId</c>) does not exist.</exception>
    /// <exception cref="NotPermittedException">The actor is neither the owner nor an editor.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<DocumentBlock> CreateAsync(NewBlock block, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>The block, or null.</summary>
    Task<DocumentBlock?> FindByIdAsync(Guid blockId, CancellationToken cancellationToken = default);

    /// <summary>The document's blocks as a tree, each level in order, in one query. Empty when it has none (or does not exist).</summary>
    Task<IReadOnlyList<DocumentBlockNode>> ListTreeAsync(Guid documentId, CancellationToken cancellationToken = default);

    /// <summary>Changes what <paramref name="update"/> sets. Null when there is no such block.</summary>
    /// <exception cref="ChatDataValidationException">A field the block's type does not use (for example <c>Checked</c> on a paragraph).</exception>
    /// <exception cref="NotPermittedException">The actor is neither the owner nor an editor.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<DocumentBlock?> UpdateAsync(Guid blockId, BlockUpdate update, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a block, with the blocks under it, under another parent of the same document (null: the
    /// top level) at <paramref name="position"/> of that level (last when null). Null when there is no such block.
    /// </summary>
    /// <exception cref="ReferenceNotFoundException">The parent is not a block of the same document (field <c>parentBlockId</c>).</exception>
    /// <exception cref="ChatDataValidationException">The parent is the block itself or a block under it (a cycle).</exception>
    /// <exception cref="NotPermittedException">The actor is neither the owner nor an editor.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<DocumentBlock?> MoveAsync(Guid blockId, Guid? parentBlockId, int? position, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Puts one level of the tree (the top level, or the children of <paramref name="parentBlockId"/>)
    /// in the order given, in one statement. False when there is no such document.
    /// </summary>
    /// <exception cref="ChatDataValidationException">
    /// <paramref name="blockIds"/> is not exactly that level's blocks, each once (field <c>blockIds</c>); nothing changes.
    /// </exception>
    /// <exception cref="ReferenceNotFoundException">The parent is not a block of the document (field <c>parentBlockId</c>).</exception>
    /// <exception cref="NotPermittedException">The actor is neither the owner nor an editor.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<bool> ReorderAsync(Guid documentId, Guid? parentBlockId, IReadOnlyList<Guid> blockIds, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a block and every block under it. False when there was none.</summary>
    /// <exception cref="NotPermittedException">The actor is neither the owner nor an editor.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<bool> DeleteAsync(Guid blockId, Guid actorId, CancellationToken cancellationToken = default);
}
