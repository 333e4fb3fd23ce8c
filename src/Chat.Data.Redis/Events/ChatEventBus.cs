using System.Text;
using Chat.Data.Internal;
using Chat.Data.Redis.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Chat.Data.Redis.Events;

/// <summary>Channels: <c>events:user:{id}</c> and <c>events:chat:{id}</c> (channels hold nothing, so no TTL).</summary>
internal sealed class ChatEventBus(RedisConnection redis, ILogger<ChatEventBus>? logger = null) : IChatEventBus
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly int _maxPayloadBytes = redis.Options.Events.MaxPayloadBytes;

    public Task PublishToUserAsync(Guid userId, string payload, CancellationToken cancellationToken = default) =>
        PublishAsync(ChatEventScope.User, userId, nameof(userId), Text(payload), cancellationToken);

    public Task PublishToUserAsync(Guid userId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        PublishAsync(ChatEventScope.User, userId, nameof(userId), payload.ToArray(), cancellationToken);

    public Task PublishToChatAsync(Guid chatId, string payload, CancellationToken cancellationToken = default) =>
        PublishAsync(ChatEventScope.Chat, chatId, nameof(chatId), Text(payload), cancellationToken);

    public Task PublishToChatAsync(Guid chatId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        PublishAsync(ChatEventScope.Chat, chatId, nameof(chatId), payload.ToArray(), cancellationToken);

    public Task<IAsyncDisposable> SubscribeToUserAsync(Guid userId, Func<ChatEvent, Task> handler, CancellationToken cancellationToken = default) =>
        SubscribeAsync(ChatEventScope.User, userId, nameof(userId), handler, cancellationToken);

    public Task<IAsyncDisposable> SubscribeToChatAsync(Guid chatId, Func<ChatEvent, Task> handler, CancellationToken cancellationToken = default) =>
        SubscribeAsync(ChatEventScope.Chat, chatId, nameof(chatId), handler, cancellationToken);

    private async Task PublishAsync(ChatEventScope scope, Guid id, string idField, byte[] payload, CancellationToken cancellationToken)
    {
        Check.NotEmpty(id, idField);
        if (payload.Length > _maxPayloadBytes)
            throw new ChatDataValidationException("payload", $"at most {_maxPayloadBytes} bytes are allowed ({payload.Length} given).");
        await PubSub.PublishAsync(redis, Channel(scope, id), payload, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IAsyncDisposable> SubscribeAsync(ChatEventScope scope, Guid id, string idField, Func<ChatEvent, Task> handler, CancellationToken cancellationToken)
    {
        Check.NotEmpty(id, idField);
        Check.NotNull(handler, nameof(handler));
        return await PubSub.SubscribeAsync(redis, Channel(scope, id),
            message => handler(new ChatEvent(scope, id, ((byte[]?)message)!)), _logger, cancellationToken).ConfigureAwait(false);
    }

    private RedisChannel Channel(ChatEventScope scope, Guid id) =>
        redis.Keys.Channel(scope == ChatEventScope.User ? "events:user" : "events:chat", id);

    private static byte[] Text(string payload) =>
        Encoding.UTF8.GetBytes(Check.NotNull(payload, nameof(payload)));
}
