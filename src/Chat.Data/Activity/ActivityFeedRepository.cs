using System.Data.Common;
using System.Runtime.CompilerServices;
using Chat.Data.Chats;
using Chat.Data.Internal;
using Chat.Data.Messages;

namespace Chat.Data.Activity;

internal sealed class ActivityFeedRepository(ChatDatabase db) : IActivityFeedRepository
{
    private const int MaxIdsPerCall = 10_000;

    // Every query that returns items selects these columns in this order (from a row aliased a), for Read.
    private const string Columns =
        "a.id, a.user_id, a.actor_id, a.action_type, a.entity_type, a.entity_id, a.chat_id, a.message_id, a.title, a.description, " +
        "a.read_at, a.metadata, a.occurred_at";

    // Newest first; the partial index activity_feed_unread_idx serves the unread-only variant, so
    // the filter is in the text of the statement rather than behind a parameter.
    private static string ListSql(string filter) =>
        $$"""
        SELECT {{Columns}} FROM {schema}.activity_feed a
        WHERE a.user_id = @userId {{filter}}
          AND (@afterAt IS NULL OR (a.occurred_at, a.id) < (@afterAt, @afterId))
        ORDER BY a.occurred_at DESC, a.id DESC
        LIMIT @limit + 1
        """;

    private static readonly string ListAllSql = ListSql("");

    private static readonly string ListUnreadSql = ListSql("AND a.read_at IS NULL");

    private static ActivityItem Read(DbDataReader r) => new(
        Id: r.GetGuid(0),
        UserId: r.GetGuid(1),
        ActorId: r.IsDBNull(2) ? null : r.GetGuid(2),
        ActionType: r.GetString(3),
        EntityType: r.IsDBNull(4) ? null : r.GetString(4),
        EntityId: r.IsDBNull(5) ? null : r.GetString(5),
        ChatId: r.IsDBNull(6) ? null : r.GetGuid(6),
        MessageId: r.IsDBNull(7) ? null : r.GetGuid(7),
        Title: r.IsDBNull(8) ? null : r.GetString(8),
        Description: r.GetString(9),
        ReadAt: r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10),
        Metadata: r.IsDBNull(11) ? null : r.GetString(11),
        OccurredAt: r.GetFieldValue<DateTimeOffset>(12));

    public async Task<ActivityItem> AddAsync(Guid userId, NewActivity activity, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        return (await InsertAsync([userId], activity, cancellationToken).ConfigureAwait(false))[0];
    }

    public async Task<IReadOnlyList<ActivityItem>> AddManyAsync(IReadOnlyCollection<Guid> userIds, NewActivity activity, CancellationToken cancellationToken = default)
    {
        var recipients = Check.Ids(userIds, nameof(userIds), MaxIdsPerCall);
        return await InsertAsync(recipients, activity, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One row per recipient in one statement (none for no recipients, once the activity is checked); the items come back in the recipients' order.</summary>
    private async Task<List<ActivityItem>> InsertAsync(Guid[] recipients, NewActivity activity, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        ArgumentNullException.ThrowIfNull(activity);
        var entity = ChatFields.Entity(activity.EntityType, activity.EntityId, nameof(NewActivity.EntityType), nameof(NewActivity.EntityId));
        var chatId = Check.OptionalId(activity.ChatId, nameof(NewActivity.ChatId));
        var messageId = Check.OptionalId(activity.MessageId, nameof(NewActivity.MessageId));
        if (messageId is not null && chatId is null)
            throw new ChatDataValidationException(nameof(NewActivity.ChatId), "required with MessageId: the chat the message is in.");
        if (entity.Type is null && chatId is null)
            throw new ChatDataValidationException(nameof(NewActivity.ChatId), "an activity is about a chat or a business object: set ChatId, or EntityType and EntityId.");
        if (activity.OccurredAt is { } at && (at == DateTimeOffset.MinValue || at == DateTimeOffset.MaxValue))
            throw new ChatDataValidationException(nameof(NewActivity.OccurredAt), $"a real time is required ({at:O} given).");

        var row = new
        {
            Ids = recipients.Select(_ => Guid.CreateVersion7()).ToArray(),
            UserIds = recipients,
            ActorId = Check.OptionalId(activity.ActorId, nameof(NewActivity.ActorId)),
            ActionType = Check.Required(activity.ActionType, nameof(NewActivity.ActionType), 100),
            EntityType = entity.Type,
            EntityId = entity.Id,
            ChatId = chatId,
            MessageId = messageId,
            Title = Check.Optional(activity.Title, nameof(NewActivity.Title), 255),
            Description = Check.Required(activity.Description, nameof(NewActivity.Description), 2000),
            Metadata = Check.JsonObject(activity.Metadata, nameof(NewActivity.Metadata)),
            OccurredAt = activity.OccurredAt?.ToUniversalTime(),
        };
        if (recipients.Length == 0)
            return [];
        var items = await db.QueryAsync(
            $$"""
            INSERT INTO {schema}.activity_feed AS a
                (id, user_id, actor_id, action_type, entity_type, entity_id, chat_id, message_id, title, description, metadata, occurred_at)
            SELECT r.id, r.user_id, @ActorId, @ActionType, @EntityType, @EntityId, @ChatId, @MessageId, @Title, @Description,
                   CAST(@Metadata AS jsonb), coalesce(@OccurredAt, now())
            FROM unnest(@Ids, @UserIds) AS r (id, user_id)
            RETURNING {{Columns}}
            """,
            row, Read, cancellationToken, operation: operation).ConfigureAwait(false);

        var order = recipients.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        items.Sort((x, y) => order[x.UserId].CompareTo(order[y.UserId]));
        return items;
    }

    public async Task<Page<ActivityItem>> ListAsync(Guid userId, bool unreadOnly = false, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        Check.Limit(limit);
        var after = Cursor.Decode(cursor, 2);
        var rows = await db.Replica.QueryAsync(
            unreadOnly ? ListUnreadSql : ListAllSql,
            new
            {
                userId,
                afterAt = after is null ? (DateTimeOffset?)null : Cursor.Time(after[0]),
                afterId = after is null ? (Guid?)null : Cursor.Guid(after[1]),
                limit,
            },
            Read, cancellationToken).ConfigureAwait(false);
        return Paging.Cut(rows, limit, last => Cursor.Encode(Cursor.Text(last.OccurredAt), Cursor.Text(last.Id)));
    }

    public async Task<long> CountUnreadAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        return await db.Replica.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM {schema}.activity_feed WHERE user_id = @userId AND read_at IS NULL",
            new { userId }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> MarkReadAsync(Guid userId, IReadOnlyCollection<Guid> activityIds, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        var ids = Check.Ids(activityIds, nameof(activityIds), MaxIdsPerCall);
        if (ids.Length == 0)
            return 0;
        return await db.ExecuteAsync(
            "UPDATE {schema}.activity_feed SET read_at = now() WHERE user_id = @userId AND id = ANY(@ids) AND read_at IS NULL",
            new { userId, ids }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> MarkAllReadAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        return await db.ExecuteAsync(
            "UPDATE {schema}.activity_feed SET read_at = now() WHERE user_id = @userId AND read_at IS NULL",
            new { userId }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> DeleteOlderThanAsync(Guid userId, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        return await db.ExecuteAsync(
            "DELETE FROM {schema}.activity_feed WHERE user_id = @userId AND occurred_at < @before",
            new { userId, before = before.ToUniversalTime() }, cancellationToken).ConfigureAwait(false);
    }
}
