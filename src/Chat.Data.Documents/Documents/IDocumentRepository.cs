namespace Chat.Data.Documents;

/// <summary>
/// Documents: create (in a chat, in a topic, or standalone), find, list, update, lock, unlock, delete.
/// Every change names the acting user, is refused while the document is locked, and appends a
/// history row in its own transaction (<see cref="DocumentActions"/>).
/// </summary>
/// <remarks>
/// Who may do what: the owner anything; an <see cref="CollaboratorRole.Editor"/> changes details,
/// blocks, tags and entity links; a <see cref="CollaboratorRole.Viewer"/> or anyone else nothing.
/// Locking, unlocking, deleting and managing collaborators and signers are the owner's.
/// Lists are newest first by id: UUID v7 ids carry their creation time to the millisecond, and
/// documents made in the same millisecond come in id order.
/// </remarks>
public interface IDocumentRepository
{
    /// <summary>Creates a document and its <see cref="DocumentActions.Created"/> history row, in one round trip.</summary>
    /// <exception cref="ReferenceNotFoundException">The owner, or the chat (or topic), does not exist; a soft-deleted chat counts as missing.</exception>
    /// <exception cref="NotAMemberException">The owner is not an active member of the chat or topic.</exception>
    Task<Document> CreateAsync(NewDocument document, CancellationToken cancellationToken = default);

    /// <summary>The document, or null.</summary>
    Task<Document?> FindByIdAsync(Guid documentId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The documents of a chat, or of a topic (pass the topic's id), newest first, keyset-paginated;
    /// none when <paramref name="viewerId"/> is not an active member of it.
    /// </summary>
    Task<Page<Document>> ListByChatAsync(Guid chatId, Guid viewerId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>The documents of a chat, as <see cref="ListByChatAsync"/>, with no access check: for trusted back-end jobs only.</summary>
    Task<Page<Document>> ListByChatUncheckedAsync(Guid chatId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>The documents a user owns, in chats or standalone, newest first, keyset-paginated.</summary>
    Task<Page<Document>> ListByOwnerAsync(Guid ownerId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>The documents carrying a tag (exact, case-sensitive), newest first, keyset-paginated.</summary>
    Task<Page<Document>> ListByTagAsync(string tag, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>Changes the title, icon or cover (only what <paramref name="update"/> sets). Null when there is no such document.</summary>
    /// <exception cref="NotPermittedException">The actor is neither the owner nor an editor.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<Document?> UpdateAsync(Guid documentId, DocumentUpdate update, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>Locks the document (reason <see cref="LockReason.Manual"/>); a locked one comes back as it is. Null when there is no such document.</summary>
    /// <exception cref="NotPermittedException">The actor is not the owner.</exception>
    Task<Document?> LockAsync(Guid documentId, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>Lifts a manual lock; an unlocked document comes back as it is. Null when there is no such document.</summary>
    /// <exception cref="NotPermittedException">The actor is not the owner, or the document was locked by its signatures (that lock is final).</exception>
    Task<Document?> UnlockAsync(Guid documentId, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the document with its blocks, collaborators, signers, tags, history and entity links
    /// (the entities stay). False when there is no such document.
    /// </summary>
    /// <exception cref="NotPermittedException">The actor is not the owner.</exception>
    /// <exception cref="DocumentLockedException">The document is locked: unlock it first (a signed document cannot be deleted).</exception>
    Task<bool> DeleteAsync(Guid documentId, Guid actorId, CancellationToken cancellationToken = default);
}
