namespace Chat.Data.Social;

/// <summary>
/// Message requests: a user asks to chat; the recipient accepts (which creates, or reuses,
/// their direct chat) or declines. With <c>ChatDataOptions.RequireMessageRequestForNonContacts</c>
/// on, this is how a direct chat between non-contacts comes to exist.
/// </summary>
public interface IMessageRequestRepository
{
    /// <summary>
    /// Sends a request. There is one request per requester and recipient, ever, and at most one open
    /// (pending or accepted) request between two users whichever way it goes, so this returns the
    /// request that already governs the pair when there is one: the other user's open request to
    /// <paramref name="requesterId"/> (accept it instead), or this pair's own request as it stands
    /// (a declined one stays declined). Safe under concurrent calls: they all return the one request.
    /// </summary>
    /// <exception cref="BlockedException"><paramref name="recipientId"/> has blocked <paramref name="requesterId"/>.</exception>
    /// <exception cref="ReferenceNotFoundException">A user does not exist.</exception>
    Task<MessageRequest> CreateAsync(Guid requesterId, Guid recipientId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Accepts a pending request addressed to <paramref name="recipientId"/>, creating the pair's direct
    /// chat (or reusing the one they have) in the same statement. Accepting twice returns the accepted
    /// request. Null when there is no such request for this recipient.
    /// </summary>
    /// <exception cref="NotPermittedException">The request was declined.</exception>
    /// <exception cref="BlockedException">The requester has since blocked the recipient.</exception>
    Task<MessageRequest?> AcceptAsync(Guid requestId, Guid recipientId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Declines a pending request addressed to <paramref name="recipientId"/>. Declining twice returns
    /// the declined request. Null when there is no such request for this recipient.
    /// </summary>
    /// <exception cref="NotPermittedException">The request was already accepted.</exception>
    Task<MessageRequest?> DeclineAsync(Guid requestId, Guid recipientId, CancellationToken cancellationToken = default);

    /// <summary>The request, or null.</summary>
    Task<MessageRequest?> FindByIdAsync(Guid requestId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The pending requests addressed to <paramref name="recipientId"/>, newest first, keyset-paginated;
    /// requests from users the recipient has blocked are left out.
    /// </summary>
    Task<Page<MessageRequest>> ListPendingAsync(Guid recipientId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);
}
