namespace Chat.Data;

/// <summary>
/// Base of every error Chat.Data raises for a rule it knows. Catch this to handle all of them;
/// check <see cref="IsTransient"/> to decide whether a retry can succeed.
/// </summary>
public abstract class ChatDataException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected ChatDataException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// True when the same call may succeed if retried (deadlock, serialization failure, lost connection).
    /// </summary>
    public virtual bool IsTransient => false;
}

/// <summary>Input was rejected before it reached the database (or by a database check that mirrors the rule).</summary>
public sealed class ChatDataValidationException : ChatDataException
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public ChatDataValidationException(string field, string reason, Exception? innerException = null)
        : base($"{field}: {reason}", innerException)
    {
        Field = field;
        Reason = reason;
    }

    /// <summary>The field or parameter that was rejected, as the caller named it (for example <c>Phone</c> or <c>phones[3]</c>).</summary>
    public string Field { get; }

    /// <summary>Why the value was rejected.</summary>
    public string Reason { get; }
}

/// <summary>A unique rule was broken: another row already holds this value.</summary>
public sealed class DuplicateException : ChatDataException
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public DuplicateException(string field, Exception? innerException = null)
        : base($"{field}: the value is already taken.", innerException)
    {
        Field = field;
    }

    /// <summary>The field whose value is already taken (for example <c>Phone</c>).</summary>
    public string Field { get; }
}

/// <summary>A row refers to another row that does not exist (for example a chat id that was never created).</summary>
public sealed class ReferenceNotFoundException : ChatDataException
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public ReferenceNotFoundException(string field, Exception? innerException = null)
        : base($"{field}: the referenced row does not exist.", innerException)
    {
        Field = field;
    }

    /// <summary>The field holding the missing reference.</summary>
    public string Field { get; }
}

/// <summary>The database broke a tie between concurrent transactions (deadlock or serialization failure). Retry.</summary>
public sealed class ConcurrencyConflictException : ChatDataException
{
    /// <summary>Creates the exception.</summary>
    public ConcurrencyConflictException(Exception innerException)
        : base("The database aborted the call to resolve a conflict with a concurrent one; retry it.", innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}

/// <summary>The database could not be reached or dropped the connection. Retry later.</summary>
public sealed class DatabaseUnavailableException : ChatDataException
{
    /// <summary>Creates the exception.</summary>
    public DatabaseUnavailableException(Exception innerException)
        : base("The database is unavailable: " + innerException.Message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}

/// <summary>The user is not an active member of the chat, and the call needs one (sending, reading, joining a topic of a chat they are not in).</summary>
public sealed class NotAMemberException : ChatDataException
{
    /// <summary>Creates the exception for a known chat and user.</summary>
    public NotAMemberException(Guid chatId, Guid userId, Exception? innerException = null)
        : base($"User {userId} is not an active member of chat {chatId}.", innerException)
    {
        ChatId = chatId;
        UserId = userId;
    }

    /// <summary>Creates the exception when the database reports the rule without naming the pair.</summary>
    public NotAMemberException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>The chat, when known.</summary>
    public Guid ChatId { get; }

    /// <summary>The user who is not a member, when known.</summary>
    public Guid UserId { get; }
}

/// <summary>The call is well-formed but the rules do not let this user do it (editing another's message, removing a chat's owner).</summary>
public sealed class NotPermittedException : ChatDataException
{
    /// <summary>Creates the exception.</summary>
    public NotPermittedException(string reason)
        : base(reason)
    {
    }

    internal NotPermittedException(string reason, Exception innerException)
        : base(reason, innerException)
    {
    }
}

/// <summary>Adding the members would take a group past <c>ChatDataOptions.MaxGroupMembers</c>.</summary>
public sealed class MemberLimitException : ChatDataException
{
    /// <summary>Creates the exception.</summary>
    public MemberLimitException(Guid chatId, int limit)
        : base($"Chat {chatId} would exceed its limit of {limit} active members.")
    {
        ChatId = chatId;
        Limit = limit;
    }

    /// <summary>The chat that is full.</summary>
    public Guid ChatId { get; }

    /// <summary>The member limit in force.</summary>
    public int Limit { get; }
}

/// <summary>
/// The user has been blocked by the other user, and the call needs them not to be: sending in their
/// direct chat, creating that chat, or sending them a contact or message request.
/// </summary>
public sealed class BlockedException : ChatDataException
{
    /// <summary>Creates the exception.</summary>
    public BlockedException(Guid userId, Guid blockedBy)
        : base($"User {blockedBy} has blocked user {userId}.")
    {
        UserId = userId;
        BlockedBy = blockedBy;
    }

    /// <summary>The blocked user, who made the call.</summary>
    public Guid UserId { get; }

    /// <summary>The user who blocked them.</summary>
    public Guid BlockedBy { get; }
}

/// <summary>
/// <c>ChatDataOptions.RequireMessageRequestForNonContacts</c> is on and the two users are not
/// contacts: their direct chat is created when a message request between them is accepted.
/// </summary>
public sealed class MessageRequestRequiredException : ChatDataException
{
    /// <summary>Creates the exception.</summary>
    public MessageRequestRequiredException(Guid userId, Guid otherUserId)
        : base($"Users {userId} and {otherUserId} are not contacts: send a message request (IMessageRequestRepository.CreateAsync); accepting it creates the direct chat.")
    {
        UserId = userId;
        OtherUserId = otherUserId;
    }

    /// <summary>The user who asked for the direct chat.</summary>
    public Guid UserId { get; }

    /// <summary>The other user.</summary>
    public Guid OtherUserId { get; }
}

/// <summary>Adding the attachments would take a message past <c>ChatDataOptions.MaxAttachmentsPerMessage</c>.</summary>
public sealed class AttachmentLimitException : ChatDataException
{
    /// <summary>Creates the exception.</summary>
    public AttachmentLimitException(Guid messageId, int limit)
        : base($"Message {messageId} would exceed its limit of {limit} attachments.")
    {
        MessageId = messageId;
        Limit = limit;
    }

    /// <summary>The message that is full.</summary>
    public Guid MessageId { get; }

    /// <summary>The attachment limit in force.</summary>
    public int Limit { get; }
}
