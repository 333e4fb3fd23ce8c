namespace Chat.Data.Social;

/// <summary>Where a contact relationship stands.</summary>
public enum ContactStatus
{
    /// <summary>Requested, not yet accepted.</summary>
    Pending,

    /// <summary>Accepted by the user who received the request.</summary>
    Accepted,
}

/// <summary>
/// One side of a contact relationship: each relationship is stored twice, once per user,
/// so each side has its own row (and alias).
/// </summary>
/// <param name="OwnerId">The user whose contact list holds this row.</param>
/// <param name="ContactId">The other user.</param>
/// <param name="Status">Pending or accepted (the same on both rows).</param>
/// <param name="RequestedBy">Who sent the request: <paramref name="OwnerId"/> for an outgoing one, <paramref name="ContactId"/> for an incoming one.</param>
/// <param name="Alias">The owner's own name for the contact, if set.</param>
/// <param name="CreatedAt">When the request was sent.</param>
/// <param name="AcceptedAt">When it was accepted.</param>
public sealed record Contact(
    Guid OwnerId,
    Guid ContactId,
    ContactStatus Status,
    Guid RequestedBy,
    string? Alias,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AcceptedAt);
