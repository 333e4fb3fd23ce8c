using Chat.Data.Redis.Caches;
using Chat.Data.Redis.Events;
using Chat.Data.Redis.Otp;
using Chat.Data.Redis.Presence;
using Chat.Data.Redis.RateLimiting;
using Chat.Data.Redis.Sessions;
using Chat.Data.Redis.Typing;
using StackExchange.Redis;

namespace Chat.Data.Redis;

/// <summary>Options of Chat.Data.Redis, set in <c>AddChatData(...).AddRedis(options =&gt; ...)</c>. Checked when the host starts.</summary>
public sealed class ChatDataRedisOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string, for example <c>localhost:6379</c>, or all the nodes
    /// of a Redis Cluster (<c>10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000</c>), with which Chat.Data makes a
    /// connection of its own. Leave it unset to share an <see cref="IConnectionMultiplexer"/> the host registered;
    /// one of the two is required. When both are there, this configuration wins and the registered multiplexer
    /// stays the host's alone. How long a call waits
    /// for Redis before it fails with <see cref="RedisUnavailableException"/> is the client's <c>asyncTimeout</c>
    /// (for example <c>localhost:6379,asyncTimeout=2000</c>; default 5 seconds).
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Changes the parsed configuration before the connection is made (TLS, passwords, timeouts).
    /// <c>AbortOnConnectFail</c> is always set to false afterwards, so the connection survives Redis restarts.
    /// Needs <see cref="Configuration"/>: a registered multiplexer is shared as it is, so configure that one where you create it.
    /// </summary>
    public Action<ConfigurationOptions>? ConfigureConnection { get; set; }

    /// <summary>
    /// Prepended to every key and channel, so Chat.Data's keys never collide with the host's
    /// (default <c>chat:</c>). Up to 64 characters, no braces, spaces or control characters.
    /// </summary>
    public string KeyPrefix { get; set; } = "chat:";

    /// <summary>One-time codes.</summary>
    public OtpOptions Otp { get; } = new();

    /// <summary>Online status of users and devices.</summary>
    public PresenceOptions Presence { get; } = new();

    /// <summary>Distributed rate limiting.</summary>
    public RateLimitingOptions RateLimiting { get; } = new();

    /// <summary>Typing indicators.</summary>
    public TypingOptions Typing { get; } = new();

    /// <summary>The session (token) revocation list.</summary>
    public SessionRevocationOptions Sessions { get; } = new();

    /// <summary>The pub/sub event bus.</summary>
    public EventBusOptions Events { get; } = new();

    /// <summary>The unread-count, last-message and recent-messages caches.</summary>
    public CacheOptions Caches { get; } = new();
}
