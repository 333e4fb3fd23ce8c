namespace Chat.Data.Redis.Typing;

/// <summary>Options of the typing indicator (<see cref="ITypingIndicator"/>).</summary>
public sealed class TypingOptions
{
    /// <summary>How long a member shows as typing after a start, unless the call says otherwise (default 10 seconds).</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>At most one "started typing" event per member and chat in this interval (default 3 seconds).</summary>
    public TimeSpan EventThrottle { get; set; } = TimeSpan.FromSeconds(3);
}
