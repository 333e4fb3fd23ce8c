namespace Chat.Data.Chats;

/// <summary>Chats: create (group, direct, topic), find, list a user's chats, update, archive, delete.</summary>
public interface IChatRepository
{
    /// <summary>Creates a group owned by its creator, with the given members, in one transaction.</summary>
    /// <exception cref="MemberLimitException">More members than <c>ChatDataOptions.MaxGroupMembers</c>.</exception>
    /// <exception cref="DuplicateException">The slug is taken.</exception>
    /// <exception cref="ReferenceNotFoundException">A user does not exist.</exception>
    Task<ChatRoom> CreateGroupAsync(NewGroupChat group, CancellationToken cancellationToken = default);

    /// <summary>
    /// The direct chat of two users, created with both as members when there is none. Safe under
    /// concurrent calls for the same pair: they all return the one chat. An existing chat is always
    /// returned; the exceptions below only stop a new one. A pair has one direct chat for good: when
    /// theirs was soft-deleted (<see cref="SoftDeleteAsync"/>), it is restored with its history, on
    /// the same checks as a new one.
    /// </summary>
    /// <exception cref="ChatDataValidationException">An empty id, or the same user twice (field <c>otherUserId</c>).</exception>
    /// <exception cref="ReferenceNotFoundException">A user does not exist.</exception>
    /// <exception cref="BlockedException"><paramref name="otherUserId"/> has blocked <paramref name="userId"/>.</exception>
    /// <exception cref="MessageRequestRequiredException">
    /// <c>ChatDataOptions.RequireMessageRequestForNonContacts</c> is on, the two are not accepted contacts,
    /// and no message request between them was accepted.
    /// </exception>
    Task<ChatRoom> GetOrCreateDirectAsync(Guid userId, Guid otherUserId, CancellationToken cancellationToken = default);

    /// <summary>The direct chat of two users, or null (also when it was soft-deleted).</summary>
    /// <exception cref="ChatDataValidationException">An empty id, or the same user twice (field <c>otherUserId</c>).</exception>
    Task<ChatRoom?> FindDirectAsync(Guid userId, Guid otherUserId, CancellationToken cancellationToken = default);

    /// <summary>Creates a topic; its creator becomes its owner.</summary>
    /// <exception cref="NotAMemberException">The creator or a member is not an active member of the parent.</exception>
    /// <exception cref="ReferenceNotFoundException">The parent chat does not exist (or is itself a topic, or deleted).</exception>
    Task<ChatRoom> CreateTopicAsync(NewTopic topic, CancellationToken cancellationToken = default);

    /// <summary>
    /// The chat, or null when there is none, it was soft-deleted, or <paramref name="viewerId"/> is not
    /// an active member of it (the same answer, so a non-member learns nothing).
    /// </summary>
    Task<ChatRoom?> FindByIdAsync(Guid chatId, Guid viewerId, CancellationToken cancellationToken = default);

    /// <summary>The chat, or null when there is none or it was soft-deleted, with no access check: for trusted back-end jobs only.</summary>
    Task<ChatRoom?> FindByIdUncheckedAsync(Guid chatId, CancellationToken cancellationToken = default);

    /// <summary>The chat with this slug, or null.</summary>
    Task<ChatRoom?> FindBySlugAsync(string slug, CancellationToken cancellationToken = default);

    /// <summary>The topics inside a chat, oldest first.</summary>
    Task<IReadOnlyList<ChatRoom>> ListTopicsAsync(Guid parentChatId, CancellationToken cancellationToken = default);

    /// <summary>The chats linked to one business object, oldest first.</summary>
    Task<IReadOnlyList<ChatRoom>> ListByEntityAsync(string entityType, string entityId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The user's chats, pinned first (latest pin first), then by latest activity, with the last
    /// message, unread counts, role, mute and pin. Leaves out chats the user left or hid (until a
    /// newer message arrives) and soft-deleted ones. Keyset-paginated.
    /// </summary>
    Task<Page<ChatListItem>> ListForUserAsync(Guid userId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>Changes only the settings <paramref name="update"/> sets; null when there is no such chat.</summary>
    Task<ChatRoom?> UpdateAsync(Guid chatId, ChatUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Archives the chat (idempotent). False when there is no such chat.</summary>
    Task<bool> ArchiveAsync(Guid chatId, CancellationToken cancellationToken = default);

    /// <summary>Unarchives the chat. False when there is no such chat.</summary>
    Task<bool> UnarchiveAsync(Guid chatId, CancellationToken cancellationToken = default);

    /// <summary>Soft-deletes the chat: it disappears from finds and lists; rows stay. False when there is no such chat.</summary>
    Task<bool> SoftDeleteAsync(Guid chatId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the chat and everything in it: members, messages, topics and their messages. False when there was none.</summary>
    Task<bool> DeleteAsync(Guid chatId, CancellationToken cancellationToken = default);
}
