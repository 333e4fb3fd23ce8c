namespace Chat.Data.ReadState;

/// <summary>A member's read state in a chat after a mark.</summary>
/// <param name="ChatId">The chat.</param>
/// <param name="UserId">The member.</param>
/// <param name="LastDeliveredSeq">Every message up to this seq was delivered to them.</param>
/// <param name="LastDeliveredAt">When the delivery watermark last moved.</param>
/// <param name="LastReadSeq">Every message up to this seq was read by them.</param>
/// <param name="LastReadAt">When the read watermark last moved.</param>
/// <param name="UnreadCount">Messages after the read mark, less those deleted for everyone.</param>
/// <param name="UnreadMentionCount">Unread messages that mention them.</param>
public sealed record ReadWatermark(
    Guid ChatId,
    Guid UserId,
    long LastDeliveredSeq,
    DateTimeOffset? LastDeliveredAt,
    long LastReadSeq,
    DateTimeOffset? LastReadAt,
    long UnreadCount,
    int UnreadMentionCount);

/// <summary>A user's unread totals across their chats.</summary>
/// <param name="Messages">Unread messages in all their chats.</param>
/// <param name="Chats">Chats with at least one unread message.</param>
/// <param name="Mentions">Unread messages that mention them.</param>
public sealed record UnreadTotals(long Messages, int Chats, int Mentions);

/// <summary>How far a message got with one recipient.</summary>
public enum ReceiptState
{
    /// <summary>Stored, not yet delivered to them.</summary>
    Sent,

    /// <summary>Delivered to one of their devices.</summary>
    Delivered,

    /// <summary>Read.</summary>
    Read,
}

/// <summary>One recipient's receipt for a message.</summary>
/// <param name="UserId">The recipient.</param>
/// <param name="State">Sent, delivered or read.</param>
/// <param name="DeliveredAt">When it was delivered to them (when read, at the latest).</param>
/// <param name="ReadAt">When they read it.</param>
public sealed record Receipt(Guid UserId, ReceiptState State, DateTimeOffset? DeliveredAt, DateTimeOffset? ReadAt);

/// <summary>Receipts for a message: every recipient's state, and "read by N of M".</summary>
/// <param name="MessageId">The message.</param>
/// <param name="Seq">Its position in the chat.</param>
/// <param name="Recipients">The active members other than the sender who were members when it was sent.</param>
/// <param name="DeliveredCount">Recipients it reached (read ones included).</param>
/// <param name="ReadCount">Recipients who read it.</param>
public sealed record MessageReceipts(Guid MessageId, long Seq, IReadOnlyList<Receipt> Recipients, int DeliveredCount, int ReadCount);
