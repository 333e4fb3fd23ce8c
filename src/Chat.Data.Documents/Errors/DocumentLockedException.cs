using Chat.Data.Documents;

namespace Chat.Data;

/// <summary>
/// The document is locked, by its owner or because every signer signed: neither it nor its blocks,
/// tags, signers, collaborators or entity links can change.
/// </summary>
public sealed class DocumentLockedException : ChatDataException
{
    /// <summary>Creates the exception.</summary>
    public DocumentLockedException(Guid documentId, LockReason lockReason)
        : base(lockReason == LockReason.Signatures
            ? $"Document {documentId} is locked: every signer signed it, so it cannot change."
            : $"Document {documentId} is locked by its owner; it cannot change until it is unlocked.")
    {
        DocumentId = documentId;
        LockReason = lockReason;
    }

    /// <summary>The locked document.</summary>
    public Guid DocumentId { get; }

    /// <summary>Why it is locked.</summary>
    public LockReason LockReason { get; }
}
