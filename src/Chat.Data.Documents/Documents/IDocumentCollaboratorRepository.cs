namespace Chat.Data.Documents;

/// <summary>The users a document is shared with, as editors or viewers. Changes are the owner's, refused while the document is locked.</summary>
public interface IDocumentCollaboratorRepository
{
    /// <summary>Shares the document with a user.</summary>
    /// <exception cref="ReferenceNotFoundException">The document (<c>documentId</c>) or the user (<c>userId</c>) does not exist.</exception>
    /// <exception cref="DuplicateException">The user is a collaborator already (field <c>userId</c>): change their role instead.</exception>
    /// <exception cref="ChatDataValidationException">The user is the owner.</exception>
    /// <exception cref="NotPermittedException">The actor is not the owner.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<DocumentCollaborator> AddAsync(Guid documentId, Guid userId, CollaboratorRole role, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>Changes a collaborator's role. Null when the document does not exist or the user is not a collaborator.</summary>
    /// <exception cref="NotPermittedException">The actor is not the owner.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<DocumentCollaborator?> ChangeRoleAsync(Guid documentId, Guid userId, CollaboratorRole role, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>Removes a collaborator; the owner may remove anyone, a collaborator themself. False when there was none.</summary>
    /// <exception cref="NotPermittedException">The actor is neither the owner nor the collaborator.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<bool> RemoveAsync(Guid documentId, Guid userId, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>The document's collaborators, in the order they were added.</summary>
    Task<IReadOnlyList<DocumentCollaborator>> ListAsync(Guid documentId, CancellationToken cancellationToken = default);
}
