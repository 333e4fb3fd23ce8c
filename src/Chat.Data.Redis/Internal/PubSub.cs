using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Chat.Data.Redis.Internal;

/// <summary>Publishing and subscribing for the event bus and the typing indicator.</summary>
internal static partial class PubSub
{
    public static async Task PublishAsync(RedisConnection redis, RedisChannel channel, RedisValue message, CancellationToken cancellationToken)
    {
        var subscriber = await redis.GetSubscriberAsync(cancellationToken).ConfigureAwait(false);
        var publish = Start(subscriber, (channel, message), static (s, m) => s.PublishAsync(m.channel, m.message));
        await RedisConnection.GuardAsync(publish, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Subscribes <paramref name="handler"/> to one channel. Its messages reach the handler one at a time, in the
    /// order Redis sent them (a typist's start before their stop); a handler's exception is logged and dropped.
    /// StackExchange.Redis subscribes again by itself after a reconnect.
    /// </summary>
    public static async Task<IAsyncDisposable> SubscribeAsync(
        RedisConnection redis, RedisChannel channel, Func<RedisValue, Task> handler, ILogger logger, CancellationToken cancellationToken)
    {
        var subscriber = await redis.GetSubscriberAsync(cancellationToken).ConfigureAwait(false);
        var subscribing = Start(subscriber, channel, static (s, c) => s.SubscribeAsync(c));
        ChannelMessageQueue queue;
        try
        {
            queue = await RedisConnection.GuardAsync(subscribing, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The subscription may still complete later: end it so it never delivers.
            _ = subscribing.ContinueWith(static t => t.Result.Unsubscribe(CommandFlags.FireAndForget), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
        // The queue's own loop awaits each handler call before it reads the next message.
        queue.OnMessage(message => DispatchAsync(handler, message.Message, channel, logger));
        return new Subscription(queue, logger);
    }

    /// <summary>Sends a pub/sub command; StackExchange.Redis throws at once, rather than in the task, when it cannot queue it.</summary>
    private static Task<T> Start<TState, T>(ISubscriber subscriber, TState state, Func<ISubscriber, TState, Task<T>> operation)
    {
        try
        {
            return operation(subscriber, state);
        }
        catch (Exception ex) when (RedisConnection.IsUnavailable(ex))
        {
            throw new RedisUnavailableException(ex);
        }
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

    /// <summary>Unsubscribes its own queue once; other subscriptions to the same channel stay.</summary>
    private sealed class Subscription(ChannelMessageQueue queue, ILogger logger) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
                return;
            try
            {
                // The queue stops delivering at once; the server is told when no subscription of the channel is left.
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisConnection.IsUnavailable(ex))
            {
                // Redis is down: the server side ends with the connection, and the queue is gone locally.
                LogUnsubscribeFailed(logger, ex, queue.Channel.ToString());
            }
        }
    }

    [LoggerMessage(1, LogLevel.Error, "A handler of Redis channel {Channel} threw; the message is dropped.")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(2, LogLevel.Debug, "Unsubscribing from Redis channel {Channel} did not reach Redis.")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string channel);
}
