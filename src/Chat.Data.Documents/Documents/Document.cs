namespace Chat.Data.Documents;

/// <summary>
/// A collaborative document: blocks of content, in a chat, in a topic, or standalone,
/// shared with collaborators, optionally e-signed, tagged, with a history of every change.
/// </summary>
/// <param name="Id">UUID v7.</param>
/// <param name="Title">1 to 200 characters.</param>
/// <param name="Icon">An emoji, <c>📄</c> unless set.</param>
/// <param name="Cover">A colour or gradient name, or an image URL; null when unset.</param>
/// <param name="OwnerId">The user who created it and manages it.</param>
/// <param name="ChatId">The chat or topic it lives in (a topic is a chat); null for a standalone document.</param>
/// <param name="IsStandalone">True when it lives in no chat: created so, or its chat was deleted.</param>
/// <param name="RequiresSignatures">Whether it locks once every signer signed.</param>
/// <param name="LockedAt">When it was locked; null while it can change.</param>
/// <param name="LockReason">Why it is locked; null while it is not.</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
/// <param name="UpdatedAt">When it, or anything under it (blocks, tags, collaborators, signers), last changed.</param>
public sealed record Document(
    Guid Id,
    string Title,
    string Icon,
    string? Cover,
    Guid OwnerId,
    Guid? ChatId,
    bool IsStandalone,
    bool RequiresSignatures,
    DateTimeOffset? LockedAt,
    LockReason? LockReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>True when nothing about the document can change.</summary>
    public bool IsLocked => LockedAt is not null;
}

/// <summary>Why a document is locked.</summary>
public enum LockReason
{
    /// <summary>Its owner locked it; the owner can unlock it.</summary>
    Manual,

    /// <summary>Every signer signed a document that requires signatures; it stays locked.</summary>
    Signatures,
}

/// <summary>
/// A document to create: in a chat, in a topic (pass the topic's id as <see cref="ChatId"/>), or
/// standalone (no <see cref="ChatId"/>). The owner must be an active member of the chat or topic.
/// </summary>
public sealed record NewDocument
{
    /// <summary>1 to 200 characters.</summary>
    public required string Title { get; init; }

    /// <summary>The creator, who manages the document.</summary>
    public required Guid OwnerId { get; init; }

    /// <summary>The chat or topic the document lives in; null for a standalone document.</summary>
    public Guid? ChatId { get; init; }

    /// <summary>An emoji, at most 50 characters.</summary>
    public string Icon { get; init; } = "📄";

    /// <summary>A colour or gradient name, or an image URL, at most 500 characters.</summary>
    public string? Cover { get; init; }

    /// <summary>Lock the document with reason <see cref="LockReason.Signatures"/> once every signer signed.</summary>
    public bool RequireSignatures { get; init; }
}

/// <summary>A partial update of a document's details: only the properties that are not null change.</summary>
public sealed record DocumentUpdate
{
    /// <summary>New title, 1 to 200 characters.</summary>
    public string? Title { get; init; }

    /// <summary>New icon, at most 50 characters.</summary>
    public string? Icon { get; init; }

    /// <summary>New cover; the empty string removes it.</summary>
    public string? Cover { get; init; }

    internal bool IsEmpty => Title is null && Icon is null && Cover is null;
}

/// <summary>What a collaborator may do with a document.</summary>
public enum CollaboratorRole
{
    /// <summary>Changes its details, blocks, tags and entity links.</summary>
    Editor,

    /// <summary>Reads it only; every change is refused.</summary>
    Viewer,
}

/// <summary>A user a document is shared with.</summary>
/// <param name="DocumentId">The document.</param>
/// <param name="UserId">The collaborator.</param>
/// <param name="Role">Editor or viewer.</param>
/// <param name="AddedAt">When they were added.</param>
public sealed record DocumentCollaborator(Guid DocumentId, Guid UserId, CollaboratorRole Role, DateTimeOffset AddedAt);

/// <summary>A user whose signature a document needs.</summary>
/// <param name="DocumentId">The document.</param>
/// <param name="UserId">The signer.</param>
/// <param name="SignedAt">When they signed; null until they do.</param>
/// <param name="SignerName">The name they typed when signing.</param>
/// <param name="AddedAt">When they were added as a signer.</param>
public sealed record DocumentSigner(Guid DocumentId, Guid UserId, DateTimeOffset? SignedAt, string? SignerName, DateTimeOffset AddedAt)
{
    /// <summary>True once they signed.</summary>
    public bool HasSigned => SignedAt is not null;
}

/// <summary>Who signed a document, who has not, and whether that locked it.</summary>
/// <param name="DocumentId">The document.</param>
/// <param name="RequiresSignatures">Whether the document locks once every signer signed.</param>
/// <param name="Signers">Every signer, in the order they were added.</param>
/// <param name="LockedAt">When the document was locked, if it is.</param>
/// <param name="LockReason">Why it is locked, if it is.</param>
public sealed record SignatureStatus(
    Guid DocumentId,
    bool RequiresSignatures,
    IReadOnlyList<DocumentSigner> Signers,
    DateTimeOffset? LockedAt,
    LockReason? LockReason)
{
    /// <summary>The signers who signed.</summary>
    public IReadOnlyList<DocumentSigner> Signed => Signers.Where(s => s.HasSigned).ToList();

    /// <summary>The signers who have not signed yet.</summary>
    public IReadOnlyList<DocumentSigner> Pending => Signers.Where(s => !s.HasSigned).ToList();

    /// <summary>True when there is at least one signer and every one of them signed.</summary>
    public bool AllSigned => Signers.Count > 0 && Signers.All(s => s.HasSigned);
}
