using System.Collections.Concurrent;
using Chat.Data.Redis.Typing;

namespace Chat.Data.Redis.Tests.Typing;

public abstract class TypingTests(RedisFixture fixture) : RedisTestBase(fixture)
{
    public sealed class Single(SingleRedisFixture fixture) : TypingTests(fixture), IClassFixture<SingleRedisFixture>;

    public sealed class Cluster(ClusterRedisFixture fixture) : TypingTests(fixture), IClassFixture<ClusterRedisFixture>;

    [Fact]
    public async Task One_members_typing_never_keeps_another_alive()
    {
        var typing = Get<ITypingIndicator>();
        var (chat, alice, bob) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());

        await typing.StartAsync(chat, alice, TimeSpan.FromMilliseconds(300));
        // Bob keeps typing well past Alice's expiry.
        for (var i = 0; i < 6; i++)
        {
            await typing.StartAsync(chat, bob, TimeSpan.FromSeconds(1));
            await Task.Delay(100);
        }
        await typing.StartAsync(chat, bob, TimeSpan.FromSeconds(1));

        Assert.Equal([bob], await typing.GetTypingAsync(chat));
    }

    [Fact]
    public async Task Start_stop_and_list()
    {
        var typing = Get<ITypingIndicator>();
        var (chat, alice, bob) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        Assert.Empty(await typing.GetTypingAsync(chat));

        await typing.StartAsync(chat, alice);
        await typing.StartAsync(chat, bob);
        Assert.Equal(new[] { alice, bob }.Order(), (await typing.GetTypingAsync(chat)).Order());

        Assert.True(await typing.StopAsync(chat, alice));
        Assert.False(await typing.StopAsync(chat, alice));
        Assert.Equal([bob], await typing.GetTypingAsync(chat));
        Assert.Empty(await typing.GetTypingAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Start_events_are_throttled_per_member_and_stop_is_published()
    {
        var typing = Get<ITypingIndicator>(o => o.Typing.EventThrottle = TimeSpan.FromSeconds(1));
        var (chat, alice, bob) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        var events = new ConcurrentQueue<TypingEvent>();
        await using var subscription = await typing.SubscribeAsync(chat, e => { events.Enqueue(e); return Task.CompletedTask; });

        Assert.True(await typing.StartAsync(chat, alice));
        Assert.False(await typing.StartAsync(chat, alice));
        Assert.False(await typing.StartAsync(chat, alice));
        Assert.True(await typing.StartAsync(chat, bob)); // Bob's throttle is his own
        await Eventually(() => events.Count == 2, TimeSpan.FromSeconds(5), "two start events");

        await Task.Delay(1050);
        Assert.True(await typing.StartAsync(chat, alice)); // the interval has passed
        Assert.True(await typing.StopAsync(chat, alice));
        Assert.True(await typing.StartAsync(chat, alice)); // a stop makes the next start news again
        await Eventually(() => events.Count == 5, TimeSpan.FromSeconds(5), "five events");

        await Task.Delay(100);
        // In the order they happened: a listener never sees a stop overtaken by the start before it.
        Assert.Equal(
        [
            new TypingEvent(chat, alice, true), new TypingEvent(chat, bob, true),
            new TypingEvent(chat, alice, true), new TypingEvent(chat, alice, false), new TypingEvent(chat, alice, true),
        ], events);
    }
}
