namespace Chat.Data.Messages;

/// <summary>
/// Files attached to messages: add (within the limits of <see cref="ChatDataOptions"/>), list for a message
/// or a page of messages, a chat's gallery, and the malware-scan queue. Deleting a message for everyone
/// removes its attachments (<see cref="IMessageRepository.DeleteForEveryoneAsync"/>).
/// </summary>
public interface IAttachmentRepository
{
    /// <summary>
    /// Adds attachments to a message, after the ones it has, in one round trip: all of them or none.
    /// Only the message's sender, while an active member of its chat, adds attachments, and never to
    /// a message deleted for everyone. The count limit holds under concurrent calls.
    /// </summary>
    /// <returns>The attachments added, in the order given.</returns>
    /// <exception cref="ChatDataValidationException">Bad input; a MIME type not allowed; a file over <see cref="ChatDataOptions.MaxAttachmentBytes"/>.</exception>
    /// <exception cref="AttachmentLimitException">The message would have more than <see cref="ChatDataOptions.MaxAttachmentsPerMessage"/>.</exception>
    /// <exception cref="ReferenceNotFoundException">There is no message <paramref name="messageId"/>.</exception>
    /// <exception cref="NotAMemberException">The user is not an active member of the message's chat.</exception>
    /// <exception cref="NotPermittedException">The user is not the sender, or the message was deleted for everyone.</exception>
    Task<IReadOnlyList<MessageAttachment>> AddAsync(Guid messageId, Guid userId, IReadOnlyCollection<NewAttachment> attachments, CancellationToken cancellationToken = default);

    /// <summary>
    /// The attachment, or null: null too when <paramref name="viewerId"/> does not see its message (not
    /// an active member of the chat, or cleared or hid the message), as for an id that does not exist.
    /// </summary>
    Task<MessageAttachment?> FindByIdAsync(Guid attachmentId, Guid viewerId, CancellationToken cancellationToken = default);

    /// <summary>The attachment, or null, with no access check: for trusted back-end jobs (a malware scanner) only.</summary>
    Task<MessageAttachment?> FindByIdUncheckedAsync(Guid attachmentId, CancellationToken cancellationToken = default);

    /// <summary>A message's attachments in their order; none when <paramref name="viewerId"/> does not see the message.</summary>
    Task<IReadOnlyList<MessageAttachment>> ListAsync(Guid messageId, Guid viewerId, CancellationToken cancellationToken = default);

    /// <summary>A message's attachments in their order, with no access check: for trusted back-end jobs only.</summary>
    Task<IReadOnlyList<MessageAttachment>> ListUncheckedAsync(Guid messageId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The attachments of up to 200 messages in one query, keyed by message, each message's in their
    /// order; only of the messages <paramref name="viewerId"/> sees.
    /// </summary>
    Task<ILookup<Guid, MessageAttachment>> ListForMessagesAsync(IReadOnlyCollection<Guid> messageIds, Guid viewerId, CancellationToken cancellationToken = default);

    /// <summary>The attachments of up to 200 messages, as <see cref="ListForMessagesAsync"/>, with no access check: for trusted back-end jobs only.</summary>
    Task<ILookup<Guid, MessageAttachment>> ListForMessagesUncheckedAsync(IReadOnlyCollection<Guid> messageIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// A chat's gallery as <paramref name="viewerId"/> sees it: attachments of the given kinds (every
    /// kind when null or empty), newest first, keyset-paginated, without those of messages the viewer hid
    /// or cleared.
    /// </summary>
    /// <exception cref="NotAMemberException">The viewer is not an active member.</exception>
    Task<Page<MessageAttachment>> GetGalleryAsync(Guid chatId, Guid viewerId, IReadOnlyCollection<AttachmentKind>? kinds = null, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>Records a scan's outcome. Null when there is no such attachment.</summary>
    Task<MessageAttachment?> SetScanStatusAsync(Guid attachmentId, ScanStatus status, CancellationToken cancellationToken = default);

    /// <summary>Attachments waiting for a scan, oldest first, keyset-paginated.</summary>
    Task<Page<MessageAttachment>> ListPendingScansAsync(string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);
}
