namespace Chat.Data.Activity;

/// <summary>
/// One item of a user's activity feed: something that happened that they should know
/// about, about a business object, a chat (and message), or both.
/// </summary>
/// <param name="Id">UUID v7.</param>
/// <param name="UserId">The recipient.</param>
/// <param name="ActorId">Who did it; null for the system, or once that user is deleted.</param>
/// <param name="ActionType">What happened, in the host's words (for example <c>MENTION_RECEIVED</c>, <c>TASK_ASSIGNED</c>).</param>
/// <param name="EntityType">The kind of business object it is about (for example <c>order</c>), with <paramref name="EntityId"/>.</param>
/// <param name="EntityId">The host's id of that business object.</param>
/// <param name="ChatId">The chat it is about.</param>
/// <param name="MessageId">The message it is about (in <paramref name="ChatId"/>).</param>
/// <param name="Title">A short title for the UI.</param>
/// <param name="Description">The human-readable text ("Budi mentioned you in Order #123").</param>
/// <param name="ReadAt">When the recipient read it; null while unread.</param>
/// <param name="Metadata">A JSON object the host owns, or null.</param>
/// <param name="OccurredAt">When it happened.</param>
public sealed record ActivityItem(
    Guid Id,
    Guid UserId,
    Guid? ActorId,
    string ActionType,
    string? EntityType,
    string? EntityId,
    Guid? ChatId,
    Guid? MessageId,
    string? Title,
    string Description,
    DateTimeOffset? ReadAt,
    string? Metadata,
    DateTimeOffset OccurredAt);

/// <summary>An activity to record for one or many recipients. It must point at a business object (<see cref="EntityType"/> and <see cref="EntityId"/>), a chat, or both.</summary>
public sealed record NewActivity
{
    /// <summary>What happened, 1 to 100 characters (for example <c>MENTION_RECEIVED</c>).</summary>
    public required string ActionType { get; init; }

    /// <summary>The human-readable text, 1 to 2,000 characters.</summary>
    public required string Description { get; init; }

    /// <summary>Who did it; null for the system.</summary>
    public Guid? ActorId { get; init; }

    /// <summary>The kind of business object, with <see cref="EntityId"/> (at most 100 characters).</summary>
    public string? EntityType { get; init; }

    /// <summary>The host's id of that business object (at most 200 characters).</summary>
    public string? EntityId { get; init; }

    /// <summary>The chat it is about; required with <see cref="MessageId"/>.</summary>
    public Guid? ChatId { get; init; }

    /// <summary>The message it is about.</summary>
    public Guid? MessageId { get; init; }

    /// <summary>A short title, at most 255 characters.</summary>
    public string? Title { get; init; }

    /// <summary>A JSON object the host owns.</summary>
    public string? Metadata { get; init; }

    /// <summary>When it happened; now when null.</summary>
    public DateTimeOffset? OccurredAt { get; init; }
}
