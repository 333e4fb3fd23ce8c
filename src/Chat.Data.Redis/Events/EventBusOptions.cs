namespace Chat.Data.Redis.Events;

/// <summary>Options of the event bus (<see cref="IChatEventBus"/>).</summary>
public sealed class EventBusOptions
{
    /// <summary>Largest payload accepted by a publish, in bytes (default 1 MiB). Pub/sub is for signals, not files.</summary>
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;
}
