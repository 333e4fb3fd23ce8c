namespace Chat.Data.Activity;

/// <summary>The activity feed: add for one or many recipients, list, count unread, mark read, delete old items.</summary>
public interface IActivityFeedRepository
{
    /// <summary>Records an activity for one recipient.</summary>
    /// <exception cref="ReferenceNotFoundException">The recipient, actor, chat or message does not exist.</exception>
    Task<ActivityItem> AddAsync(Guid userId, NewActivity activity, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the same activity for many recipients (each once, at most 10,000) in one round trip.
    /// Returns their items in the order of <paramref name="userIds"/>; an empty list writes nothing.
    /// </summary>
    /// <exception cref="ReferenceNotFoundException">A recipient, the actor, chat or message does not exist (nothing is written).</exception>
    Task<IReadOnlyList<ActivityItem>> AddManyAsync(IReadOnlyCollection<Guid> userIds, NewActivity activity, CancellationToken cancellationToken = default);

    /// <summary>The user's feed, newest first, keyset-paginated; only unread items when <paramref name="unreadOnly"/> is set.</summary>
    Task<Page<ActivityItem>> ListAsync(Guid userId, bool unreadOnly = false, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>How many of the user's items are unread.</summary>
    Task<long> CountUnreadAsync(Guid userId, CancellationToken cancellationToken = default);

    /// <summary>Marks some of the user's items read (at most 10,000 ids; others' items are untouched). Returns how many were unread.</summary>
    Task<int> MarkReadAsync(Guid userId, IReadOnlyCollection<Guid> activityIds, CancellationToken cancellationToken = default);

    /// <summary>Marks all the user's items read. Returns how many were unread.</summary>
    Task<int> MarkAllReadAsync(Guid userId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the user's items that occurred before <paramref name="before"/>. Returns how many. For every user's old items, see <c>IChatDataMaintenance</c>.</summary>
    Task<int> DeleteOlderThanAsync(Guid userId, DateTimeOffset before, CancellationToken cancellationToken = default);
}
