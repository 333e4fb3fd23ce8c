namespace Chat.Data.Social;

/// <summary>One user blocking another (see <see cref="IBlockRepository"/> for what a block stops).</summary>
/// <param name="BlockerId">Who blocked.</param>
/// <param name="BlockedId">Who is blocked.</param>
/// <param name="CreatedAt">When the block was made.</param>
public sealed record UserBlock(Guid BlockerId, Guid BlockedId, DateTimeOffset CreatedAt);
