using System.Collections.Concurrent;
using System.Text;
using Chat.Data.Redis.Events;

namespace Chat.Data.Redis.Tests.Events;

public abstract class EventBusTests(RedisFixture fixture) : RedisTestBase(fixture)
{
    public sealed class Single(SingleRedisFixture fixture) : EventBusTests(fixture), IClassFixture<SingleRedisFixture>;

    public sealed class Cluster(ClusterRedisFixture fixture) : EventBusTests(fixture), IClassFixture<ClusterRedisFixture>;

    [Fact]
    public async Task A_subscriber_receives_what_is_published_to_its_user_or_chat()
    {
        var bus = Get<IChatEventBus>();
        var id = Guid.CreateVersion7(); // the same id as user and as chat: two different channels
        var toUser = new ConcurrentQueue<ChatEvent>();
        var toChat = new ConcurrentQueue<ChatEvent>();
        await using var userSubscription = await bus.SubscribeToUserAsync(id, e => { toUser.Enqueue(e); return Task.CompletedTask; });
        await using var chatSubscription = await bus.SubscribeToChatAsync(id, e => { toChat.Enqueue(e); return Task.CompletedTask; });

        await bus.PublishToUserAsync(id, "{\"type\":\"message.new\"}");
        await bus.PublishToChatAsync(id, new byte[] { 0, 1, 2, 255 });

        await Eventually(() => toUser.Count == 1 && toChat.Count == 1, TimeSpan.FromSeconds(5), "one event on each channel");
        await Task.Delay(100);
        var userEvent = Assert.Single(toUser);
        Assert.Equal((ChatEventScope.User, id, "{\"type\":\"message.new\"}"), (userEvent.Scope, userEvent.Id, userEvent.GetText()));
        var chatEvent = Assert.Single(toChat);
        Assert.Equal((ChatEventScope.Chat, id), (chatEvent.Scope, chatEvent.Id));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, chatEvent.Payload.ToArray());
    }

    [Fact]
    public async Task Disposing_a_subscription_unsubscribes_only_that_handler()
    {
        var bus = Get<IChatEventBus>();
        var chat = Guid.CreateVersion7();
        var (first, second) = (new ConcurrentQueue<string>(), new ConcurrentQueue<string>());
        var firstSubscription = await bus.SubscribeToChatAsync(chat, e => { first.Enqueue(e.GetText()); return Task.CompletedTask; });
        await using var secondSubscription = await bus.SubscribeToChatAsync(chat, e => { second.Enqueue(e.GetText()); return Task.CompletedTask; });
        await bus.PublishToChatAsync(chat, "one");
        await Eventually(() => first.Count == 1 && second.Count == 1, TimeSpan.FromSeconds(5), "both handlers got 'one'");

        await firstSubscription.DisposeAsync();
        await firstSubscription.DisposeAsync(); // twice is harmless
        await bus.PublishToChatAsync(chat, "two");

        await Eventually(() => second.Count == 2, TimeSpan.FromSeconds(5), "the remaining handler got 'two'");
        await Task.Delay(200);
        Assert.Equal(["one"], first);
        Assert.Equal(["one", "two"], second.Order());
    }

    [Fact]
    public async Task A_subscription_gets_its_messages_one_at_a_time_in_published_order()
    {
        var bus = Get<IChatEventBus>();
        var chat = Guid.CreateVersion7();
        var received = new ConcurrentQueue<int>();
        var (running, overlapped) = (0, false);
        await using var subscription = await bus.SubscribeToChatAsync(chat, async e =>
        {
            if (Interlocked.Increment(ref running) > 1)
                overlapped = true;
            await Task.Delay(1); // a handler that awaits: the next message still waits for it
            received.Enqueue(int.Parse(e.GetText()));
            Interlocked.Decrement(ref running);
        });

        for (var i = 0; i < 100; i++)
            await bus.PublishToChatAsync(chat, i.ToString());

        await Eventually(() => received.Count == 100, TimeSpan.FromSeconds(10), "every message arrived");
        Assert.False(Volatile.Read(ref overlapped), "two handler calls of one subscription overlapped");
        Assert.Equal(Enumerable.Range(0, 100), received);
    }

    [Fact]
    public async Task A_throwing_handler_does_not_end_its_subscription()
    {
        var bus = Get<IChatEventBus>();
        var user = Guid.CreateVersion7();
        var calls = 0;
        await using var subscription = await bus.SubscribeToUserAsync(user, _ =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("handler bug");
        });

        await bus.PublishToUserAsync(user, "a");
        await bus.PublishToUserAsync(user, "b");

        await Eventually(() => Volatile.Read(ref calls) == 2, TimeSpan.FromSeconds(5), "both messages reached the handler");
    }

    [Fact]
    public async Task Payloads_over_the_limit_are_refused()
    {
        var bus = Get<IChatEventBus>(o => o.Events.MaxPayloadBytes = 8);
        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => bus.PublishToUserAsync(Guid.CreateVersion7(), Encoding.UTF8.GetBytes("123456789")));
        Assert.Equal("payload", error.Field);
    }
}
