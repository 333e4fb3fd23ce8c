using Chat.Data.Users;

namespace Chat.Data.Redis.Presence;

/// <summary>Moving presence from Redis to PostgreSQL.</summary>
public static class PresenceTrackerExtensions
{
    /// <summary>
    /// Writes the users' last-seen times from Redis presence to <c>users.last_seen_at</c>: one Redis round
    /// trip (<see cref="IPresenceTracker.GetLastSeenAsync"/>) and one SQL statement
    /// (<see cref="IUserRepository.UpdateLastSeenManyAsync"/>). A time never moves back, so flushes may
    /// overlap, repeat or run on several app instances at once. Run it on a timer, for example every minute
    /// with the users who connected or disconnected since the previous run.
    /// </summary>
    /// <param name="presence">The presence tracker.</param>
    /// <param name="users">The user repository of the same host.</param>
    /// <param name="userIds">The users to flush (at most 10,000 per call).</param>
    /// <param name="since">Only times after this one (the previous flush's start); null for all.</param>
    /// <param name="cancellationToken">Ends the wait for Redis and PostgreSQL.</param>
    /// <returns>How many users' last-seen time moved forward in PostgreSQL.</returns>
    /// <exception cref="ChatDataValidationException">The list is null, too long, or holds an empty id.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached (nothing was written).</exception>
    public static async Task<int> FlushLastSeenAsync(
        this IPresenceTracker presence, IUserRepository users, IEnumerable<Guid> userIds, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(presence);
        ArgumentNullException.ThrowIfNull(users);

        var lastSeen = await presence.GetLastSeenAsync(userIds, since, cancellationToken).ConfigureAwait(false);
        if (lastSeen.Count == 0)
            return 0;
        var batch = new KeyValuePair<Guid, DateTimeOffset>[lastSeen.Count];
        for (var i = 0; i < batch.Length; i++)
            batch[i] = new(lastSeen[i].UserId, lastSeen[i].LastSeen);
        return await users.UpdateLastSeenManyAsync(batch, cancellationToken).ConfigureAwait(false);
    }
}
