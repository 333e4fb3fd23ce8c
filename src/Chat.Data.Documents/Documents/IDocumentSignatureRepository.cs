namespace Chat.Data.Documents;

/// <summary>
/// E-signatures: the users whose signature a document needs, their signatures, and the status.
/// Every signer is required: when the last one signs a document that requires signatures, it
/// locks with reason <see cref="LockReason.Signatures"/> in the same transaction.
/// </summary>
public interface IDocumentSignatureRepository
{
    /// <summary>Adds a signer (the owner may be one).</summary>
    /// <exception cref="ReferenceNotFoundException">The document (<c>documentId</c>) or the user (<c>userId</c>) does not exist.</exception>
    /// <exception cref="DuplicateException">The user is a signer already (field <c>userId</c>).</exception>
    /// <exception cref="NotPermittedException">The actor is not the owner.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<DocumentSigner> AddSignerAsync(Guid documentId, Guid userId, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>Removes a signer, and their signature if they gave one. False when there was none.</summary>
    /// <exception cref="NotPermittedException">The actor is not the owner.</exception>
    /// <exception cref="DocumentLockedException">The document is locked.</exception>
    Task<bool> RemoveSignerAsync(Guid documentId, Guid userId, Guid actorId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records <paramref name="userId"/>'s signature under the name they typed, in one round trip:
    /// the signature, its <see cref="DocumentActions.Signed"/> history row and, when it completes a
    /// document that requires signatures, the lock and its <see cref="DocumentActions.Locked"/> row.
    /// Concurrent signatures are serialised on the document, so the last one always locks it.
    /// Signing again returns the status unchanged. Null when there is no such document.
    /// </summary>
    /// <exception cref="NotPermittedException">The user is not a signer of the document.</exception>
    /// <exception cref="DocumentLockedException">The document is locked (a manual lock blocks signing too).</exception>
    Task<SignatureStatus?> SignAsync(Guid documentId, Guid userId, string signerName, CancellationToken cancellationToken = default);

    /// <summary>Who signed, who has not, and whether the document is locked. Null when there is no such document.</summary>
    Task<SignatureStatus?> GetStatusAsync(Guid documentId, CancellationToken cancellationToken = default);
}
