namespace Chat.Data.Redis.Presence;

/// <summary>
/// Who is online. Each device of a user sends heartbeats; the user is online while any device's last
/// heartbeat is younger than its TTL. Expiry is judged by the Redis server's clock.
/// </summary>
public interface IPresenceTracker
{
    /// <summary>Renews one device of a user, and records the user's last-seen time.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="deviceId">The device or connection, for example a WebSocket connection id (up to 128 characters).</param>
    /// <param name="ttl">How long the device counts as online without another heartbeat; default <see cref="PresenceOptions.DeviceTtl"/>. Up to one day.</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <returns>Whether the user just went online, and how many devices are live.</returns>
    /// <exception cref="ChatDataValidationException">An id is empty, the device id is blank, too long or holds NUL, or the TTL is not positive.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<HeartbeatResult> HeartbeatAsync(Guid userId, string deviceId, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <summary>Removes one device of a user (the app closed or the socket dropped), and records the last-seen time.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="deviceId">The device given to <see cref="HeartbeatAsync"/>.</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <returns>Whether the user just went offline, and how many devices are still live.</returns>
    /// <exception cref="ChatDataValidationException">An id is empty, or the device id is blank, too long or holds NUL.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<DisconnectResult> DisconnectAsync(Guid userId, string deviceId, CancellationToken cancellationToken = default);

    /// <summary>One user's presence.</summary>
    /// <exception cref="ChatDataValidationException">The id is empty.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<UserPresence> GetAsync(Guid userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The presence of many users (up to 10,000) in one round trip, for example the members of a chat list.
    /// </summary>
    /// <returns>One entry per distinct user id.</returns>
    /// <exception cref="ChatDataValidationException">The list is null, too long, or holds an empty id.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<IReadOnlyDictionary<Guid, UserPresence>> GetManyAsync(IEnumerable<Guid> userIds, CancellationToken cancellationToken = default);

    /// <summary>How many users are online now.</summary>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<long> CountOnlineAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Last-seen times of the given users (up to 10,000) in one round trip, for writing to PostgreSQL in
    /// one batch. Users with no known time, or none after <paramref name="since"/>, are left out.
    /// </summary>
    /// <param name="userIds">The users, for example those active since the previous flush.</param>
    /// <param name="since">Only times after this one (the previous flush's watermark); null for all.</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <exception cref="ChatDataValidationException">The list is null, too long, or holds an empty id.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<IReadOnlyList<UserLastSeen>> GetLastSeenAsync(IEnumerable<Guid> userIds, DateTimeOffset? since = null, CancellationToken cancellationToken = default);
}
