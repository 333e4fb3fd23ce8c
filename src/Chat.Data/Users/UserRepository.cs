using System.Data.Common;
using Chat.Data.Internal;

namespace Chat.Data.Users;

internal sealed class UserRepository(ChatDatabase db) : IUserRepository
{
    // Every query that returns users selects these columns in this order, for Read (contact sync too).
    internal const string Columns =
        "id, external_id, phone, username, display_name, avatar, about, presence, last_seen_at, created_at, updated_at";

    internal static User Read(DbDataReader r) => new(
        Id: r.GetGuid(0),
        ExternalId: r.IsDBNull(1) ? null : r.GetString(1),
        Phone: r.IsDBNull(2) ? null : r.GetString(2),
        Username: r.IsDBNull(3) ? null : r.GetString(3),
        DisplayName: r.GetString(4),
        Avatar: r.IsDBNull(5) ? null : r.GetString(5),
        About: r.GetString(6),
        Presence: DbEnum<Presence>.FromDb(r.GetString(7)),
        LastSeenAt: r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(9),
        UpdatedAt: r.GetFieldValue<DateTimeOffset>(10));

    public Task<User> CreateAsync(NewUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Phone is null && user.Username is null && user.ExternalId is null)
            throw new ChatDataValidationException(nameof(NewUser.Phone), "at least one of Phone, Username or ExternalId is required.");

