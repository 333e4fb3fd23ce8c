namespace Chat.Data.Documents;

/// <summary>A document's tags (many to many: a tag marks any number of documents). Find documents by tag with <see cref="IDocumentRepository.ListByTagAsync"/>.</summary>
public interface IDocumentTagRepository
{
    /// <summary>Tags the document (1 to 100 characters, case-sensitive). False when it had the tag already.</summary>
    /// <exception cref="ReferenceNotFoundException">The document does not exist.</exception>
    /// <exception cref="NotPermittedException">The actor is neither the owner nor an editor.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<bool> AddAsync(Guid documentId, string tag, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>Removes a tag. False when the document did not have it (or does not exist).</summary>
    /// <exception cref="NotPermittedException">The actor is neither the owner nor an editor.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<bool> RemoveAsync(Guid documentId, string tag, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>The document's tags, in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListAsync(Guid documentId, CancellationToken cancellationToken = default);
}
