using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Chat.Data.Redis.Internal;

/// <summary>Publishing and subscribing for the event bus and the typing indicator.</summary>
internal static partial class PubSub
{
    public static async Task PublishAsync(RedisConnection redis, RedisChannel channel, RedisValue message, CancellationToken cancellationToken)
    {
        var subscriber = await redis.GetSubscriberAsync(cancellationToken).ConfigureAwait(false);
        Task<long> publish;
        try
        {
            publish = subscriber.PublishAsync(channel, message);
        }
        catch (Exception ex) when (RedisConnection.IsUnavailable(ex))
        {
            throw new RedisUnavailableException(ex);
        }
        await redis.GuardAsync(publish, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Subscribes <paramref name="handler"/> to one channel. Messages are handled concurrently (the
    /// multiplexer does not preserve order for pub/sub); a handler's exception is logged and dropped.
    /// StackExchange.Redis subscribes again by itself after a reconnect.
    /// </summary>
    public static async Task<IAsyncDisposable> SubscribeAsync(
        RedisConnection redis, RedisChannel channel, Func<RedisValue, Task> handler, ILogger logger, CancellationToken cancellationToken)
    {
        var subscriber = await redis.GetSubscriberAsync(cancellationToken).ConfigureAwait(false);
        // DispatchAsync never throws: a handler's exception is logged there.
        Action<RedisChannel, RedisValue> callback = (from, message) => _ = DispatchAsync(handler, message, channel, logger);
        try
        {
            await redis.GuardAsync(subscriber.SubscribeAsync(channel, callback), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisUnavailableException or OperationCanceledException || RedisConnection.IsUnavailable(ex))
        {
            // The subscription may still complete later: take the handler back out so it never fires.
            _ = subscriber.UnsubscribeAsync(channel, callback).ContinueWith(
                static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            if (ex is RedisUnavailableException or OperationCanceledException)
                throw;
            throw new RedisUnavailableException(ex);
        }
        return new Subscription(redis, subscriber, channel, callback, logger);
    }

    private static async Task DispatchAsync(Func<RedisValue, Task> handler, RedisValue message, RedisChannel channel, ILogger logger)
    {
        try
        {
            await handler(message).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogHandlerFailed(logger, ex, channel.ToString());
        }
    }

    /// <summary>Unsubscribes its own handler once; other handlers of the same channel stay.</summary>
    private sealed class Subscription(
        RedisConnection redis, ISubscriber subscriber, RedisChannel channel, Action<RedisChannel, RedisValue> callback, ILogger logger)
        : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
                return;
            try
            {
                // The handler is removed locally at once; the server is told when no handler is left.
                await redis.GuardAsync(subscriber.UnsubscribeAsync(channel, callback), CancellationToken.None).ConfigureAwait(false);
            }
            catch (RedisUnavailableException ex)
            {
                // Redis is down: the server side ends with the connection, and the handler is gone locally.
                LogUnsubscribeFailed(logger, ex, channel.ToString());
            }
        }
    }

    [LoggerMessage(1, LogLevel.Error, "A handler of Redis channel {Channel} threw; the message is dropped.")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(2, LogLevel.Debug, "Unsubscribing from Redis channel {Channel} did not reach Redis.")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string channel);
}
