namespace Chat.Data.Redis.Caches;

/// <summary>
/// Unread counts per user and chat, kept in Redis so a chat list or a badge reads them
/// without PostgreSQL. A read accelerator only: PostgreSQL's read watermark
/// (<c>IReadStateRepository</c>) is the truth, and every count here came from it. A count that is not
/// cached is read from PostgreSQL and cached (rebuilt on a miss); increments only touch counts that are
/// cached, never inventing one; and the whole of a user's counts expires
/// <see cref="CacheOptions.UnreadTtl"/> after it was first cached, which bounds any drift.
/// </summary>
/// <remarks>
/// <para>
/// The host keeps it current: after <c>IMessageRepository.SendAsync</c>, <see cref="IncrementAsync"/> for
/// the recipients; after <c>IReadStateRepository.MarkReadAsync</c>, <see cref="SetAsync"/> with the
/// watermark's <c>UnreadCount</c>; after a delete for everyone, a member leaving or anything else that
/// changes counts in ways it cannot add up, <see cref="InvalidateAsync"/>.
/// </para>
/// <para>
/// A rebuild from PostgreSQL that races a send or a mark is never cached with its stale value: a miss takes
/// a lease first, and any increment, set or invalidation in between cancels it (the caller still gets the
/// value PostgreSQL gave). Two windows remain, each closed by the next send or mark or by the TTL: a
/// <see cref="SetAsync"/> whose mark was committed before a send but reaches Redis after that send's
/// increment makes the count one too low; a send whose <see cref="IncrementAsync"/> never ran (the host
/// crashed in between) makes it one too low as well.
/// </para>
/// </remarks>
public interface IUnreadCounterCache
{
    /// <summary>
    /// The user's unread count in one chat: one round trip when cached; otherwise read from PostgreSQL
    /// (<c>IReadStateRepository.GetUnreadCountAsync</c>) and cached.
    /// </summary>
    /// <param name="userId">The member.</param>
    /// <param name="chatId">The chat.</param>
    /// <param name="cancellationToken">Ends the wait for Redis and PostgreSQL.</param>
    /// <returns>Messages after the user's read mark, less those deleted for everyone.</returns>
    /// <exception cref="ChatDataValidationException">An id is empty.</exception>
    /// <exception cref="NotAMemberException">On a miss: the user is not an active member (nothing is cached).</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<long> GetAsync(Guid userId, Guid chatId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The user's unread count in each chat of their chat list: one round trip when cached; otherwise rebuilt
    /// from PostgreSQL by paging <c>IChatRepository.ListForUserAsync</c> (200 chats per query) and cached.
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Ends the wait for Redis and PostgreSQL.</param>
    /// <returns>
    /// Chat id to unread count, zeros included, for the chats <c>ListForUserAsync</c> shows: chats the user
    /// left, hid (with no newer message) or that were deleted are not in it. Sum the values for a total badge.
    /// </returns>
    /// <exception cref="ChatDataValidationException">The id is empty.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<IReadOnlyDictionary<Guid, long>> GetAllAsync(Guid userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts one new message for each recipient whose count for the chat is cached (one round trip; on a
    /// Cluster one pipelined call per recipient). Call it after <c>SendAsync</c> returned the message.
    /// </summary>
    /// <param name="chatId">The chat the message was sent to.</param>
    /// <param name="recipientIds">The active members other than the sender (at most 10,000); the sender is skipped if listed.</param>
    /// <param name="senderId">The sender, if any: sending moved their read mark to the new message, so their count for the chat is set to 0 in the same round trip.</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <exception cref="ChatDataValidationException">An id is empty, or the list is null or too long.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task IncrementAsync(Guid chatId, IEnumerable<Guid> recipientIds, Guid? senderId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets the user's count for the chat, typically after a mark as read: pass the returned watermark's
    /// <c>UnreadCount</c> (0 after reading up to the newest message).
    /// </summary>
    /// <exception cref="ChatDataValidationException">An id is empty, or the count is negative.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task SetAsync(Guid userId, Guid chatId, long unreadCount, CancellationToken cancellationToken = default);

    /// <summary>Sets the user's count for the chat to 0: <see cref="SetAsync"/> after reading up to the newest message.</summary>
    /// <exception cref="ChatDataValidationException">An id is empty.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task ResetAsync(Guid userId, Guid chatId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets the chat's count for each of the users, so their next read goes to PostgreSQL: after a message
    /// was deleted for everyone (it may or may not have been unread), or a member left or was removed.
    /// </summary>
    /// <param name="chatId">The chat.</param>
    /// <param name="userIds">The users (at most 10,000), for example the chat's members.</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <exception cref="ChatDataValidationException">An id is empty, or the list is null or too long.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task InvalidateAsync(Guid chatId, IEnumerable<Guid> userIds, CancellationToken cancellationToken = default);

    /// <summary>Forgets all of the user's counts.</summary>
    /// <exception cref="ChatDataValidationException">The id is empty.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task InvalidateUserAsync(Guid userId, CancellationToken cancellationToken = default);
}
