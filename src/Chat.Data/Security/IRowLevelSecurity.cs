namespace Chat.Data.Security;

/// <summary>
/// Runs repository calls as one user under PostgreSQL row-level security: the database itself then
/// returns, and lets them change, only rows of chats the user is an active member of (their messages,
/// members, reactions, attachments, edits, read marks), their own hides and their own activity feed.
/// Each scoped statement switches to the restricted role <c>chat_user</c> and sets the user for its own
/// transaction, in the same round trip; nothing stays on the pooled connection.
/// <code>
/// using (rowLevelSecurity.ActAs(userId))
///     page = await messages.GetHistoryAsync(chatId, userId, HistoryAnchor.Latest);
/// </code>
/// Calls outside a scope are not limited (trusted back-end work). Scoped calls cover chat content:
/// users, chats and members, messages, reactions, attachments, read state and the activity feed.
/// Creating chats and changing membership are not allowed in a scope (the user is not yet a member of a
/// new chat); run them unscoped after the host's own checks. The connecting role must be a member of
/// <c>chat_user</c>, which the migration grants to the role that runs it.
/// </summary>
public interface IRowLevelSecurity
{
    /// <summary>Begins a scope for the current async flow, also for tasks started in it. Dispose it in the flow that began it.</summary>
    ActingUserScope ActAs(Guid userId);

    /// <summary>The scope current in this async flow, or null.</summary>
    ActingUserScope? Current { get; }
}
