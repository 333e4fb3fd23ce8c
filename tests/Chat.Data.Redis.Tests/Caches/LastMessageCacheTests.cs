using Chat.Data.Messages;
using Chat.Data.Redis.Caches;
using StackExchange.Redis;

namespace Chat.Data.Redis.Tests.Caches;

public abstract class LastMessageCacheTests(RedisFixture fixture) : RedisTestBase(fixture)
{
    public sealed class Single(SingleRedisFixture fixture) : LastMessageCacheTests(fixture), IClassFixture<SingleRedisFixture>;

    public sealed class Cluster(ClusterRedisFixture fixture) : LastMessageCacheTests(fixture), IClassFixture<ClusterRedisFixture>;

    private RedisKey Preview(Guid chatId) => $"{Fixture.KeyPrefix}last-message:{{{chatId:D}}}:preview";

    private static MessagePreview Preview(long seq, string content = "hello") =>
        new(Guid.CreateVersion7(), seq, Guid.CreateVersion7(), MessageType.Text, content, DateTimeOffset.UtcNow.AddTicks(seq), false);

    [Fact]
    public async Task A_set_preview_reads_back_equal_with_a_one_hour_ttl()
    {
        var cache = Get<ILastMessageCache>();
        var chat = Guid.CreateVersion7();
        var preview = new MessagePreview(Guid.CreateVersion7(), 7, null, MessageType.DocumentCard, "Kontrak ✍️", DateTimeOffset.UtcNow, false);

        Assert.Null(await cache.GetAsync(chat));
        Assert.True(await cache.SetAsync(chat, preview));

        Assert.Equal(preview, await cache.GetAsync(chat));
        Assert.InRange((await Db.KeyTimeToLiveAsync(Preview(chat)))!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.Contains("\"type\":\"DocumentCard\"", (string?)await Db.StringGetAsync(Preview(chat)));
    }

    [Fact]
    public async Task Only_the_same_or_a_higher_seq_replaces_the_cached_one()
    {
        var cache = Get<ILastMessageCache>();
        var chat = Guid.CreateVersion7();
        var five = Preview(5);

        Assert.True(await cache.SetAsync(chat, five));
        Assert.False(await cache.SetAsync(chat, Preview(4))); // a send that finished late
        Assert.Equal(five, await cache.GetAsync(chat));

        var edited = five with { Content = "hello (edited)" };
        Assert.True(await cache.SetAsync(chat, edited));
        Assert.Equal(edited, await cache.GetAsync(chat));

        var six = Preview(6);
        Assert.True(await cache.SetAsync(chat, six));
        Assert.Equal(six, await cache.GetAsync(chat));
    }

    [Fact]
    public async Task A_message_sets_its_chats_preview_and_a_deleted_one_shows_as_deleted()
    {
        var cache = Get<ILastMessageCache>();
        var message = CacheTestData.Message(Guid.CreateVersion7(), 3);

        Assert.True(await cache.SetAsync(message));
        Assert.Equal(new MessagePreview(message.Id, 3, message.SenderId, MessageType.Text, message.Content, message.CreatedAt, false), await cache.GetAsync(message.ChatId));

        var deleted = message with { Content = null, Metadata = null, DeletedAt = DateTimeOffset.UtcNow, DeletedBy = message.SenderId };
        Assert.True(await cache.SetAsync(deleted));
        var shown = await cache.GetAsync(message.ChatId);
        Assert.True(shown!.IsDeleted);
        Assert.Null(shown.Content);
    }

    [Fact]
    public async Task Many_chats_are_read_in_one_call_across_slots()
    {
        var cache = Get<ILastMessageCache>();
        var chats = Enumerable.Range(0, 200).Select(_ => Guid.CreateVersion7()).ToArray();
        var cached = new Dictionary<Guid, MessagePreview>();
        for (var i = 0; i < chats.Length; i += 2)
        {
            cached[chats[i]] = Preview(i + 1, $"chat {i}");
            await cache.SetAsync(chats[i], cached[chats[i]]);
        }
        if (Fixture.IsCluster) // the chats really are spread over the nodes
            Assert.True(chats.Select(c => Fixture.Multiplexer.HashSlot(Preview(c))).Distinct().Count() > 100);

        var previews = await cache.GetManyAsync(chats.Append(chats[0]));

        Assert.Equal(cached.OrderBy(p => p.Key), previews.OrderBy(p => p.Key));
        Assert.Empty(await cache.GetManyAsync([]));
    }

    [Fact]
    public async Task Invalidate_drops_it_and_an_unreadable_value_is_a_miss_that_the_next_set_replaces()
    {
        var cache = Get<ILastMessageCache>();
        var chat = Guid.CreateVersion7();
        await cache.SetAsync(chat, Preview(9));

        Assert.True(await cache.InvalidateAsync(chat));
        Assert.Null(await cache.GetAsync(chat));
        Assert.False(await cache.InvalidateAsync(chat));

        await Db.StringSetAsync(Preview(chat), "{not json", TimeSpan.FromMinutes(1));
        Assert.Null(await cache.GetAsync(chat));
        Assert.Empty(await cache.GetManyAsync([chat]));
        Assert.True(await cache.SetAsync(chat, Preview(1)));
        Assert.Equal(1, (await cache.GetAsync(chat))!.Seq);
    }

    [Fact]
    public async Task The_entry_expires_after_its_ttl()
    {
        var cache = Get<ILastMessageCache>(o => o.Caches.LastMessageTtl = TimeSpan.FromMilliseconds(300));
        var chat = Guid.CreateVersion7();
        await cache.SetAsync(chat, Preview(1));

        await Task.Delay(500);

        Assert.Null(await cache.GetAsync(chat));
    }
}
