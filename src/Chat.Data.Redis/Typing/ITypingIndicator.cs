namespace Chat.Data.Redis.Typing;

/// <summary>
/// Who is typing in a chat. Each member's entry expires on its own (judged by the Redis server's clock),
/// so one member who keeps typing never keeps another on the list.
/// </summary>
public interface ITypingIndicator
{
    /// <summary>
    /// Marks the member as typing for <paramref name="ttl"/>, and publishes a <see cref="TypingEvent"/> unless
    /// one was published for this member less than <see cref="TypingOptions.EventThrottle"/> ago (decided in the same call).
    /// </summary>
    /// <param name="chatId">The chat.</param>
    /// <param name="userId">The member.</param>
    /// <param name="ttl">How long the member shows as typing without another call; default <see cref="TypingOptions.Ttl"/>. Up to 10 minutes.</param>
    /// <param name="cancellationToken">Ends the wait for Redis.</param>
    /// <returns>True when an event was published.</returns>
    /// <exception cref="ChatDataValidationException">An id is empty or the TTL is not positive.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<bool> StartAsync(Guid chatId, Guid userId, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <summary>Takes the member off the list (for example when their message is sent), publishing a "stopped" event if they were on it.</summary>
    /// <returns>True when the member was typing.</returns>
    /// <exception cref="ChatDataValidationException">An id is empty.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<bool> StopAsync(Guid chatId, Guid userId, CancellationToken cancellationToken = default);

    /// <summary>The members typing in the chat now.</summary>
    /// <exception cref="ChatDataValidationException">The id is empty.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<IReadOnlyList<Guid>> GetTypingAsync(Guid chatId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls <paramref name="handler"/> for every typing event of the chat until the returned subscription is disposed,
    /// one at a time and in the order they happened (a member's start arrives before their stop).
    /// </summary>
    /// <exception cref="ChatDataValidationException">The id is empty or the handler is null.</exception>
    /// <exception cref="RedisUnavailableException">Redis could not be reached.</exception>
    Task<IAsyncDisposable> SubscribeAsync(Guid chatId, Func<TypingEvent, Task> handler, CancellationToken cancellationToken = default);
}
