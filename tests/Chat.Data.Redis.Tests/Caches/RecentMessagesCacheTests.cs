using Chat.Data.Messages;
using Chat.Data.Redis.Caches;
using StackExchange.Redis;

namespace Chat.Data.Redis.Tests.Caches;

public abstract class RecentMessagesCacheTests(RedisFixture fixture) : RedisTestBase(fixture)
{
    public sealed class Single(SingleRedisFixture fixture) : RecentMessagesCacheTests(fixture), IClassFixture<SingleRedisFixture>;

    public sealed class Cluster(ClusterRedisFixture fixture) : RecentMessagesCacheTests(fixture), IClassFixture<ClusterRedisFixture>;

    private RedisKey Messages(Guid chatId) => $"{Fixture.KeyPrefix}recent:{{{chatId:D}}}:messages";

    private static async Task<Message[]> AddAsync(IRecentMessagesCache cache, Guid chat, params long[] seqs)
    {
        var messages = seqs.Select(seq => CacheTestData.Message(chat, seq)).ToArray();
        foreach (var message in messages)
            Assert.True(await cache.AddAsync(message));
        return messages;
    }

    private static long[] Seqs(RecentMessages recent) => recent.Messages.Select(m => m.Seq).ToArray();

    [Fact]
    public async Task The_newest_n_are_kept_in_seq_order_and_read_back_whole()
    {
        var cache = Get<IRecentMessagesCache>(o => o.Caches.RecentMessagesCapacity = 10);
        var chat = Guid.CreateVersion7();
        var sent = await AddAsync(cache, chat, [.. Enumerable.Range(1, 15).Select(i => (long)i)]);

        var all = await cache.GetNewestAsync(chat);
        var three = await cache.GetNewestAsync(chat, 3);

        Assert.Equal(10, await Db.SortedSetLengthAsync(Messages(chat)));
        Assert.Equal([6, 7, 8, 9, 10, 11, 12, 13, 14, 15], Seqs(all));
        Assert.True(all.IsComplete);
        for (var i = 0; i < 10; i++)
            CacheTestData.AssertSame(sent[5 + i], all.Messages[i]);
        Assert.Equal([13, 14, 15], Seqs(three));
        Assert.True(three.IsComplete);
        var ttl = await Db.KeyTimeToLiveAsync(Messages(chat));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task The_default_capacity_is_50()
    {
        var cache = Get<IRecentMessagesCache>();
        var chat = Guid.CreateVersion7();
        await AddAsync(cache, chat, [.. Enumerable.Range(1, 60).Select(i => (long)i)]);

        var recent = await cache.GetNewestAsync(chat);

        Assert.Equal(Enumerable.Range(11, 50).Select(i => (long)i), Seqs(recent));
        Assert.True(recent.IsComplete);
        await Assert.ThrowsAsync<ChatDataValidationException>(() => cache.GetNewestAsync(chat, 51));
    }

    [Fact]
    public async Task A_missing_seq_makes_the_answer_incomplete_until_its_add_arrives()
    {
        var cache = Get<IRecentMessagesCache>(o => o.Caches.RecentMessagesCapacity = 10);
        var chat = Guid.CreateVersion7();
        await AddAsync(cache, chat, 1, 2, 3, 4, 5, 7); // 6's add is late

        var gap = await cache.GetNewestAsync(chat, 5);
        Assert.Equal([3, 4, 5, 7], Seqs(gap));
        Assert.False(gap.IsComplete);
        Assert.True((await cache.GetNewestAsync(chat, 1)).IsComplete); // just 7

        await AddAsync(cache, chat, 6);
        var whole = await cache.GetNewestAsync(chat, 5);
        Assert.Equal([3, 4, 5, 6, 7], Seqs(whole));
        Assert.True(whole.IsComplete);
        // Seq 1 is the start of the chat: asking for more than there are is complete too.
        Assert.True((await cache.GetNewestAsync(chat, 10)).IsComplete);
    }

    [Fact]
    public async Task A_cold_cache_is_incomplete_until_it_holds_the_range_asked_for()
    {
        var cache = Get<IRecentMessagesCache>(o => o.Caches.RecentMessagesCapacity = 10);
        var chat = Guid.CreateVersion7();

        var empty = await cache.GetNewestAsync(chat);
        Assert.Empty(empty.Messages);
        Assert.False(empty.IsComplete);

        await AddAsync(cache, chat, 101, 102, 103);
        Assert.False((await cache.GetNewestAsync(chat, 5)).IsComplete);
        Assert.True((await cache.GetNewestAsync(chat, 3)).IsComplete);
        await AddAsync(cache, chat, 104, 105);
        Assert.True((await cache.GetNewestAsync(chat, 5)).IsComplete);
    }

    [Fact]
    public async Task An_edit_or_a_delete_for_everyone_replaces_the_message_and_one_older_than_the_window_is_ignored()
    {
        var cache = Get<IRecentMessagesCache>(o => o.Caches.RecentMessagesCapacity = 5);
        var chat = Guid.CreateVersion7();
        var sent = await AddAsync(cache, chat, 1, 2, 3, 4, 5, 6, 7);

        var edited = sent[5] with { Content = "edited", EditedAt = DateTimeOffset.UtcNow };
        Assert.True(await cache.AddAsync(edited));
        var wiped = sent[6] with { Content = null, Metadata = null, Mentions = [], DeletedAt = DateTimeOffset.UtcNow, DeletedBy = sent[6].SenderId };
        Assert.True(await cache.AddAsync(wiped));
        Assert.False(await cache.AddAsync(sent[1] with { Content = "too old" }));

        var recent = await cache.GetNewestAsync(chat);
        Assert.Equal([3, 4, 5, 6, 7], Seqs(recent));
        CacheTestData.AssertSame(edited, recent.Messages[3]);
        CacheTestData.AssertSame(wiped, recent.Messages[4]);
        Assert.Equal(5, await Db.SortedSetLengthAsync(Messages(chat)));
    }

    [Fact]
    public async Task Remove_takes_a_message_out_for_good_and_the_answer_stays_complete()
    {
        var cache = Get<IRecentMessagesCache>(o => o.Caches.RecentMessagesCapacity = 10);
        var chat = Guid.CreateVersion7();
        var sent = await AddAsync(cache, chat, 1, 2, 3, 4, 5);

        Assert.True(await cache.RemoveAsync(chat, 4));

        var recent = await cache.GetNewestAsync(chat, 3);
        Assert.Equal([3, 5], Seqs(recent));
        Assert.True(recent.IsComplete);
        Assert.False(await cache.AddAsync(sent[3])); // a late add does not bring it back
        Assert.False(await cache.RemoveAsync(chat, 4));
        Assert.DoesNotContain(sent[3].Id, (await cache.GetNewestAsync(chat)).Messages.Select(m => m.Id));
        Assert.False(await cache.RemoveAsync(Guid.CreateVersion7(), 1)); // nothing cached
        Assert.True(await Db.KeyTimeToLiveAsync(Messages(chat)) > TimeSpan.Zero);
    }

    [Fact]
    public async Task Invalidate_drops_the_chat_and_the_ttl_expires_it()
    {
        var cache = Get<IRecentMessagesCache>();
        var chat = Guid.CreateVersion7();
        await AddAsync(cache, chat, 1, 2);

        Assert.True(await cache.InvalidateAsync(chat));
        Assert.Empty((await cache.GetNewestAsync(chat)).Messages);
        Assert.False(await cache.InvalidateAsync(chat));

        // A short ttl on a cache of its own, so a slow machine cannot expire the chat above first.
        var expiring = Get<IRecentMessagesCache>(o => o.Caches.RecentMessagesTtl = TimeSpan.FromMilliseconds(300));
        var other = Guid.CreateVersion7();
        await AddAsync(expiring, other, 1);
        Assert.True(await Db.KeyTimeToLiveAsync(Messages(other)) is not { } ttl || ttl <= TimeSpan.FromMilliseconds(300));
        // The server expires it; on a busy machine the test may see it later than the ttl.
        await Eventually(async () => !await Db.KeyExistsAsync(Messages(other)), TimeSpan.FromSeconds(5), "the server expires the chat");
    }
}
