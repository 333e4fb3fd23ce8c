using System.Data.Common;
using Chat.Data.Internal;

namespace Chat.Data.Social;

internal sealed class BlockRepository(ChatDatabase db) : IBlockRepository
{
    private const string Columns = "b.blocker_id, b.blocked_id, b.created_at";

    private static UserBlock Read(DbDataReader r) => new(
        BlockerId: r.GetGuid(0),
        BlockedId: r.GetGuid(1),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(2));

    public async Task<UserBlock> BlockAsync(Guid blockerId, Guid blockedId, CancellationToken cancellationToken = default)
    {
        SocialFields.Pair(blockerId, blockedId, nameof(blockerId), nameof(blockedId));
        // DO UPDATE (changing nothing) rather than DO NOTHING: it returns the existing block even when
        // a concurrent call committed it after this statement's snapshot was taken.
        return (await db.QuerySingleOrDefaultAsync(
            $$"""
            INSERT INTO {schema}.user_blocks AS b (blocker_id, blocked_id) VALUES (@blockerId, @blockedId)
            ON CONFLICT (blocker_id, blocked_id) DO UPDATE SET created_at = b.created_at
            RETURNING {{Columns}}
            """,
            new { blockerId, blockedId }, Read, cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<bool> UnblockAsync(Guid blockerId, Guid blockedId, CancellationToken cancellationToken = default)
    {
        SocialFields.Pair(blockerId, blockedId, nameof(blockerId), nameof(blockedId));
        return await db.ExecuteAsync(
            "DELETE FROM {schema}.user_blocks WHERE blocker_id = @blockerId AND blocked_id = @blockedId",
            new { blockerId, blockedId }, cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> IsBlockedAsync(Guid userId, Guid otherUserId, CancellationToken cancellationToken = default)
    {
        SocialFields.Pair(userId, otherUserId, nameof(userId), nameof(otherUserId));
        return await db.ExecuteScalarAsync<bool>(
            """
            SELECT EXISTS (
                SELECT 1 FROM {schema}.user_blocks
                WHERE (blocker_id, blocked_id) IN ((@userId, @otherUserId), (@otherUserId, @userId)))
            """,
            new { userId, otherUserId }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Page<UserBlock>> ListBlockedAsync(Guid blockerId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(blockerId, nameof(blockerId));
        Check.Limit(limit);
        var after = Cursor.Decode(cursor, 2);
        var rows = await db.QueryAsync(
            $$"""
            SELECT {{Columns}} FROM {schema}.user_blocks b
            WHERE b.blocker_id = @blockerId
              AND (@afterAt IS NULL OR (b.created_at, b.blocked_id) < (@afterAt, @afterId))
            ORDER BY b.created_at DESC, b.blocked_id DESC
            LIMIT @limit + 1
            """,
            new
            {
                blockerId,
                afterAt = after is null ? (DateTimeOffset?)null : Cursor.Time(after[0]),
                afterId = after is null ? (Guid?)null : Cursor.Guid(after[1]),
                limit,
            },
            Read, cancellationToken).ConfigureAwait(false);
        return Paging.Cut(rows, limit, last => Cursor.Encode(Cursor.Text(last.CreatedAt), Cursor.Text(last.BlockedId)));
    }
}
