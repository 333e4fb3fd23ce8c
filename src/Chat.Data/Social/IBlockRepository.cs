namespace Chat.Data.Social;

/// <summary>
/// Blocks: a blocked user cannot send in the direct chat with the blocker, create that chat, or send
/// the blocker a contact or message request (<see cref="BlockedException"/>). The blocker still can.
/// </summary>
public interface IBlockRepository
{
    /// <summary>Blocks <paramref name="blockedId"/> for <paramref name="blockerId"/>. Idempotent: blocking again returns the first block.</summary>
    /// <exception cref="ReferenceNotFoundException">A user does not exist.</exception>
    Task<UserBlock> BlockAsync(Guid blockerId, Guid blockedId, CancellationToken cancellationToken = default);

    /// <summary>Lifts the block. False when there was none.</summary>
    Task<bool> UnblockAsync(Guid blockerId, Guid blockedId, CancellationToken cancellationToken = default);

    /// <summary>Whether either user has blocked the other, in one query.</summary>
    Task<bool> IsBlockedAsync(Guid userId, Guid otherUserId, CancellationToken cancellationToken = default);

    /// <summary>The users <paramref name="blockerId"/> has blocked, newest block first, keyset-paginated.</summary>
    Task<Page<UserBlock>> ListBlockedAsync(Guid blockerId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);
}
