namespace Chat.Data.Chats;

/// <summary>A member's role in a chat. Direct chats have two members.</summary>
public enum MemberRole
{
    /// <summary>Full control; one per group, handed on when they leave.</summary>
    Owner,

    /// <summary>Manages members and settings.</summary>
    Admin,

    /// <summary>Reads and sends.</summary>
    Member,

    /// <summary>Limited access, as the host defines.</summary>
    Guest,
}

/// <summary>Which messages notify a member.</summary>
public enum NotificationLevel
{
    /// <summary>Every message.</summary>
    All,

    /// <summary>Only messages that mention them.</summary>
    Mentions,

    /// <summary>None.</summary>
    None,
}

/// <summary>A user's membership of a chat, with their read state and preferences.</summary>
/// <param name="ChatId">The chat.</param>
/// <param name="UserId">The member.</param>
/// <param name="Role">Owner, admin, member or guest.</param>
/// <param name="JoinedAt">When they (last) joined.</param>
/// <param name="LeftAt">When they left or were removed; null while active.</param>
/// <param name="RemovedBy">Who removed them, when they did not leave by themselves.</param>
/// <param name="LastReadSeq">Read watermark: every message up to this seq is read.</param>
/// <param name="LastReadAt">When the read watermark last moved.</param>
/// <param name="LastDeliveredSeq">Delivery watermark.</param>
/// <param name="LastDeliveredAt">When the delivery watermark last moved.</param>
/// <param name="UnreadMentionCount">Unread messages that mention them.</param>
/// <param name="MutedUntil">Muted until this time, if set.</param>
/// <param name="PinnedAt">When they pinned the chat, if they did.</param>
/// <param name="NotificationLevel">Which messages notify them.</param>
/// <param name="ClearedSeq">History up to this seq is hidden for them ("clear chat").</param>
/// <param name="HiddenAt">When they hid the chat from their list; it comes back with the next message.</param>
/// <param name="Metadata">A JSON object the host owns (nickname, colour).</param>
public sealed record ChatMember(
    Guid ChatId,
    Guid UserId,
    MemberRole Role,
    DateTimeOffset JoinedAt,
    DateTimeOffset? LeftAt,
    Guid? RemovedBy,
    long LastReadSeq,
    DateTimeOffset? LastReadAt,
    long LastDeliveredSeq,
    DateTimeOffset? LastDeliveredAt,
    int UnreadMentionCount,
    DateTimeOffset? MutedUntil,
    DateTimeOffset? PinnedAt,
    NotificationLevel NotificationLevel,
    long ClearedSeq,
    DateTimeOffset? HiddenAt,
    string? Metadata);

/// <summary>What leaving a chat did.</summary>
/// <param name="Left">False when the user was not an active member.</param>
/// <param name="NewOwnerId">When the owner left: who owns the chat now (the oldest admin, else the oldest member); null otherwise or when nobody is left.</param>
public sealed record LeaveResult(bool Left, Guid? NewOwnerId);

/// <summary>One row of a user's chat list.</summary>
/// <param name="Chat">The chat.</param>
/// <param name="Role">The user's role in it.</param>
/// <param name="UnreadCount">Messages after the user's read mark, less those deleted for everyone.</param>
/// <param name="UnreadMentionCount">Unread messages that mention the user.</param>
/// <param name="IsMuted">Whether the user's mute is in force now.</param>
/// <param name="PinnedAt">When the user pinned it; pinned chats come first.</param>
/// <param name="LastMessage">A preview of the newest message the user can see, if any.</param>
public sealed record ChatListItem(
    ChatRoom Chat,
    MemberRole Role,
    long UnreadCount,
    int UnreadMentionCount,
    bool IsMuted,
    DateTimeOffset? PinnedAt,
    Messages.MessagePreview? LastMessage);
