namespace Chat.Data.Redis.Presence;

/// <summary>A user's presence at the time of the call.</summary>
/// <param name="UserId">The user.</param>
/// <param name="IsOnline">True while any of the user's devices is live (its last heartbeat has not lapsed).</param>
/// <param name="DeviceCount">Live devices.</param>
/// <param name="LastSeen">The last heartbeat or disconnect of any device; null when unknown (never seen, or longer ago than <see cref="PresenceOptions.LastSeenRetention"/>).</param>
public sealed record UserPresence(Guid UserId, bool IsOnline, int DeviceCount, DateTimeOffset? LastSeen);

/// <summary>The answer of <see cref="IPresenceTracker.HeartbeatAsync"/>.</summary>
/// <param name="WentOnline">True when this heartbeat made the user online (no device was live before it): tell their contacts.</param>
/// <param name="DeviceCount">Live devices after the heartbeat.</param>
public sealed record HeartbeatResult(bool WentOnline, int DeviceCount);

/// <summary>The answer of <see cref="IPresenceTracker.DisconnectAsync"/>.</summary>
/// <param name="WentOffline">True when this disconnect removed the user's last live device: tell their contacts.</param>
/// <param name="DeviceCount">Live devices after the disconnect.</param>
public sealed record DisconnectResult(bool WentOffline, int DeviceCount);

/// <summary>A user's last-seen time, as read for writing to PostgreSQL.</summary>
/// <param name="UserId">The user.</param>
/// <param name="LastSeen">The last heartbeat or disconnect of any of the user's devices.</param>
public sealed record UserLastSeen(Guid UserId, DateTimeOffset LastSeen);
