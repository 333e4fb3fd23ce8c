namespace Chat.Data.Messages;

/// <summary>Emoji reactions to messages: add, remove, and summaries for a whole page of messages in one query.</summary>
public interface IReactionRepository
{
    /// <summary>
    /// Adds <paramref name="userId"/>'s reaction to a message, in one round trip. Idempotent: adding a
    /// reaction the user already has changes nothing. With <see cref="ChatDataOptions.OneReactionPerUser"/>
    /// the new reaction replaces the user's other reaction on the message, also under concurrent calls.
    /// </summary>
    /// <param name="messageId">The message.</param>
    /// <param name="userId">Who reacts; an active member of the message's chat.</param>
    /// <param name="emoji">One emoji, or a short name the host uses (<c>:thumbsup:</c>, <c>like</c>): 1 to 64 characters, no whitespace or control characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ReferenceNotFoundException">There is no message <paramref name="messageId"/>.</exception>
    /// <exception cref="NotAMemberException">The user is not an active member of the message's chat.</exception>
    /// <exception cref="NotPermittedException">The message was deleted for everyone.</exception>
    Task<ReactionChange> AddAsync(Guid messageId, Guid userId, string emoji, CancellationToken cancellationToken = default);

    /// <summary>Removes the user's reaction. False when they had none with this emoji. A user who left the chat may still remove theirs.</summary>
    Task<bool> RemoveAsync(Guid messageId, Guid userId, string emoji, CancellationToken cancellationToken = default);

    /// <summary>
    /// The reactions of up to 200 messages in one query, keyed by message: per emoji the count, whether
    /// <paramref name="viewerId"/> reacted, and the first few users; most used emoji first. Messages
    /// deleted for everyone, and messages of chats the viewer is not an active member of, have none.
    /// </summary>
    Task<ILookup<Guid, ReactionSummary>> GetSummariesAsync(IReadOnlyCollection<Guid> messageIds, Guid viewerId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Who reacted to a message (with <paramref name="emoji"/>, or with any emoji when null), in the
    /// order they reacted, keyset-paginated. Nobody, once the message is deleted for everyone, and
    /// nobody when <paramref name="viewerId"/> does not see the message: not an active member of its
    /// chat, or cleared or hid it (the same answer as for a message that does not exist).
    /// </summary>
    Task<Page<MessageReaction>> ListAsync(Guid messageId, Guid viewerId, string? emoji = null, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>Who reacted to a message, as <see cref="ListAsync"/>, with no access check: for trusted back-end jobs only.</summary>
    Task<Page<MessageReaction>> ListUncheckedAsync(Guid messageId, string? emoji = null, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);
}
