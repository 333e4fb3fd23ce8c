namespace Chat.Data.Redis.Presence;

/// <summary>Options of the presence tracker (<see cref="IPresenceTracker"/>).</summary>
public sealed class PresenceOptions
{
    /// <summary>How long a device counts as online after its last heartbeat, unless the heartbeat says otherwise (default 60 seconds).</summary>
    public TimeSpan DeviceTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a user's last-seen time is kept after their last heartbeat (default 30 days).</summary>
    public TimeSpan LastSeenRetention { get; set; } = TimeSpan.FromDays(30);
}
