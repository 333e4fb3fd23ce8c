using Chat.Data.Messages;

namespace Chat.Data.Redis.Caches;

/// <summary>
/// The newest messages of each chat (a sorted set per chat, scored by seq), up to
/// <see cref="CacheOptions.RecentMessagesCapacity"/>, so opening a chat shows its latest page without
/// PostgreSQL. Add each message after it is sent; read the newest; fall back to
/// <c>IMessageRepository.GetHistoryAsync</c> when the answer is not <see cref="RecentMessages.IsComplete"/>.
/// Each chat's entry expires <see cref="CacheOptions.RecentMessagesTtl"/> after the last add.
/// </summary>
/// <remarks>
/// The messages are the chat's, as everyone sees them: hiding a message for oneself or clearing a chat are
/// per member and not applied here (filter them, or read PostgreSQL, for a member who did either). Messages
/// are kept by seq; adds may arrive out of order (concurrent sends), and an answer is complete only when no
/// seq in its range is missing, so a message whose add never ran is never silently skipped.
/// </remarks>
public interface IRecentMessagesCache
{
    /// <summary>
    /// Adds a message, or replaces the cached one with the same seq (after an edit, or a delete for everyone:
    /// pass the updated message). The oldest are dropped beyond the capacity. One round trip.
    /// </summary>
    /// <param name="message">The message as <c>SendAsync</c>, <c>EditAsync</c> or <c>DeleteForEveryoneAsync</c> returned it.</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <returns>False when nothing changed: the message is older than the newest <see cref="CacheOptions.RecentMessagesCapacity"/>, or was removed with <see cref="RemoveAsync"/>.</returns>
    /// <exception cref="ChatDataValidationException">The message is null, an id is empty or its seq is below 1.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<bool> AddAsync(Message message, CancellationToken cancellationToken = default);

    /// <summary>The chat's newest cached messages, oldest first (one round trip).</summary>
    /// <param name="chatId">The chat.</param>
    /// <param name="count">How many (1 to <see cref="CacheOptions.RecentMessagesCapacity"/>); default the capacity.</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <returns>The messages with a seq among the newest <paramref name="count"/> cached seqs, less removed ones, and whether every one of those seqs is accounted for.</returns>
    /// <exception cref="ChatDataValidationException">The id is empty or the count is out of range.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<RecentMessages> GetNewestAsync(Guid chatId, int? count = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes a message out of the chat's recent messages for good (for a host that shows nothing for a message
    /// deleted for everyone; to show it wiped instead, <see cref="AddAsync"/> the deleted message). Its seq
    /// stays accounted for, so answers stay complete, and a late add of it is ignored.
    /// </summary>
    /// <returns>True when a cached message was removed.</returns>
    /// <exception cref="ChatDataValidationException">The id is empty or the seq is below 1.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<bool> RemoveAsync(Guid chatId, long seq, CancellationToken cancellationToken = default);

    /// <summary>Drops all of the chat's recent messages (for example after the chat was deleted or purged).</summary>
    /// <returns>True when some were cached.</returns>
    /// <exception cref="ChatDataValidationException">The id is empty.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<bool> InvalidateAsync(Guid chatId, CancellationToken cancellationToken = default);
}

/// <summary>The answer of <see cref="IRecentMessagesCache.GetNewestAsync"/>.</summary>
/// <param name="Messages">The messages, ascending by seq.</param>
/// <param name="IsComplete">
/// True when every seq from the newest cached one back to the count asked for (or to seq 1) is in the cache,
/// as a message or as removed: the answer equals what PostgreSQL holds for that range, provided the newest
/// message's add has run. False when the cache is empty, cold (filled only since a recent message) or missing
/// a message: read PostgreSQL.
/// </param>
public sealed record RecentMessages(IReadOnlyList<Message> Messages, bool IsComplete);
