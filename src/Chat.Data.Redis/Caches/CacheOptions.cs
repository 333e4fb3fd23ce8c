namespace Chat.Data.Redis.Caches;

/// <summary>Options of the caches (<see cref="IUnreadCounterCache"/>, <see cref="ILastMessageCache"/>, <see cref="IRecentMessagesCache"/>).</summary>
public sealed class CacheOptions
{
    /// <summary>
    /// How long a user's unread counts live after they were first cached (default 1 hour). Increments and
    /// resets do not extend it, so this is also the longest a count that drifted from PostgreSQL survives
    /// before it is rebuilt.
    /// </summary>
    public TimeSpan UnreadTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a chat's last message stays cached after it was last set (default 1 hour).</summary>
    public TimeSpan LastMessageTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many of a chat's newest messages the recent-messages cache keeps (default 50; 1 to 1,000).</summary>
    public int RecentMessagesCapacity { get; set; } = 50;

    /// <summary>How long a chat's recent messages stay cached after the last message was added (default 1 hour).</summary>
    public TimeSpan RecentMessagesTtl { get; set; } = TimeSpan.FromHours(1);
}
