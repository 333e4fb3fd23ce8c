namespace Chat.Data.Redis.Events;

/// <summary>
/// Redis pub/sub between app instances, for example to reach a user whose WebSocket is held by
/// another server. Fire and forget: a message reaches the subscribers listening at that moment, and
/// nobody else (a message sent while Redis is down fails; one sent while a subscriber is reconnecting is lost).
/// </summary>
public interface IChatEventBus
{
    /// <summary>Publishes text (sent as UTF-8) to a user's channel.</summary>
    /// <exception cref="ChatDataValidationException">The id is empty, or the payload is null or larger than <see cref="EventBusOptions.MaxPayloadBytes"/>.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task PublishToUserAsync(Guid userId, string payload, CancellationToken cancellationToken = default);

    /// <summary>Publishes bytes to a user's channel.</summary>
    /// <exception cref="ChatDataValidationException">The id is empty, or the payload is larger than <see cref="EventBusOptions.MaxPayloadBytes"/>.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task PublishToUserAsync(Guid userId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    /// <summary>Publishes text (sent as UTF-8) to a chat's channel.</summary>
    /// <exception cref="ChatDataValidationException">The id is empty, or the payload is null or larger than <see cref="EventBusOptions.MaxPayloadBytes"/>.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task PublishToChatAsync(Guid chatId, string payload, CancellationToken cancellationToken = default);

    /// <summary>Publishes bytes to a chat's channel.</summary>
    /// <exception cref="ChatDataValidationException">The id is empty, or the payload is larger than <see cref="EventBusOptions.MaxPayloadBytes"/>.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task PublishToChatAsync(Guid chatId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls <paramref name="handler"/> for every message published to the user's channel until the returned
    /// subscription is disposed. The subscription's messages reach the handler one at a time, in the order they were
    /// published (a slow handler delays the next message of its own subscription only); an exception from the
    /// handler is logged and dropped.
    /// </summary>
    /// <exception cref="ChatDataValidationException">The id is empty or the handler is null.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<IAsyncDisposable> SubscribeToUserAsync(Guid userId, Func<ChatEvent, Task> handler, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls <paramref name="handler"/> for every message published to the chat's channel until the returned
    /// subscription is disposed. The subscription's messages reach the handler one at a time, in the order they were
    /// published (a slow handler delays the next message of its own subscription only); an exception from the
    /// handler is logged and dropped.
    /// </summary>
    /// <exception cref="ChatDataValidationException">The id is empty or the handler is null.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<IAsyncDisposable> SubscribeToChatAsync(Guid chatId, Func<ChatEvent, Task> handler, CancellationToken cancellationToken = default);
}
