namespace Chat.Data.Social;

/// <summary>Where a message request stands.</summary>
public enum MessageRequestStatus
{
    /// <summary>Waiting for the recipient.</summary>
    Pending,

    /// <summary>Accepted: the pair's direct chat exists.</summary>
    Accepted,

    /// <summary>Declined by the recipient; it stays declined.</summary>
    Declined,
}

/// <summary>A request from a user to chat with someone who is not their contact.</summary>
/// <param name="Id">UUID v7.</param>
/// <param name="RequesterId">Who asks.</param>
/// <param name="RecipientId">Who is asked.</param>
/// <param name="ChatId">The pair's direct chat, once accepted (null again if that chat is deleted).</param>
/// <param name="Status">Pending, accepted or declined.</param>
/// <param name="CreatedAt">When it was sent.</param>
/// <param name="RespondedAt">When the recipient accepted or declined it.</param>
public sealed record MessageRequest(
    Guid Id,
    Guid RequesterId,
    Guid RecipientId,
    Guid? ChatId,
    MessageRequestStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RespondedAt);
