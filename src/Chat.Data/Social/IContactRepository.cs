using Chat.Data.Users;

namespace Chat.Data.Social;

/// <summary>
/// Contacts: a request writes both users' rows (pending); the user who received it
/// accepts (both accepted) or declines; either side removes it (both rows go, chats stay).
/// </summary>
public interface IContactRepository
{
    /// <summary>
    /// Sends a contact request: both rows, pending, requested by <paramref name="requesterId"/>, in one
    /// statement. Idempotent; when <paramref name="contactId"/> had already asked <paramref name="requesterId"/>,
    /// asking back accepts their request. Returns the requester's row.
    /// </summary>
    /// <param name="requesterId">Who asks.</param>
    /// <param name="contactId">Who is asked.</param>
    /// <param name="alias">The requester's name for the contact (1 to 100 characters), or null.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <exception cref="BlockedException"><paramref name="contactId"/> has blocked <paramref name="requesterId"/>.</exception>
    /// <exception cref="ReferenceNotFoundException">A user does not exist.</exception>
    Task<Contact> RequestAsync(Guid requesterId, Guid contactId, string? alias = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Accepts the request <paramref name="userId"/> received from <paramref name="requesterId"/>: both
    /// rows accepted, with the time. Returns <paramref name="userId"/>'s row (as it is, when already
    /// accepted); null when there is no request between them.
    /// </summary>
    /// <exception cref="NotPermittedException"><paramref name="userId"/> sent the request: only the other side accepts.</exception>
    Task<Contact?> AcceptAsync(Guid userId, Guid requesterId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Declines a pending request (the recipient) or withdraws it (the requester): both rows go. False
    /// when there is no pending request between them (an accepted contact is removed with <see cref="RemoveAsync"/>).
    /// </summary>
    Task<bool> DeclineAsync(Guid userId, Guid otherUserId, CancellationToken cancellationToken = default);

    /// <summary>Removes the contact, whatever its status, for both users; their chats stay. False when there was none.</summary>
    Task<bool> RemoveAsync(Guid userId, Guid otherUserId, CancellationToken cancellationToken = default);

    /// <summary><paramref name="ownerId"/>'s row for <paramref name="contactId"/>, or null.</summary>
    Task<Contact?> FindAsync(Guid ownerId, Guid contactId, CancellationToken cancellationToken = default);

    /// <summary>Sets (or, with null, clears) the owner's alias for a contact. Null when there is no such contact.</summary>
    Task<Contact?> SetAliasAsync(Guid ownerId, Guid contactId, string? alias, CancellationToken cancellationToken = default);

    /// <summary>
    /// <paramref name="ownerId"/>'s contacts of one status, newest request first, keyset-paginated.
    /// Pending ones are both incoming and outgoing: <see cref="Contact.RequestedBy"/> tells them apart.
    /// </summary>
    Task<Page<Contact>> ListAsync(Guid ownerId, ContactStatus status, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>
    /// Contact sync: the registered users among <paramref name="phones"/> (E.164, at most 10,000), less
    /// <paramref name="userId"/> and anyone blocked by or blocking them, in one round trip.
    /// </summary>
    /// <exception cref="ChatDataValidationException">A phone is not E.164 (the field is <c>phones[i]</c>), or there are too many.</exception>
    Task<IReadOnlyList<User>> SyncAsync(Guid userId, IReadOnlyCollection<string> phones, CancellationToken cancellationToken = default);
}
