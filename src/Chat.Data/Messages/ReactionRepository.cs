using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Chat.Data.Internal;
using Microsoft.Extensions.Options;

namespace Chat.Data.Messages;

internal sealed class ReactionRepository(ChatDatabase db, IOptions<ChatDataOptions> options) : IReactionRepository
{
    public const int MaxEmojiLength = 64;

    private const string Columns = "r.message_id, r.chat_id, r.user_id, r.emoji, r.created_at";

    private readonly bool _onePerUser = options.Value.OneReactionPerUser;

    private static MessageReaction Read(DbDataReader r) => new(
        MessageId: r.GetGuid(0),
        ChatId: r.GetGuid(1),
        UserId: r.GetGuid(2),
        Emoji: r.GetString(3),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(4));

    /// <summary>
    /// The longest emoji (a ZWJ sequence with skin tones, a subdivision flag) is 15 UTF-16 units; the
    /// rest of the room is for the short names some hosts use instead (<c>like</c>, <c>:thumbsup:</c>).
    /// No whitespace or control character: none is part of an emoji (ZWJ and variation selectors are not).
    /// The table's message_reactions_emoji_check holds the same rule.
    /// </summary>
    public static string Emoji(string? emoji, string field)
    {
        Check.Required(emoji, field, MaxEmojiLength);
        foreach (var c in emoji!)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
                throw new ChatDataValidationException(field, "one emoji or a short name without whitespace or control characters is required.");
        }
        return emoji;
    }

    // Adds the reaction when the user may react. With one reaction per user it also deletes the
    // user's others on the message; ReplacingSql serialises those calls per (message, user) first.
    private const string AddSql = """
        WITH target AS (
            SELECT m.id, m.chat_id, m.deleted_at IS NOT NULL AS is_deleted,
                   EXISTS (SELECT 1 FROM {schema}.chat_members cm
                           WHERE cm.chat_id = m.chat_id AND cm.user_id = @userId AND cm.left_at IS NULL) AS is_member
            FROM {schema}.messages m
            WHERE m.id = @messageId
        ), allowed AS (
            SELECT t.id, t.chat_id FROM target t WHERE t.is_member AND NOT t.is_deleted
        ), replaced AS (
            DELETE FROM {schema}.message_reactions r
            USING allowed a
            WHERE @onePerUser AND r.message_id = a.id AND r.user_id = @userId AND r.emoji <> @emoji
            RETURNING r.emoji
        ), added AS (
            INSERT INTO {schema}.message_reactions (message_id, chat_id, user_id, emoji)
            SELECT a.id, a.chat_id, @userId, @emoji FROM allowed a
            ON CONFLICT (message_id, user_id, emoji) DO NOTHING
            RETURNING 1
        )
        SELECT t.chat_id, t.is_member, t.is_deleted, EXISTS (SELECT 1 FROM added), ARRAY(SELECT emoji FROM replaced ORDER BY emoji)
        FROM target t
        """;

    // Two calls of one user on one message would each delete only the reactions their snapshot
    // shows and both insert: the transaction-scoped lock makes the second wait, and the batch's
    // second statement, whose snapshot is taken after the wait, sees the first one's reaction.
    private const string ReplacingSql =
        "SELECT pg_advisory_xact_lock(hashtext(CAST(@messageId AS text)), hashtext(CAST(@userId AS text)));\n" + AddSql;

    public async Task<ReactionChange> AddAsync(Guid messageId, Guid userId, string emoji, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        Check.NotEmpty(userId, nameof(userId));
        var row = new { messageId, userId, emoji = Emoji(emoji, nameof(emoji)), onePerUser = _onePerUser };

        var results = _onePerUser
            ? await db.QueryAfterLockAsync(ReplacingSql, row, ReadAdd, cancellationToken).ConfigureAwait(false)
            : await db.QueryAsync(AddSql, row, ReadAdd, cancellationToken).ConfigureAwait(false);
        if (results.Count == 0)
            throw new ReferenceNotFoundException(nameof(messageId));
        var result = results[0];
        if (!result.IsMember)
            throw new NotAMemberException(result.ChatId, userId);
        if (result.IsDeleted)
            throw new NotPermittedException("A message deleted for everyone takes no reactions.");
        return new ReactionChange(result.Added, result.Replaced);
    }

    private static AddResult ReadAdd(DbDataReader r) =>
        new(r.GetGuid(0), r.GetBoolean(1), r.GetBoolean(2), r.GetBoolean(3), r.GetFieldValue<string[]>(4));

    public async Task<bool> RemoveAsync(Guid messageId, Guid userId, string emoji, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(messageId, nameof(messageId));
        Check.NotEmpty(userId, nameof(userId));
        return await db.ExecuteAsync(
            "DELETE FROM {schema}.message_reactions WHERE message_id = @messageId AND user_id = @userId AND emoji = @emoji",
            new { messageId, userId, emoji = Emoji(emoji, nameof(emoji)) },
            cancellationToken).ConfigureAwait(false) == 1;
    }

    // Also the second statement of a history page's extras (MessageExtras): parameters @reactionIds
    // and @viewerId. Only messages the viewer can see in a chat they are in, not deleted for everyone.
    internal static readonly string SummarySql = $$"""
        SELECT r.message_id, r.emoji, CAST(count(*) AS integer), bool_or(r.user_id = @viewerId),
               (array_agg(r.user_id ORDER BY r.created_at, r.user_id))[1:{{ReactionSummary.SampleSize}}]
        FROM {schema}.message_reactions r
        JOIN {schema}.messages m ON m.id = r.message_id
        JOIN {schema}.chat_members cm ON cm.chat_id = m.chat_id AND cm.user_id = @viewerId AND cm.left_at IS NULL
        WHERE r.message_id = ANY(@reactionIds) AND m.deleted_at IS NULL
        GROUP BY r.message_id, r.emoji
        ORDER BY r.message_id, count(*) DESC, min(r.created_at), r.emoji
        """;

    internal static ReactionSummary ReadSummary(DbDataReader r) =>
        new(r.GetGuid(0), r.GetString(1), r.GetInt32(2), r.GetBoolean(3), r.GetFieldValue<Guid[]>(4));

    public async Task<ILookup<Guid, ReactionSummary>> GetSummariesAsync(IReadOnlyCollection<Guid> messageIds, Guid viewerId, CancellationToken cancellationToken = default)
    {
        var reactionIds = Check.Ids(messageIds, nameof(messageIds), MessageExtras.MaxMessages);
        Check.NotEmpty(viewerId, nameof(viewerId));
        if (reactionIds.Length == 0)
            return MessageExtras.NoReactions;
        var summaries = await db.Replica.QueryAsync(SummarySql, new { reactionIds, viewerId }, ReadSummary, cancellationToken).ConfigureAwait(false);
        return summaries.ToLookup(s => s.MessageId);
    }

    // Keyset on (created_at, user_id, emoji): a message's reactions in the order they came, on
    // message_reactions_emoji_idx when one emoji is asked for. None once the message is deleted for
    // everyone; with a viewer, none unless they see the message.
    private static string ListSql(string filter, string seen) => $$"""
        SELECT {{Columns}} FROM {schema}.message_reactions r
        WHERE r.message_id = @messageId {{filter}}
          AND (r.created_at, r.user_id, r.emoji) > (@afterAt, @afterUser, @afterEmoji)
          AND EXISTS (SELECT 1 FROM {schema}.messages m WHERE m.id = @messageId AND m.deleted_at IS NULL {{seen}})
        ORDER BY r.created_at, r.user_id, r.emoji
        LIMIT @limit + 1
        """;

    private static readonly string ListAllSql = ListSql("", "AND " + Viewer.SeesMessage("m"));

    private static readonly string ListEmojiSql = ListSql("AND r.emoji = @emoji", "AND " + Viewer.SeesMessage("m"));

    private static readonly string ListAllUncheckedSql = ListSql("", "");

    private static readonly string ListEmojiUncheckedSql = ListSql("AND r.emoji = @emoji", "");

    public Task<Page<MessageReaction>> ListAsync(Guid messageId, Guid viewerId, string? emoji = null, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(viewerId, nameof(viewerId));
        return ListAsync(emoji is null ? ListAllSql : ListEmojiSql, messageId, viewerId, emoji, cursor, limit, cancellationToken);
    }

    public Task<Page<MessageReaction>> ListUncheckedAsync(Guid messageId, string? emoji = null, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default) =>
        ListAsync(emoji is null ? ListAllUncheckedSql : ListEmojiUncheckedSql, messageId, null, emoji, cursor, limit, cancellationToken);

    private async Task<Page<MessageReaction>> ListAsync(string sql, Guid messageId, Guid? viewerId, string? emoji, string? cursor, int limit, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        Check.NotEmpty(messageId, nameof(messageId));
        if (emoji is not null)
            Emoji(emoji, nameof(emoji));
        Check.Limit(limit);
        var after = Cursor.Decode(cursor, 3);

        var rows = await db.Replica.QueryAsync(
            sql,
            new
            {
                messageId,
                viewerId,
                emoji,
                // The first page starts below every key, so every page is the same range scan.
                afterAt = after is null ? DateTimeOffset.MinValue : Cursor.Time(after[0]),
                afterUser = after is null ? Guid.Empty : Cursor.Guid(after[1]),
                afterEmoji = after is null ? "" : CursorEmoji(after[2]),
                limit,
            },
            Read, cancellationToken, operation: operation).ConfigureAwait(false);

        if (rows.Count <= limit)
            return new Page<MessageReaction>(rows, null);
        rows.RemoveAt(limit);
        var last = rows[^1];
        return new Page<MessageReaction>(rows, Cursor.Encode(Cursor.Text(last.CreatedAt), Cursor.Text(last.UserId), Convert.ToHexString(Encoding.UTF8.GetBytes(last.Emoji))));
    }

    // An emoji may hold the cursor's '|' separator, so it travels as hex.
    private static string CursorEmoji(string part)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromHexString(part));
        }
        catch (FormatException)
        {
            throw new ChatDataValidationException("cursor", "not a cursor this list returned.");
        }
    }

    private sealed record AddResult(Guid ChatId, bool IsMember, bool IsDeleted, bool Added, string[] Replaced);
}
