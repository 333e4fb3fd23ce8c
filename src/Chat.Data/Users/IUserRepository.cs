namespace Chat.Data.Users;

/// <summary>Users: create, look up (also many phones at once, for contact matching), update, delete.</summary>
public interface IUserRepository
{
    /// <summary>Creates a user with a new UUID v7 id.</summary>
    /// <exception cref="ChatDataValidationException">A field is malformed, or no identifier (phone, username, external id) is given.</exception>
    /// <exception cref="DuplicateException">The phone, username or external id is taken; <see cref="DuplicateException.Field"/> says which.</exception>
    Task<User> CreateAsync(NewUser user, CancellationToken cancellationToken = default);

    /// <summary>The user with this id, or null.</summary>
    Task<User?> FindByIdAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>The user with this E.164 phone number, or null.</summary>
    Task<User?> FindByPhoneAsync(string phone, CancellationToken cancellationToken = default);

    /// <summary>The user with this username (case-sensitive), or null.</summary>
    Task<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default);

    /// <summary>The user with this host id, or null.</summary>
    Task<User?> FindByExternalIdAsync(string externalId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The registered users among <paramref name="phones"/> (E.164, at most 10,000), in one round trip:
    /// contact matching for an address book. Phones with no user are left out; order is unspecified.
    /// </summary>
    Task<IReadOnlyList<User>> FindByPhonesAsync(IReadOnlyCollection<string> phones, CancellationToken cancellationToken = default);

    /// <summary>Changes only the fields <paramref name="update"/> sets; returns the updated user, or null when there is none with this id.</summary>
    /// <exception cref="DuplicateException">The new phone or username is taken.</exception>
    Task<User?> UpdateAsync(Guid id, UserUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Records when the user was last seen (now when <paramref name="at"/> is null). False when there is no such user.</summary>
    Task<bool> UpdateLastSeenAsync(Guid id, DateTimeOffset? at = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records many users' last-seen times in one statement, for example a batch read from Redis presence
    /// (<c>IPresenceTracker.GetLastSeenAsync</c> in Chat.Data.Redis). A time only moves forward: one older
    /// than the stored time changes nothing, so batches may arrive late or twice. When a user appears more
    /// than once, the latest time counts. Rows are locked in id order, so concurrent batches that share
    /// users never deadlock.
    /// </summary>
    /// <param name="lastSeen">User id to last-seen time; at most 10,000 entries. Empty: nothing is sent to the database.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>How many users' last-seen time moved forward (unknown ids and older times do not count).</returns>
    /// <exception cref="ChatDataValidationException">More than 10,000 entries, an empty id, or <see cref="DateTimeOffset.MinValue"/> / <see cref="DateTimeOffset.MaxValue"/> as a time (the field is <c>lastSeen[i]</c>).</exception>
    Task<int> UpdateLastSeenManyAsync(IReadOnlyCollection<KeyValuePair<Guid, DateTimeOffset>> lastSeen, CancellationToken cancellationToken = default);

    /// <summary>Sets the user's presence and marks them seen now. False when there is no such user.</summary>
    Task<bool> SetPresenceAsync(Guid id, Presence presence, CancellationToken cancellationToken = default);

    /// <summary>The stored password hash, or null when the user has none or does not exist.</summary>
    Task<string?> GetPasswordHashAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Deletes the user. False when there was none.</summary>
    Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default);
}
