namespace Chat.Data.Chats;

/// <summary>What kind of conversation a chat is.</summary>
public enum ChatType
{
    /// <summary>Two users; one per pair.</summary>
    Direct,

    /// <summary>A named group with roles.</summary>
    Group,

    /// <summary>A chat inside a chat (its members are members of the parent), or one linked to a business object.</summary>
    Topic,
}

/// <summary>A conversation: direct, group or topic.</summary>
/// <param name="Id">UUID v7.</param>
/// <param name="Type">Direct, group or topic.</param>
/// <param name="ParentChatId">For a topic inside a chat: that chat.</param>
/// <param name="Name">Required for groups and topics; null for direct chats.</param>
/// <param name="Slug">Optional unique URL name: lower-case letters and digits in dash-separated words.</param>
/// <param name="Description">Free text.</param>
/// <param name="Icon">An emoji or an image URL.</param>
/// <param name="CreatedBy">Who created it; null once that user is deleted.</param>
/// <param name="EntityType">The kind of business object the chat is about (for example <c>order</c>), with <paramref name="EntityId"/>.</param>
/// <param name="EntityId">The host's id of that business object.</param>
/// <param name="IsPrivate">Whether the host should list it only to its members.</param>
/// <param name="ArchivedAt">When the chat was archived, if it is.</param>
/// <param name="Metadata">A JSON object the host owns (colours, settings), or null.</param>
/// <param name="LastSeq">The sequence number of the newest message; 0 when there is none.</param>
/// <param name="LastMessageId">The newest message, if any.</param>
/// <param name="LastMessageAt">When the newest message was sent.</param>
/// <param name="MessageCount">Messages not deleted for everyone.</param>
/// <param name="MemberCount">Active members.</param>
/// <param name="CreatedAt">When the chat was created.</param>
/// <param name="UpdatedAt">When its settings last changed.</param>
/// <param name="DeletedAt">When it was soft-deleted, if it was.</param>
public sealed record ChatRoom(
    Guid Id,
    ChatType Type,
    Guid? ParentChatId,
    string? Name,
    string? Slug,
    string? Description,
    string? Icon,
    Guid? CreatedBy,
    string? EntityType,
    string? EntityId,
    bool IsPrivate,
    DateTimeOffset? ArchivedAt,
    string? Metadata,
    long LastSeq,
    Guid? LastMessageId,
    DateTimeOffset? LastMessageAt,
    long MessageCount,
    int MemberCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt);

/// <summary>A group to create. Its creator becomes its owner.</summary>
public sealed record NewGroupChat
{
    /// <summary>1 to 100 characters.</summary>
    public required string Name { get; init; }

    /// <summary>The creator, who becomes the owner.</summary>
    public required Guid CreatedBy { get; init; }

    /// <summary>Other users to add as members in the same transaction.</summary>
    public IReadOnlyCollection<Guid> MemberIds { get; init; } = [];

    /// <summary>Optional unique URL name (lower-case letters and digits in dash-separated words, at most 100).</summary>
    public string? Slug { get; init; }

    /// <summary>At most 1,000 characters.</summary>
    public string? Description { get; init; }

    /// <summary>An emoji or an image URL, at most 500 characters.</summary>
    public string? Icon { get; init; }

    /// <summary>Whether the host should list it only to its members.</summary>
    public bool IsPrivate { get; init; }

    /// <summary>A JSON object the host owns.</summary>
    public string? Metadata { get; init; }

    /// <summary>The kind of business object the group is about, with <see cref="EntityId"/>.</summary>
    public string? EntityType { get; init; }

    /// <summary>The host's id of that business object.</summary>
    public string? EntityId { get; init; }
}

/// <summary>
/// A topic to create: inside a parent chat, linked to a business object, or
/// both. Its creator becomes its owner and must be an active member of the parent.
/// </summary>
public sealed record NewTopic
{
    /// <summary>1 to 100 characters.</summary>
    public required string Name { get; init; }

    /// <summary>The creator, who becomes the owner.</summary>
    public required Guid CreatedBy { get; init; }

    /// <summary>The direct chat or group the topic lives in; null for a topic that only links a business object.</summary>
    public Guid? ParentChatId { get; init; }

    /// <summary>The kind of business object (for example <c>order</c>); required when there is no parent.</summary>
    public string? EntityType { get; init; }

    /// <summary>The host's id of that business object.</summary>
    public string? EntityId { get; init; }

    /// <summary>Other users to add; each must be an active member of the parent.</summary>
    public IReadOnlyCollection<Guid> MemberIds { get; init; } = [];

    /// <summary>An emoji or an image URL.</summary>
    public string? Icon { get; init; }

    /// <summary>At most 1,000 characters.</summary>
    public string? Description { get; init; }

    /// <summary>Whether the host should list it only to its members.</summary>
    public bool IsPrivate { get; init; }

    /// <summary>A JSON object the host owns.</summary>
    public string? Metadata { get; init; }
}

/// <summary>A partial settings update: only the properties that are not null change.</summary>
public sealed record ChatUpdate
{
    /// <summary>New name (groups and topics only).</summary>
    public string? Name { get; init; }

    /// <summary>New slug; the empty string removes it.</summary>
    public string? Slug { get; init; }

    /// <summary>New description; the empty string removes it.</summary>
    public string? Description { get; init; }

    /// <summary>New icon; the empty string removes it.</summary>
    public string? Icon { get; init; }

    /// <summary>New privacy.</summary>
    public bool? IsPrivate { get; init; }

    /// <summary>New metadata (a JSON object), replacing the old.</summary>
    public string? Metadata { get; init; }
}
