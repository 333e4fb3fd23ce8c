using Chat.Data.Documents;

namespace Chat.Data.Entities;

/// <summary>
/// Entities: create, find, list and search a user's entities, link them to documents (many to
/// many), list a document's entities and an entity's documents, delete.
/// </summary>
public interface IEntityRepository
{
    /// <summary>Creates an entity.</summary>
    /// <exception cref="ReferenceNotFoundException">The owner (<c>OwnerId</c>) or the contact user (<c>ContactUserId</c>) does not exist.</exception>
    Task<Entity> CreateAsync(NewEntity entity, CancellationToken cancellationToken = default);

    /// <summary>The entity, or null.</summary>
    Task<Entity?> FindByIdAsync(Guid entityId, CancellationToken cancellationToken = default);

    /// <summary>A user's entities, of one type when <paramref name="type"/> is given, by name (case-insensitive), keyset-paginated.</summary>
    Task<Page<Entity>> ListByOwnerAsync(Guid ownerId, string? type = null, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>
    /// A user's entities whose name contains <paramref name="query"/> (case-insensitive, any script,
    /// a trigram index finds them): names that start with it first, then the others, each by name.
    /// Keyset-paginated.
    /// </summary>
    Task<Page<Entity>> SearchAsync(Guid ownerId, string query, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>Links an entity to a document. False when it was linked already.</summary>
    /// <exception cref="ReferenceNotFoundException">The document (<c>documentId</c>) or the entity (<c>entityId</c>) does not exist.</exception>
    /// <exception cref="NotPermittedException">The actor is neither the document's owner nor an editor.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<bool> LinkAsync(Guid documentId, Guid entityId, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>Unlinks an entity from a document. False when it was not linked (or the document does not exist).</summary>
    /// <exception cref="NotPermittedException">The actor is neither the document's owner nor an editor.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<bool> UnlinkAsync(Guid documentId, Guid entityId, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>The entities linked to a document, by name, keyset-paginated.</summary>
    Task<Page<Entity>> ListByDocumentAsync(Guid documentId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>The documents an entity is linked to, newest first, keyset-paginated.</summary>
    Task<Page<Document>> ListDocumentsAsync(Guid entityId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes an entity and its links, appending an <see cref="DocumentActions.EntityUnlinked"/> history
    /// row (by the entity's owner) to each document it was linked to, locked or not: the entity is the
    /// owner's. False when there was none.
    /// </summary>
    Task<bool> DeleteAsync(Guid entityId, CancellationToken cancellationToken = default);
}
