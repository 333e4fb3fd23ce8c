using System.Data.Common;
using Chat.Data.Internal;

namespace Chat.Data.Messages;

/// <summary>Messages as every query reads them.</summary>
internal static class MessageRows
{
    // Every query that returns messages selects these columns in this order, for Read: from the
    // messages table aliased m, or from a row set of the same column names aliased m.
    public const string Columns =
        "m.id, m.chat_id, m.seq, m.sender_id, m.client_msg_id, m.type, m.content, m.metadata, m.reply_to_id, m.thread_root_id, " +
        "m.reply_count, m.last_reply_at, m.mentions, m.edited_at, m.deleted_at, m.deleted_by, m.flagged, m.created_at";

    // The ordinal of the first column a query selects after Columns.
    public const int After = 18;

    public static Message Read(DbDataReader r) => new(
        Id: r.GetGuid(0),
        ChatId: r.GetGuid(1),
        Seq: r.GetInt64(2),
        SenderId: r.IsDBNull(3) ? null : r.GetGuid(3),
        ClientMessageId: r.IsDBNull(4) ? null : r.GetString(4),
        Type: DbEnum<MessageType>.FromDb(r.GetString(5)),
        Content: r.IsDBNull(6) ? null : r.GetString(6),
        Metadata: r.IsDBNull(7) ? null : r.GetString(7),
        ReplyToId: r.IsDBNull(8) ? null : r.GetGuid(8),
        ThreadRootId: r.IsDBNull(9) ? null : r.GetGuid(9),
        ReplyCount: r.GetInt32(10),
        LastReplyAt: r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
        Mentions: r.GetFieldValue<Guid[]>(12),
        EditedAt: r.IsDBNull(13) ? null : r.GetFieldValue<DateTimeOffset>(13),
        DeletedAt: r.IsDBNull(14) ? null : r.GetFieldValue<DateTimeOffset>(14),
        DeletedBy: r.IsDBNull(15) ? null : r.GetGuid(15),
        Flagged: r.GetBoolean(16),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(17));

    /// <summary>The message of a row whose Columns may all be NULL (an outer join that found none).</summary>
    public static Message? ReadOptional(DbDataReader r) => r.IsDBNull(0) ? null : Read(r);
}
