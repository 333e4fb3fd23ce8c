using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Chat.Data.Chats;
using Chat.Data.Redis.Events;
using Chat.Data.Redis.Presence;
using Chat.Data.Redis.Typing;

namespace Chat.Data.Sample.Live;

/// <summary>
/// One open page's stream of events: everything published to the user's chats (messages, edits,
/// reactions, read receipts, presence), their typing events, and new chats the user joins. The page
/// counts as one presence device while its stream is open.
/// </summary>
internal sealed class LiveStream(IChatEventBus bus, ITypingIndicator typing, IPresenceTracker presence, IChatRepository chats, LiveEvents events)
{
    /// <summary>Events a slow page has not read yet; past this the oldest are dropped rather than buffered without end.</summary>
    private const int Backlog = 256;

    public async IAsyncEnumerable<SseItem<string>> ReadAsync(Guid userId, string deviceId, TimeSpan presenceTtl, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(Backlog) { FullMode = BoundedChannelFullMode.DropOldest });
        try
        {
            await using var subscriptions = new Subscriptions(bus, typing, events, channel.Writer);
            await subscriptions.ToUserAsync(userId, cancellationToken);
            await foreach (var chatId in LiveEvents.ChatIdsOfAsync(chats, userId, cancellationToken))
                await subscriptions.ToChatAsync(chatId, cancellationToken);
            // Online from the moment the page listens; its heartbeats keep it so.
            if ((await presence.HeartbeatAsync(userId, deviceId, presenceTtl, cancellationToken)).WentOnline)
                await events.PresenceChangedAsync(userId, isOnline: true, cancellationToken);

            // Tells the page that nothing published from now on is missed.
            yield return new SseItem<string>("{}", "ready");

            // The stream ends when the page goes away; completing the channel ends the loop without an exception.
            await using var _ = cancellationToken.Register(() => channel.Writer.TryComplete());
            await foreach (var item in channel.Reader.ReadAllAsync(CancellationToken.None))
                yield return item;
        }
        finally
        {
            // The request is over, so its token is cancelled: these last calls run without it.
            if ((await presence.DisconnectAsync(userId, deviceId, CancellationToken.None)).WentOffline)
                await events.PresenceChangedAsync(userId, isOnline: false, CancellationToken.None);
        }
    }

    /// <summary>The bus subscriptions of one stream, each chat subscribed once, all disposed together.</summary>
    private sealed class Subscriptions(IChatEventBus bus, ITypingIndicator typing, LiveEvents events, ChannelWriter<SseItem<string>> writer) : IAsyncDisposable
    {
        private readonly Lock gate = new();
        private readonly Dictionary<Guid, Task<IAsyncDisposable[]>> chats = [];
        private IAsyncDisposable? user;
        private bool disposed;

        public async Task ToUserAsync(Guid userId, CancellationToken cancellationToken) =>
            user = await bus.SubscribeToUserAsync(userId, async e =>
            {
                // "You are in a new chat": listen to it before the page loads it.
                using var doc = JsonDocument.Parse(e.Payload);
                if (doc.RootElement.TryGetProperty("chatId", out var chatId))
                    await ToChatAsync(chatId.GetGuid(), CancellationToken.None);
                writer.TryWrite(new SseItem<string>(e.GetText()));
            }, cancellationToken);

        public Task ToChatAsync(Guid chatId, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                if (disposed)
                    return Task.CompletedTask;
                if (!chats.TryGetValue(chatId, out var subscribing))
                    chats[chatId] = subscribing = SubscribeAsync(chatId, cancellationToken);
                return subscribing;
            }
        }

        private async Task<IAsyncDisposable[]> SubscribeAsync(Guid chatId, CancellationToken cancellationToken)
        {
            var chatEvents = await bus.SubscribeToChatAsync(chatId, e =>
            {
                writer.TryWrite(new SseItem<string>(e.GetText()));
                return Task.CompletedTask;
            }, cancellationToken);
            try
            {
                var typingEvents = await typing.SubscribeAsync(chatId, e =>
                {
                    writer.TryWrite(new SseItem<string>(events.Serialize(new { type = "typing", e.ChatId, e.UserId, e.IsTyping })));
                    return Task.CompletedTask;
                }, cancellationToken);
                return [chatEvents, typingEvents];
            }
            catch
            {
                await chatEvents.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            List<Task<IAsyncDisposable[]>> subscribed;
            lock (gate)
            {
                disposed = true;
                subscribed = [.. chats.Values];
            }
            if (user is not null)
                await user.DisposeAsync();
            foreach (var subscribing in subscribed)
            {
                // One that failed to subscribe has nothing to undo.
                if (await Task.WhenAny(subscribing) is { IsCompletedSuccessfully: true })
                    foreach (var subscription in subscribing.Result)
                        await subscription.DisposeAsync();
            }
        }
    }
}
