namespace Chat.Data.Messages;

/// <summary>Messages: send (one round trip, idempotent), read history and threads, edit, delete, hide, search.</summary>
public interface IMessageRepository
{
    /// <summary>
    /// Sends a message in one round trip: takes the chat's next seq under its row lock, inserts the
    /// message, updates the chat's last message and count, advances the sender's read mark, bumps
    /// mentioned members' mention counts and the thread root's reply count. A retry with the same
    /// <see cref="NewMessage.ClientMessageId"/> returns the first message; no seq is spent on it.
    /// <para>
    /// Cancellation: concurrent sends are committed together, and a send waits for its turn. The
    /// token cancels a send only while it waits; once its statement has started, the send completes
    /// with its result and the token is ignored. So an <see cref="OperationCanceledException"/>
    /// means nothing was written. Any other failure (a lost connection) may leave the message
    /// stored: retry with the same <see cref="NewMessage.ClientMessageId"/>, which returns it.
    /// </para>
    /// </summary>
    /// <exception cref="NotAMemberException">The sender is not an active member.</exception>
    /// <exception cref="BlockedException">The chat is direct and the other member has blocked the sender.</exception>
    /// <exception cref="ReferenceNotFoundException">The chat does not exist (or is deleted).</exception>
    /// <exception cref="ChatDataValidationException">Bad content, type or metadata; a reply or thread root from another chat.</exception>
    Task<Message> SendAsync(NewMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// The message as <paramref name="viewerId"/> sees it, or null: null too when they are not an active
    /// member of its chat, cleared it or hid it, the same answer as for an id that does not exist.
    /// </summary>
    Task<Message?> FindByIdAsync(Guid messageId, Guid viewerId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The message, or null, with no access check: for trusted back-end jobs (moderation, exports),
    /// never with an id a user sent. A user's request goes through <see cref="FindByIdAsync"/>.
    /// </summary>
    Task<Message?> FindByIdUncheckedAsync(Guid messageId, CancellationToken cancellationToken = default);

    /// <summary>
    /// A page of the chat's history as <paramref name="viewerId"/> sees it: without the messages they
    /// hid or cleared. Messages deleted for everyone stay, wiped, so the conversation keeps its shape.
    /// </summary>
    /// <exception cref="NotAMemberException">The viewer is not an active member.</exception>
    Task<MessagePage> GetHistoryAsync(Guid chatId, Guid viewerId, HistoryAnchor anchor, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>The replies of a thread, oldest first, after <paramref name="afterSeq"/> (from the start when null).</summary>
    /// <exception cref="NotAMemberException">The viewer is not an active member of the thread's chat.</exception>
    /// <exception cref="ReferenceNotFoundException">There is no message <paramref name="rootMessageId"/>.</exception>
    Task<MessagePage> GetThreadAsync(Guid rootMessageId, Guid viewerId, long? afterSeq = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>Edits a message's content (and metadata, when given), keeping the old version. Null when there is no such message.</summary>
    /// <exception cref="NotPermittedException">The editor is not the sender, or the message was deleted for everyone.</exception>
    Task<Message?> EditAsync(Guid messageId, Guid editorId, string content, string? metadata = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The previous versions of a message, oldest first; none when <paramref name="viewerId"/> does not
    /// see the message (see <see cref="FindByIdAsync"/>).
    /// </summary>
    Task<IReadOnlyList<MessageEdit>> ListEditsAsync(Guid messageId, Guid viewerId, CancellationToken cancellationToken = default);

    /// <summary>The previous versions of a message, oldest first, with no access check: for trusted back-end jobs only.</summary>
    Task<IReadOnlyList<MessageEdit>> ListEditsUncheckedAsync(Guid messageId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a message for everyone: content, metadata and mentions are wiped and its attachments
    /// removed; their storage keys come back for the host to delete. Null when there is no such message.
    /// </summary>
    /// <exception cref="NotPermittedException">The user is neither the sender nor an owner or admin of the chat.</exception>
    Task<DeletedMessage?> DeleteForEveryoneAsync(Guid messageId, Guid deletedBy, CancellationToken cancellationToken = default);

    /// <summary>Hides a message from one member's view ("delete for me"). False when there is no such message.</summary>
    /// <exception cref="NotAMemberException">The user is not an active member of the message's chat.</exception>
    Task<bool> HideForMeAsync(Guid messageId, Guid userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Searches the messages <paramref name="userId"/> can see, in one chat or all their chats:
    /// full-text (ranked) plus substring matches (trigram), so partial words and non-Latin text
    /// match too. Never returns deleted messages, hidden or cleared ones, or chats the user is not in.
    /// Best matches first, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<MessageSearchHit>> SearchAsync(Guid userId, string query, Guid? chatId = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>Messages that mention the user, in chats they are in, newest first, keyset-paginated.</summary>
    Task<Page<Message>> ListMentionsAsync(Guid userId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);
}
