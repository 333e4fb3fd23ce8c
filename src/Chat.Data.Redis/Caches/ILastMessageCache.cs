using Chat.Data.Messages;

namespace Chat.Data.Redis.Caches;

/// <summary>
/// The newest message of each chat, as a <see cref="MessagePreview"/>, so a chat list can show
/// it without PostgreSQL: set it after a send, read many chats' at once, fall back to PostgreSQL
/// (<c>IChatRepository.ListForUserAsync</c>) for the chats it does not hold. Each entry expires
/// <see cref="CacheOptions.LastMessageTtl"/> after it was last set.
/// </summary>
/// <remarks>
/// The preview is the chat's, the same for every member: a member who hid the message or cleared the chat
/// sees an older one in PostgreSQL's list. An entry is replaced only by a message with the same or a higher
/// seq, so concurrent sends that finish out of order leave the newest; the same seq replaces it, which is
/// how an edit or a delete for everyone of the newest message reaches the cache (or call
/// <see cref="InvalidateAsync"/>).
/// </remarks>
public interface ILastMessageCache
{
    /// <summary>Caches <paramref name="preview"/> as the chat's newest message unless a newer one is cached (one round trip).</summary>
    /// <param name="chatId">The chat.</param>
    /// <param name="preview">The message; its <see cref="MessagePreview.Seq"/> decides which is newer.</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <returns>False when a message with a higher seq was already cached (nothing changed).</returns>
    /// <exception cref="ChatDataValidationException">An id is empty, the preview is null, its seq is below 1 or its content is over 10,000 characters.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<bool> SetAsync(Guid chatId, MessagePreview preview, CancellationToken cancellationToken = default);

    /// <summary>Caches a message just sent, edited or deleted for everyone as its chat's newest (see <see cref="SetAsync(Guid, MessagePreview, CancellationToken)"/>).</summary>
    /// <exception cref="ChatDataValidationException">The message is null, an id is empty, its seq is below 1 or its content is over 10,000 characters.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<bool> SetAsync(Message message, CancellationToken cancellationToken = default);

    /// <summary>The chat's cached newest message, or null when none is cached.</summary>
    /// <exception cref="ChatDataValidationException">The id is empty.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<MessagePreview?> GetAsync(Guid chatId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The cached newest messages of many chats (up to 10,000), for example one page of a chat list. On a single
    /// server one <c>MGET</c>; on a Cluster each chat is in the slot of its own hash tag, so one <c>MGET</c> per
    /// slot, all pipelined: one round trip to each node.
    /// </summary>
    /// <returns>The chats that have one cached; read the others from PostgreSQL.</returns>
    /// <exception cref="ChatDataValidationException">The list is null, too long, or holds an empty id.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<IReadOnlyDictionary<Guid, MessagePreview>> GetManyAsync(IEnumerable<Guid> chatIds, CancellationToken cancellationToken = default);

    /// <summary>Drops the chat's cached message (the chat changed in a way a newer seq does not express, or was deleted).</summary>
    /// <returns>True when one was cached.</returns>
    /// <exception cref="ChatDataValidationException">The id is empty.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<bool> InvalidateAsync(Guid chatId, CancellationToken cancellationToken = default);
}
