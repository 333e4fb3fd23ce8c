namespace Chat.Data.Chats;

/// <summary>Chat membership: add, remove, leave, roles, and each member's own settings for a chat.</summary>
public interface IChatMemberRepository
{
    /// <summary>
    /// Adds a user to a group or topic (re-activating them if they had left); returns the
    /// membership. A user who is already active is returned unchanged.
    /// </summary>
    /// <exception cref="MemberLimitException">The group is full.</exception>
    /// <exception cref="NotAMemberException">Adding to a topic a user who is not an active member of its parent.</exception>
    /// <exception cref="NotPermittedException">The chat is a direct chat, or the role is owner.</exception>
    /// <exception cref="ReferenceNotFoundException">The chat or the user does not exist.</exception>
    Task<ChatMember> AddAsync(Guid chatId, Guid userId, MemberRole role = MemberRole.Member, CancellationToken cancellationToken = default);

    /// <summary>Adds many users in one round trip, all or none; returns the memberships of all of them.</summary>
    Task<IReadOnlyList<ChatMember>> AddManyAsync(Guid chatId, IReadOnlyCollection<Guid> userIds, MemberRole role = MemberRole.Member, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes a member (left_at and removed_by are set; topics of the chat are left too, and each topic
    /// they owned passes to its oldest admin, else its oldest member). False when they were not active.
    /// </summary>
    /// <exception cref="NotPermittedException">Removing the owner, or a member of a direct chat.</exception>
    Task<bool> RemoveAsync(Guid chatId, Guid userId, Guid removedBy, CancellationToken cancellationToken = default);

    /// <summary>
    /// The user leaves; an owner hands ownership to the oldest admin, else the oldest member. They leave
    /// the chat's topics too, and each topic they owned passes the same way.
    /// </summary>
    /// <exception cref="NotPermittedException">The chat is a direct chat (hide it instead).</exception>
    Task<LeaveResult> LeaveAsync(Guid chatId, Guid userId, CancellationToken cancellationToken = default);

    /// <summary>Changes an active member's role; null when they are not one. Making someone owner makes the old owner an admin.</summary>
    /// <exception cref="NotPermittedException">The chat is a direct chat, or the owner would be demoted without a new owner (make someone else owner instead).</exception>
    Task<ChatMember?> ChangeRoleAsync(Guid chatId, Guid userId, MemberRole role, CancellationToken cancellationToken = default);

    /// <summary>The membership (active or not), or null.</summary>
    Task<ChatMember?> FindAsync(Guid chatId, Guid userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Active members, oldest first, keyset-paginated; none when <paramref name="viewerId"/> is not an
    /// active member (the same answer as for a chat that does not exist).
    /// </summary>
    Task<Page<ChatMember>> ListActiveAsync(Guid chatId, Guid viewerId, string? cursor = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>
    /// Active members, as <see cref="ListActiveAsync"/>, with no access check: for trusted back-end jobs
    /// (notification fan-out) only.
    /// </summary>
    Task<Page<ChatMember>> ListActiveUncheckedAsync(Guid chatId, string? cursor = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Pins or unpins the chat for this member. False when they are not an active member.</summary>
    Task<bool> SetPinnedAsync(Guid chatId, Guid userId, bool pinned, CancellationToken cancellationToken = default);

    /// <summary>Mutes the chat for this member until a time (null unmutes). False when they are not an active member.</summary>
    Task<bool> MuteAsync(Guid chatId, Guid userId, DateTimeOffset? until, CancellationToken cancellationToken = default);

    /// <summary>Sets which messages notify this member. False when they are not an active member.</summary>
    Task<bool> SetNotificationLevelAsync(Guid chatId, Guid userId, NotificationLevel level, CancellationToken cancellationToken = default);

    /// <summary>Clears the history for this member: messages up to now stay hidden from them, and count as read. False when they are not an active member.</summary>
    Task<bool> ClearHistoryAsync(Guid chatId, Guid userId, CancellationToken cancellationToken = default);

    /// <summary>Hides the chat from this member's list until a newer message arrives. False when they are not an active member.</summary>
    Task<bool> HideAsync(Guid chatId, Guid userId, CancellationToken cancellationToken = default);
}
