using System.Data.Common;
using System.Runtime.CompilerServices;
using Chat.Data.Internal;
using Chat.Data.Users;

namespace Chat.Data.Social;

internal sealed class ContactRepository(ChatDatabase db) : IContactRepository
{
    // Every query that returns contacts selects these columns in this order (from a row aliased k), for Read.
    private const string Columns = "k.owner_id, k.contact_id, k.status, k.requested_by, k.alias, k.created_at, k.accepted_at";

    private const int ColumnCount = 7;

    // The two rows of a pair, by their primary key.
    private const string PairRows = "(k.owner_id, k.contact_id) IN ((@userId, @otherUserId), (@otherUserId, @userId))";

    private static Contact Read(DbDataReader r) => new(
        OwnerId: r.GetGuid(0),
        ContactId: r.GetGuid(1),
        Status: DbEnum<ContactStatus>.FromDb(r.GetString(2)),
        RequestedBy: r.GetGuid(3),
        Alias: r.IsDBNull(4) ? null : r.GetString(4),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(5),
        AcceptedAt: r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6));

    // Both rows in one statement, inserted in owner order so that two users asking each other at
    // once queue on the same row instead of deadlocking; the second then finds both rows and, since
    // the other side asked first, accepts. A repeated request changes nothing but the alias.
    public async Task<Contact> RequestAsync(Guid requesterId, Guid contactId, string? alias = null, CancellationToken cancellationToken = default)
    {
        SocialFields.Pair(requesterId, contactId, nameof(requesterId), nameof(contactId));
        var row = new { requesterId, contactId, alias = SocialFields.Alias(alias, nameof(alias)) };
        var result = await db.QuerySingleOrDefaultAsync(
            $$"""
            WITH checks AS (
                SELECT EXISTS (
                    SELECT 1 FROM {schema}.user_blocks b WHERE b.blocker_id = @contactId AND b.blocked_id = @requesterId) AS blocked
            ), written AS (
                INSERT INTO {schema}.contacts AS k (owner_id, contact_id, requested_by, alias)
                SELECT v.owner_id, v.contact_id, @requesterId, v.alias
                FROM checks, (VALUES (@requesterId, @contactId, @alias), (@contactId, @requesterId, NULL)) AS v (owner_id, contact_id, alias)
                WHERE NOT checks.blocked
                ORDER BY v.owner_id
                ON CONFLICT (owner_id, contact_id) DO UPDATE SET
                    status      = CASE WHEN k.requested_by = @requesterId THEN k.status ELSE 'accepted' END,
                    accepted_at = CASE WHEN k.requested_by = @requesterId OR k.status = 'accepted' THEN k.accepted_at ELSE now() END,
                    alias       = coalesce(EXCLUDED.alias, k.alias)
                RETURNING {{Columns}}
            )
            SELECT {{Columns}}, c.blocked FROM checks c LEFT JOIN written k ON k.owner_id = @requesterId
            """,
            row, static r => new RequestResult(r.IsDBNull(0) ? null : Read(r), r.GetBoolean(ColumnCount)), cancellationToken).ConfigureAwait(false);

        return result!.Blocked ? throw new BlockedException(requesterId, blockedBy: contactId) : result.Contact!;
    }

    // Both rows are locked first (in owner order, as a request inserts them), so the checks read
    // their newest versions: a concurrent accept, decline or removal has either finished or waits.
    public async Task<Contact?> AcceptAsync(Guid userId, Guid requesterId, CancellationToken cancellationToken = default)
    {
        SocialFields.Pair(userId, requesterId, nameof(userId), nameof(requesterId));
        var contact = await db.QuerySingleOrDefaultAsync(
            $$"""
            WITH pair AS (
                SELECT {{Columns}} FROM {schema}.contacts k
                WHERE {{PairRows}}
                ORDER BY k.owner_id
                FOR UPDATE
            ), accepted AS (
                UPDATE {schema}.contacts k SET status = 'accepted', accepted_at = now()
                FROM pair p
                WHERE k.owner_id = p.owner_id AND k.contact_id = p.contact_id AND p.status = 'pending' AND p.requested_by = @otherUserId
                RETURNING {{Columns}}
            )
            SELECT {{Columns}} FROM accepted k WHERE k.owner_id = @userId
            UNION ALL
            SELECT {{Columns}} FROM pair k WHERE k.owner_id = @userId AND NOT EXISTS (SELECT FROM accepted)
            """,
            new { userId, otherUserId = requesterId }, Read, cancellationToken).ConfigureAwait(false);

        if (contact is { Status: ContactStatus.Pending })
            throw new NotPermittedException("Only the user who received a contact request can accept it.");
        return contact;
    }

    public Task<bool> DeclineAsync(Guid userId, Guid otherUserId, CancellationToken cancellationToken = default) =>
        DeletePairAsync(userId, otherUserId, pendingOnly: true, cancellationToken);

    public Task<bool> RemoveAsync(Guid userId, Guid otherUserId, CancellationToken cancellationToken = default) =>
        DeletePairAsync(userId, otherUserId, pendingOnly: false, cancellationToken);

    private async Task<bool> DeletePairAsync(Guid userId, Guid otherUserId, bool pendingOnly, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        SocialFields.Pair(userId, otherUserId, nameof(userId), nameof(otherUserId));
        return await db.ExecuteAsync(
            $$"""DELETE FROM {schema}.contacts k WHERE {{PairRows}} AND (NOT @pendingOnly OR k.status = 'pending')""",
            new { userId, otherUserId, pendingOnly }, cancellationToken, operation: operation).ConfigureAwait(false) > 0;
    }

    public Task<Contact?> FindAsync(Guid ownerId, Guid contactId, CancellationToken cancellationToken = default)
    {
        SocialFields.Pair(ownerId, contactId, nameof(ownerId), nameof(contactId));
        return db.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.contacts k WHERE k.owner_id = @ownerId AND k.contact_id = @contactId""",
            new { ownerId, contactId }, Read, cancellationToken);
    }

    public Task<Contact?> SetAliasAsync(Guid ownerId, Guid contactId, string? alias, CancellationToken cancellationToken = default)
    {
        SocialFields.Pair(ownerId, contactId, nameof(ownerId), nameof(contactId));
        return db.QuerySingleOrDefaultAsync(
            $$"""
            UPDATE {schema}.contacts k SET alias = @alias
            WHERE k.owner_id = @ownerId AND k.contact_id = @contactId
            RETURNING {{Columns}}
            """,
            new { ownerId, contactId, alias = SocialFields.Alias(alias, nameof(alias)) }, Read, cancellationToken);
    }

    public async Task<Page<Contact>> ListAsync(Guid ownerId, ContactStatus status, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(ownerId, nameof(ownerId));
        var statusText = DbEnum<ContactStatus>.ToDb(status, nameof(status));
        Check.Limit(limit);
        var after = Cursor.Decode(cursor, 2);
        var rows = await db.QueryAsync(
            $$"""
            SELECT {{Columns}} FROM {schema}.contacts k
            WHERE k.owner_id = @ownerId AND k.status = @status
              AND (@afterAt IS NULL OR (k.created_at, k.contact_id) < (@afterAt, @afterId))
            ORDER BY k.created_at DESC, k.contact_id DESC
            LIMIT @limit + 1
            """,
            new
            {
                ownerId,
                status = statusText,
                afterAt = after is null ? (DateTimeOffset?)null : Cursor.Time(after[0]),
                afterId = after is null ? (Guid?)null : Cursor.Guid(after[1]),
                limit,
            },
            Read, cancellationToken).ConfigureAwait(false);
        return Paging.Cut(rows, limit, last => Cursor.Encode(Cursor.Text(last.CreatedAt), Cursor.Text(last.ContactId)));
    }

    public async Task<IReadOnlyList<User>> SyncAsync(Guid userId, IReadOnlyCollection<string> phones, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(userId, nameof(userId));
        var checkedPhones = UserFields.Phones(phones, nameof(phones));
        if (checkedPhones.Length == 0)
            return [];

        return await db.Replica.QueryAsync(
            $$"""
            SELECT {{UserRepository.Columns}} FROM {schema}.users u
            WHERE u.phone = ANY(@phones) AND u.id <> @userId
              AND NOT EXISTS (
                  SELECT 1 FROM {schema}.user_blocks b
                  WHERE (b.blocker_id, b.blocked_id) IN ((@userId, u.id), (u.id, @userId)))
            """,
            new { userId, phones = checkedPhones }, UserRepository.Read, cancellationToken).ConfigureAwait(false);
    }

    private sealed record RequestResult(Contact? Contact, bool Blocked);
}
