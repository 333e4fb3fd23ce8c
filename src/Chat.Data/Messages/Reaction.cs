namespace Chat.Data.Messages;

/// <summary>One user's reaction to a message.</summary>
/// <param name="MessageId">The message.</param>
/// <param name="ChatId">The message's chat.</param>
/// <param name="UserId">Who reacted.</param>
/// <param name="Emoji">The emoji, or a short name the host uses (<c>:thumbsup:</c>, <c>like</c>).</param>
/// <param name="CreatedAt">When they reacted.</param>
public sealed record MessageReaction(Guid MessageId, Guid ChatId, Guid UserId, string Emoji, DateTimeOffset CreatedAt);

/// <summary>How one emoji stands on one message, as a viewer sees it.</summary>
/// <param name="MessageId">The message.</param>
/// <param name="Emoji">The emoji.</param>
/// <param name="Count">How many users reacted with it.</param>
/// <param name="ReactedByViewer">Whether the viewer is one of them.</param>
/// <param name="FirstUserIds">The first users who reacted with it, oldest first (up to <see cref="SampleSize"/>).</param>
public sealed record ReactionSummary(Guid MessageId, string Emoji, int Count, bool ReactedByViewer, IReadOnlyList<Guid> FirstUserIds)
{
    /// <summary>How many users <see cref="FirstUserIds"/> holds at most ("Ana, Bo and 3 others").</summary>
    public const int SampleSize = 3;
}

/// <summary>What adding a reaction changed.</summary>
/// <param name="Added">False when the user had already reacted with this emoji (that reaction stays as it was).</param>
/// <param name="Replaced">
/// With <see cref="ChatDataOptions.OneReactionPerUser"/>: the user's previous reaction on the message, which
/// the new one replaced. Empty otherwise.
/// </param>
public sealed record ReactionChange(bool Added, IReadOnlyList<string> Replaced);