        var row = new
        {
            Id = Guid.CreateVersion7(),
            Phone = user.Phone is null ? null : UserFields.Phone(user.Phone, nameof(NewUser.Phone)),
            Username = user.Username is null ? null : UserFields.Username(user.Username, nameof(NewUser.Username)),
            ExternalId = user.ExternalId is null ? null : UserFields.ExternalId(user.ExternalId, nameof(NewUser.ExternalId)),
            DisplayName = UserFields.DisplayName(user.DisplayName ?? user.Username, nameof(NewUser.DisplayName)),
            PasswordHash = UserFields.PasswordHash(user.PasswordHash, nameof(NewUser.PasswordHash)),
            Avatar = UserFields.Avatar(user.Avatar, nameof(NewUser.Avatar)),
            About = UserFields.About(user.About, nameof(NewUser.About)) ?? "",
        };
        return db.QuerySingleOrDefaultAsync(
            $$"""
            INSERT INTO {schema}.users (id, phone, username, external_id, display_name, password_hash, avatar, about)
            VALUES (@Id, @Phone, @Username, @ExternalId, @DisplayName, @PasswordHash, @Avatar, @About)
            RETURNING {{Columns}}
            """,
            row, Read, cancellationToken)!;
    }

    public Task<User?> FindByIdAsync(Guid id, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(id, nameof(id));
        return db.Replica.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.users WHERE id = @id""",
            new { id }, Read, cancellationToken);
    }

    public Task<User?> FindByPhoneAsync(string phone, CancellationToken cancellationToken = default)
    {
        UserFields.Phone(phone, nameof(phone));
        return db.Replica.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.users WHERE phone = @phone""",
            new { phone }, Read, cancellationToken);
    }

    public Task<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default)
    {
        UserFields.Username(username, nameof(username));
        return db.Replica.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.users WHERE username = @username""",
            new { username }, Read, cancellationToken);
    }

    public Task<User?> FindByExternalIdAsync(string externalId, CancellationToken cancellationToken = default)
    {
        UserFields.ExternalId(externalId, nameof(externalId));
        return db.Replica.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.users WHERE external_id = @externalId""",
            new { externalId }, Read, cancellationToken);
    }

    public async Task<IReadOnlyList<User>> FindByPhonesAsync(IReadOnlyCollection<string> phones, CancellationToken cancellationToken = default)
    {
        var checkedPhones = UserFields.Phones(phones, nameof(phones));
        if (checkedPhones.Length == 0)
            return [];

        return await db.Replica.QueryAsync(
            $$"""SELECT {{Columns}} FROM {schema}.users WHERE phone = ANY(@phones)""",
            new { phones = checkedPhones }, Read, cancellationToken).ConfigureAwait(false);
    }

    public Task<User?> UpdateAsync(Guid id, UserUpdate update, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(id, nameof(id));
        ArgumentNullException.ThrowIfNull(update);
        if (update.IsEmpty)
            return FindByIdAsync(id, cancellationToken);

        var row = new
        {
            id,
            DisplayName = update.DisplayName is null ? null : UserFields.DisplayName(update.DisplayName, nameof(UserUpdate.DisplayName)),
            Phone = update.Phone is null ? null : UserFields.Phone(update.Phone, nameof(UserUpdate.Phone)),
            Username = update.Username is null ? null : UserFields.Username(update.Username, nameof(UserUpdate.Username)),
            PasswordHash = UserFields.PasswordHash(update.PasswordHash, nameof(UserUpdate.PasswordHash)),
            Avatar = UserFields.Avatar(update.Avatar, nameof(UserUpdate.Avatar)),
            About = UserFields.About(update.About, nameof(UserUpdate.About)),
        };
        return db.QuerySingleOrDefaultAsync(
            $$"""
            UPDATE {schema}.users SET
                display_name  = coalesce(@DisplayName, display_name),
                phone         = coalesce(@Phone, phone),
                username      = coalesce(@Username, username),
                password_hash = coalesce(@PasswordHash, password_hash),
                avatar        = CASE WHEN @Avatar IS NULL THEN avatar ELSE nullif(@Avatar, '') END,
                about         = coalesce(@About, about),
                updated_at    = now()
            WHERE id = @id
            RETURNING {{Columns}}
            """,
            row, Read, cancellationToken);
    }

    public async Task<bool> UpdateLastSeenAsync(Guid id, DateTimeOffset? at = null, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(id, nameof(id));
        return await db.ExecuteAsync(
            "UPDATE {schema}.users SET last_seen_at = coalesce(@at, now()) WHERE id = @id",
            new { id, at = at?.ToUniversalTime() }, cancellationToken).ConfigureAwait(false) == 1;
    }

    // Rows are locked in id order before the update, so two batches sharing users (two app instances
    // flushing at once) queue behind each other instead of deadlocking. The update then only moves a
    // time forward; EvalPlanQual re-checks it against a newer row version written meanwhile.
    private const string UpdateLastSeenManySql =
        """
        WITH v AS (
            SELECT t.id, t.at FROM unnest(@ids::uuid[], @times::timestamptz[]) AS t(id, at)
        ), locked AS (
            SELECT u.id, v.at
            FROM {schema}.users u
            JOIN v ON v.id = u.id
            WHERE u.last_seen_at IS NULL OR u.last_seen_at < v.at
            ORDER BY u.id
            FOR UPDATE OF u
        )
        UPDATE {schema}.users u
        SET last_seen_at = greatest(coalesce(u.last_seen_at, '-infinity'), l.at)
        FROM locked l
        WHERE u.id = l.id AND (u.last_seen_at IS NULL OR u.last_seen_at < l.at)
        """;

    public async Task<int> UpdateLastSeenManyAsync(IReadOnlyCollection<KeyValuePair<Guid, DateTimeOffset>> lastSeen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lastSeen);
        if (lastSeen.Count > UserFields.MaxLastSeenPerBatch)
            throw new ChatDataValidationException(nameof(lastSeen), $"at most {UserFields.MaxLastSeenPerBatch} users per call ({lastSeen.Count} given).");

        // One entry per user, the latest time winning: an UPDATE ... FROM with two rows for one user would apply either.
        var latest = new Dictionary<Guid, DateTimeOffset>(lastSeen.Count);
        var i = 0;
        foreach (var (id, at) in lastSeen)
        {
            var field = $"{nameof(lastSeen)}[{i++}]";
            Check.NotEmpty(id, field);
            if (at == DateTimeOffset.MinValue || at == DateTimeOffset.MaxValue)
                throw new ChatDataValidationException(field, $"a real time is required ({at:O} given).");
            if (!latest.TryGetValue(id, out var known) || at > known)
                latest[id] = at;
        }
        if (latest.Count == 0)
            return 0;

        var ids = new Guid[latest.Count];
        var times = new DateTimeOffset[latest.Count];
        i = 0;
        foreach (var (id, at) in latest)
        {
            ids[i] = id;
            times[i++] = at.ToUniversalTime();
        }
        return await db.ExecuteAsync(UpdateLastSeenManySql, new { ids, times }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> SetPresenceAsync(Guid id, Presence presence, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(id, nameof(id));
        return await db.ExecuteAsync(
            "UPDATE {schema}.users SET presence = @presence, last_seen_at = now() WHERE id = @id",
            new { id, presence = DbEnum<Presence>.ToDb(presence, nameof(presence)) }, cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<string?> GetPasswordHashAsync(Guid id, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(id, nameof(id));
        return await db.ExecuteScalarAsync<string?>(
            "SELECT password_hash FROM {schema}.users WHERE id = @id",
            new { id }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(id, nameof(id));
        return await db.ExecuteAsync(
            "DELETE FROM {schema}.users WHERE id = @id",
            new { id }, cancellationToken).ConfigureAwait(false) == 1;
    }
}
