namespace Chat.Data.ReadState;

/// <summary>
/// Read state as one watermark per member, never a row per message per recipient: marks move
/// forward only (also under concurrent calls), unread counts are arithmetic, receipts come from
/// the watermarks plus one <c>read_marks</c> row per mark that moved.
/// </summary>
public interface IReadStateRepository
{
    /// <summary>
    /// Marks the chat read up to <paramref name="upToSeq"/> (the newest message when null) in one
    /// statement; a mark below the current one changes nothing. Reading implies delivery.
    /// </summary>
    /// <exception cref="NotAMemberException">The user is not an active member.</exception>
    Task<ReadWatermark> MarkReadAsync(Guid chatId, Guid userId, long? upToSeq = null, CancellationToken cancellationToken = default);

    /// <summary>Marks messages delivered up to <paramref name="upToSeq"/> (the newest when null); forward only.</summary>
    /// <exception cref="NotAMemberException">The user is not an active member.</exception>
    Task<ReadWatermark> MarkDeliveredAsync(Guid chatId, Guid userId, long? upToSeq = null, CancellationToken cancellationToken = default);

    /// <summary>Unread messages in one chat, without counting them row by row.</summary>
    /// <exception cref="NotAMemberException">The user is not an active member.</exception>
    Task<long> GetUnreadCountAsync(Guid chatId, Guid userId, CancellationToken cancellationToken = default);

    /// <summary>Unread messages, chats with unread messages, and unread mentions across the user's chats, in one query.</summary>
    Task<UnreadTotals> GetUnreadTotalsAsync(Guid userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Each recipient's state for a message with the time it got there, and "read by N of M". Null when
    /// there is no such message, or when <paramref name="viewerId"/> does not see it (not an active
    /// member of its chat, or cleared or hid it).
    /// </summary>
    Task<MessageReceipts?> GetReceiptsAsync(Guid messageId, Guid viewerId, CancellationToken cancellationToken = default);

    /// <summary>A message's receipts, as <see cref="GetReceiptsAsync"/>, with no access check: for trusted back-end jobs only.</summary>
    Task<MessageReceipts?> GetReceiptsUncheckedAsync(Guid messageId, CancellationToken cancellationToken = default);
}
