namespace Chat.Data.Redis.Typing;

/// <summary>A member started (at most once per <see cref="TypingOptions.EventThrottle"/>) or stopped typing in a chat.</summary>
/// <param name="ChatId">The chat.</param>
/// <param name="UserId">The member.</param>
/// <param name="IsTyping">True for "started typing" (show it until the typing TTL passes without another event), false for "stopped".</param>
public sealed record TypingEvent(Guid ChatId, Guid UserId, bool IsTyping);
