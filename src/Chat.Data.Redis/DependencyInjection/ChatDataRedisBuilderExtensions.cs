using Chat.Data.Redis;
using Chat.Data.Redis.Caches;
using Chat.Data.Redis.DependencyInjection;
using Chat.Data.Redis.Events;
using Chat.Data.Redis.Internal;
using Chat.Data.Redis.Otp;
using Chat.Data.Redis.Presence;
using Chat.Data.Redis.RateLimiting;
using Chat.Data.Redis.Sessions;
using Chat.Data.Redis.Typing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Chat.Data.Redis to a Chat.Data registration.</summary>
public static class ChatDataRedisBuilderExtensions
{
    /// <summary>
    /// Adds the Redis helpers (<see cref="IOtpStore"/>, <see cref="IPresenceTracker"/>,
    /// <see cref="IDistributedRateLimiter"/>, <see cref="ITypingIndicator"/>,
    /// <see cref="ISessionRevocationList"/>, <see cref="IChatEventBus"/>) and the caches
    /// (<see cref="IUnreadCounterCache"/>, which reads PostgreSQL through the Chat.Data repositories on a miss,
    /// <see cref="ILastMessageCache"/>, <see cref="IRecentMessagesCache"/>) as singletons, and a health check
    /// named <c>chat-data-redis</c>. With <see cref="ChatDataRedisOptions.Configuration"/> set, Chat.Data connects
    /// with it on first use (changed by <see cref="ChatDataRedisOptions.ConfigureConnection"/>, disposed with the
    /// container) and leaves any registered <see cref="IConnectionMultiplexer"/> to the host; without it,
    /// Chat.Data shares the registered <see cref="IConnectionMultiplexer"/>. Options are validated when the host starts.
    /// </summary>
    /// <param name="builder">What <c>services.AddChatData(...)</c> returned.</param>
    /// <param name="configure">Sets the options, at least <see cref="OtpOptions.HmacKey"/>, and <see cref="ChatDataRedisOptions.Configuration"/> unless the host registered an <see cref="IConnectionMultiplexer"/>.</param>
    /// <returns>The same builder.</returns>
    public static IChatDataBuilder AddRedis(this IChatDataBuilder builder, Action<ChatDataRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;

        services.AddOptions<ChatDataRedisOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatDataRedisOptions>, ChatDataRedisOptionsValidator>());

        if (services.Any(d => d.ServiceType == typeof(RedisConnection)))
            return builder; // added before: the options above still apply; the services and the health check are there

        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<IOtpStore, OtpStore>();
        services.TryAddSingleton<IPresenceTracker, PresenceTracker>();
        services.TryAddSingleton<IDistributedRateLimiter, DistributedRateLimiter>();
        services.TryAddSingleton<ITypingIndicator, TypingIndicator>();
        services.TryAddSingleton<ISessionRevocationList, SessionRevocationList>();
        services.TryAddSingleton<IChatEventBus, ChatEventBus>();
        services.TryAddSingleton<IUnreadCounterCache, UnreadCounterCache>();
        services.TryAddSingleton<ILastMessageCache, LastMessageCache>();
        services.TryAddSingleton<IRecentMessagesCache, RecentMessagesCache>();
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("chat-data-redis", tags: ["chat-data", "redis"]);
        return builder;
    }
}
