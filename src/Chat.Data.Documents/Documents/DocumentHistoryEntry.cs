namespace Chat.Data.Documents;

/// <summary>One row of a document's history.</summary>
/// <param name="Id">Increases in the order rows were written; the list's key.</param>
/// <param name="DocumentId">The document.</param>
/// <param name="UserId">Who did it; null for the host's system entries and once that user is deleted.</param>
/// <param name="Action">What happened: one of <see cref="DocumentActions"/>, or a host's own action.</param>
/// <param name="Details">A JSON object describing it (for example <c>{"tag": "urgent"}</c>), or null.</param>
/// <param name="CreatedAt">When it happened.</param>
public sealed record DocumentHistoryEntry(long Id, Guid DocumentId, Guid? UserId, string Action, string? Details, DateTimeOffset CreatedAt);

/// <summary>
/// The actions the library writes to a document's history, each in the transaction of the change
/// it records, with the acting user and the details named here (camelCase JSON keys).
/// </summary>
public static class DocumentActions
{
    /// <summary>The document was created. Details: <c>title</c>, <c>chatId</c>.</summary>
    public const string Created = "created";

    /// <summary>Its title, icon or cover changed. Details: the new values that were set.</summary>
    public const string Updated = "updated";

    /// <summary>It was locked, by its owner or by the last signature. Details: <c>reason</c> (<c>manual</c> or <c>signatures</c>).</summary>
    public const string Locked = "locked";

    /// <summary>Its owner unlocked it.</summary>
    public const string Unlocked = "unlocked";

    /// <summary>A collaborator was added. Details: <c>userId</c>, <c>role</c>.</summary>
    public const string CollaboratorAdded = "collaborator_added";

    /// <summary>A collaborator's role changed. Details: <c>userId</c>, <c>role</c> (the new one).</summary>
    public const string CollaboratorRoleChanged = "collaborator_role_changed";

    /// <summary>A collaborator was removed, or left. Details: <c>userId</c>.</summary>
    public const string CollaboratorRemoved = "collaborator_removed";

    /// <summary>A signer was added. Details: <c>userId</c>.</summary>
    public const string SignerAdded = "signer_added";

    /// <summary>A signer was removed. Details: <c>userId</c>.</summary>
    public const string SignerRemoved = "signer_removed";

    /// <summary>A signer signed (the row's user). Details: <c>signerName</c>.</summary>
    public const string Signed = "signed";

    /// <summary>A tag was added. Details: <c>tag</c>.</summary>
    public const string TagAdded = "tag_added";

    /// <summary>A tag was removed. Details: <c>tag</c>.</summary>
    public const string TagRemoved = "tag_removed";

    /// <summary>A block was added. Details: <c>blockId</c>, <c>type</c>, <c>parentBlockId</c>.</summary>
    public const string BlockAdded = "block_added";

    /// <summary>A block's content changed. Details: <c>blockId</c>.</summary>
    public const string BlockUpdated = "block_updated";

    /// <summary>A block moved to another parent or place. Details: <c>blockId</c>, <c>parentBlockId</c>, <c>sortOrder</c>.</summary>
    public const string BlockMoved = "block_moved";

    /// <summary>The blocks of one level were put in a new order. Details: <c>parentBlockId</c>.</summary>
    public const string BlocksReordered = "blocks_reordered";

    /// <summary>A block (and the blocks under it) was deleted. Details: <c>blockId</c>, <c>type</c>.</summary>
    public const string BlockDeleted = "block_deleted";

    /// <summary>An entity was linked to the document. Details: <c>entityId</c>, <c>name</c>.</summary>
    public const string EntityLinked = "entity_linked";

    /// <summary>An entity was unlinked, or deleted by its owner (the row's user). Details: <c>entityId</c>, <c>name</c>.</summary>
    public const string EntityUnlinked = "entity_unlinked";
}
