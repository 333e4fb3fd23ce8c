using Chat.Data.Chats;
using Chat.Data.Messages;
using Chat.Data.ReadState;
using Chat.Data.Redis.Caches;
using Chat.Data.Users;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Chat.Data.Redis.Tests.Caches;

/// <summary>Unread counts in Redis, rebuilt from a real, migrated PostgreSQL database on a miss.</summary>
public abstract class UnreadCounterCacheTests(RedisFixture fixture, PostgresDatabaseFixture database) : RedisTestBase(fixture)
{
    public sealed class Single(SingleRedisFixture fixture, PostgresDatabaseFixture database)
        : UnreadCounterCacheTests(fixture, database), IClassFixture<SingleRedisFixture>, IClassFixture<PostgresDatabaseFixture>;

    public sealed class Cluster(ClusterRedisFixture fixture, PostgresDatabaseFixture database)
        : UnreadCounterCacheTests(fixture, database), IClassFixture<ClusterRedisFixture>, IClassFixture<PostgresDatabaseFixture>;

    /// <summary>Alice, Bob and Carol in a group Alice created; everything through the real repositories.</summary>
    private sealed class Scene(IServiceProvider services)
    {
        public IUnreadCounterCache Cache { get; } = services.GetRequiredService<IUnreadCounterCache>();
        public IUserRepository Users { get; } = services.GetRequiredService<IUserRepository>();
        public IChatRepository Chats { get; } = services.GetRequiredService<IChatRepository>();
        public IMessageRepository Messages { get; } = services.GetRequiredService<IMessageRepository>();
        public IReadStateRepository ReadState { get; } = services.GetRequiredService<IReadStateRepository>();
        public Guid Alice { get; private set; }
        public Guid Bob { get; private set; }
        public Guid Carol { get; private set; }
        public Guid Group { get; private set; }

        public async Task<Scene> ArrangeAsync()
        {
            (Alice, Bob, Carol) = (await NewUserAsync("alice"), await NewUserAsync("bob"), await NewUserAsync("carol"));
            Group = await NewGroupAsync(Alice, Bob, Carol);
            return this;
        }

        public async Task<Guid> NewUserAsync(string name) =>
            (await Users.CreateAsync(new NewUser { Username = $"{name}_{Guid.NewGuid():N}"[..30], DisplayName = name })).Id;

        public async Task<Guid> NewGroupAsync(Guid owner, params Guid[] members) =>
            (await Chats.CreateGroupAsync(new NewGroupChat { Name = "Group", CreatedBy = owner, MemberIds = members })).Id;

        public async Task<Message[]> SendAsync(Guid chatId, Guid senderId, int count)
        {
            var sent = new Message[count];
            for (var i = 0; i < count; i++)
                sent[i] = await Messages.SendAsync(new NewMessage { ChatId = chatId, SenderId = senderId, Content = $"message {i}" });
            return sent;
        }
    }

    private async Task<Scene> ArrangeAsync(Action<ChatDataRedisOptions>? configure = null) =>
        await new Scene(Services(configure, database.ConnectionString)).ArrangeAsync();

    private RedisKey Counts(Guid userId) => $"{Fixture.KeyPrefix}unread:{{{userId:D}}}:chats";

    [Fact]
    public async Task A_miss_is_rebuilt_from_the_postgres_watermark_and_then_served_from_redis()
    {
        var s = await ArrangeAsync();
        var sent = await s.SendAsync(s.Group, s.Alice, 5);
        await s.ReadState.MarkReadAsync(s.Group, s.Bob, upToSeq: 2);
        await s.Messages.DeleteForEveryoneAsync(sent[3].Id, s.Alice); // seq 4, after Bob's mark

        var count = await s.Cache.GetAsync(s.Bob, s.Group);

        // last_seq - last_read_seq - deleted after the mark
        Assert.Equal(5 - 2 - 1, count);
        Assert.Equal(await s.ReadState.GetUnreadCountAsync(s.Group, s.Bob), count);
        Assert.Equal(2, (long)await Db.HashGetAsync(Counts(s.Bob), s.Group.ToString("D")));
        var ttl = await Db.KeyTimeToLiveAsync(Counts(s.Bob));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));

        // A send the cache was not told about: PostgreSQL says 3, the cache still answers from Redis.
        await s.SendAsync(s.Group, s.Alice, 1);
        Assert.Equal(3, await s.ReadState.GetUnreadCountAsync(s.Group, s.Bob));
        Assert.Equal(2, await s.Cache.GetAsync(s.Bob, s.Group));
    }

    [Fact]
    public async Task Increments_count_for_cached_recipients_only_and_zero_the_sender()
    {
        var s = await ArrangeAsync();
        await s.SendAsync(s.Group, s.Bob, 1);
        await s.Cache.IncrementAsync(s.Group, [s.Alice, s.Carol], senderId: s.Bob); // nothing cached yet: nothing to count
        Assert.False(await Db.KeyExistsAsync(Counts(s.Alice)));
        Assert.Equal(1, await s.Cache.GetAsync(s.Alice, s.Group));
        Assert.Equal(0, await s.Cache.GetAsync(s.Bob, s.Group));

        await s.SendAsync(s.Group, s.Alice, 1);
        await s.Cache.IncrementAsync(s.Group, [s.Bob, s.Carol, s.Alice], senderId: s.Alice); // the sender listed too: skipped

        Assert.Equal(0, (long)await Db.HashGetAsync(Counts(s.Alice), s.Group.ToString("D")));
        Assert.Equal(1, (long)await Db.HashGetAsync(Counts(s.Bob), s.Group.ToString("D")));
        Assert.False(await Db.KeyExistsAsync(Counts(s.Carol))); // never invented
        foreach (var user in new[] { s.Alice, s.Bob, s.Carol })
            Assert.Equal(await s.ReadState.GetUnreadCountAsync(s.Group, user), await s.Cache.GetAsync(user, s.Group));
        Assert.Equal(2, await s.Cache.GetAsync(s.Carol, s.Group));
    }

    [Fact]
    public async Task Marking_read_sets_the_count_from_the_watermark()
    {
        var s = await ArrangeAsync();
        await s.SendAsync(s.Group, s.Alice, 3);
        Assert.Equal(3, await s.Cache.GetAsync(s.Bob, s.Group));

        var partial = await s.ReadState.MarkReadAsync(s.Group, s.Bob, upToSeq: 1);
        await s.Cache.SetAsync(s.Bob, s.Group, partial.UnreadCount);
        Assert.Equal(2, await s.Cache.GetAsync(s.Bob, s.Group));

        var all = await s.ReadState.MarkReadAsync(s.Group, s.Bob);
        await s.Cache.SetAsync(s.Bob, s.Group, all.UnreadCount);
        Assert.Equal(0, await s.Cache.GetAsync(s.Bob, s.Group));

        await s.Cache.IncrementAsync(s.Group, [s.Bob]);
        await s.Cache.ResetAsync(s.Bob, s.Group);
        Assert.Equal(0, await s.Cache.GetAsync(s.Bob, s.Group));
        Assert.True(await Db.KeyTimeToLiveAsync(Counts(s.Bob)) > TimeSpan.Zero);
    }

    [Fact]
    public async Task All_counts_are_rebuilt_from_the_chat_list_on_a_miss_and_rebuilt_again_when_a_new_chat_appears()
    {
        var s = await ArrangeAsync();
        var direct = (await s.Chats.GetOrCreateDirectAsync(s.Alice, s.Bob)).Id;
        var quiet = await s.NewGroupAsync(s.Bob, s.Carol);
        await s.SendAsync(s.Group, s.Alice, 3);
        await s.SendAsync(direct, s.Alice, 1);
        await s.SendAsync(quiet, s.Bob, 2); // Bob's own messages: nothing unread for him

        var counts = await s.Cache.GetAllAsync(s.Bob);

        Assert.Equal(new Dictionary<Guid, long> { [s.Group] = 3, [direct] = 1, [quiet] = 0 }, counts);
        foreach (var (chat, count) in counts)
            Assert.Equal(await s.ReadState.GetUnreadCountAsync(chat, s.Bob), count);
        Assert.True(await Db.KeyTimeToLiveAsync(Counts(s.Bob)) > TimeSpan.Zero);

        // Served from Redis now: a send the cache is told about counts, one it is not told about does not.
        await s.SendAsync(s.Group, s.Alice, 1);
        await s.Cache.IncrementAsync(s.Group, [s.Bob, s.Carol], s.Alice);
        await s.SendAsync(direct, s.Alice, 1);
        Assert.Equal(new Dictionary<Guid, long> { [s.Group] = 4, [direct] = 1, [quiet] = 0 }, await s.Cache.GetAllAsync(s.Bob));
        Assert.Equal(4, await s.Cache.GetAsync(s.Bob, s.Group));

        // A message in a chat the cached list does not know: the list is rebuilt (and picks up the direct chat's 2).
        var fresh = await s.NewGroupAsync(s.Carol, s.Bob);
        await s.SendAsync(fresh, s.Carol, 2);
        await s.Cache.IncrementAsync(fresh, [s.Bob], s.Carol);
        Assert.Equal(new Dictionary<Guid, long> { [s.Group] = 4, [direct] = 2, [quiet] = 0, [fresh] = 2 }, await s.Cache.GetAllAsync(s.Bob));
    }

    [Fact]
    public async Task A_user_with_no_chats_has_an_empty_cached_list()
    {
        var s = await ArrangeAsync();
        var loner = await s.NewUserAsync("loner");

        Assert.Empty(await s.Cache.GetAllAsync(loner));
        Assert.Equal("1", (string?)await Db.HashGetAsync(Counts(loner), "*"));
        Assert.Empty(await s.Cache.GetAllAsync(loner));
    }

    [Fact]
    public async Task A_rebuild_that_races_a_send_or_a_mark_is_returned_but_not_cached()
    {
        var s = await ArrangeAsync();
        await s.SendAsync(s.Group, s.Alice, 2);
        var cache = (UnreadCounterCache)s.Cache;
        var field = s.Group.ToString("D");

        // One chat: the lease is taken, PostgreSQL is read (2), a send reaches Redis, then the rebuilt value would land.
        Assert.Null(await cache.GetOrLeaseAsync(s.Bob, s.Group, "~lease-1", default));
        await s.SendAsync(s.Group, s.Alice, 1);
        await s.Cache.IncrementAsync(s.Group, [s.Bob], s.Alice);
        Assert.False(await cache.FillAsync(s.Bob, field, "~lease-1", 2, default));
        Assert.Equal(3, await s.Cache.GetAsync(s.Bob, s.Group)); // a fresh miss, read again

        // The whole list: a mark reaches Redis while the rebuild is in flight.
        Assert.Null(await cache.GetAllOrLeaseAsync(s.Bob, "~lease-2", default));
        await s.Cache.SetAsync(s.Bob, s.Group, 0);
        Assert.False(await cache.FillAllAsync(s.Bob, "~lease-2", new Dictionary<Guid, long> { [s.Group] = 3 }, default));
        Assert.Equal(0, await s.Cache.GetAsync(s.Bob, s.Group));

        // A second rebuild of the same count takes the lease over; the first one's write does not land.
        Assert.Null(await cache.GetOrLeaseAsync(s.Carol, s.Group, "~lease-3", default));
        Assert.Null(await cache.GetOrLeaseAsync(s.Carol, s.Group, "~lease-4", default));
        Assert.False(await cache.FillAsync(s.Carol, field, "~lease-3", 99, default));
        Assert.True(await cache.FillAsync(s.Carol, field, "~lease-4", 3, default));
        Assert.Equal(3, await s.Cache.GetAsync(s.Carol, s.Group));
    }

    [Fact]
    public async Task Invalidation_sends_the_next_read_to_postgres()
    {
        var s = await ArrangeAsync();
        var sent = await s.SendAsync(s.Group, s.Alice, 3);
        Assert.Equal(3, await s.Cache.GetAsync(s.Bob, s.Group));
        Assert.Equal(3, (await s.Cache.GetAllAsync(s.Carol))[s.Group]);

        await s.Messages.DeleteForEveryoneAsync(sent[2].Id, s.Alice);
        await s.Cache.InvalidateAsync(s.Group, [s.Bob, s.Carol]);

        Assert.Equal(2, await s.Cache.GetAsync(s.Bob, s.Group));
        Assert.Null((string?)await Db.HashGetAsync(Counts(s.Carol), "*")); // no longer complete
        Assert.Equal(2, (await s.Cache.GetAllAsync(s.Carol))[s.Group]);

        await s.Cache.InvalidateUserAsync(s.Bob);
        Assert.False(await Db.KeyExistsAsync(Counts(s.Bob)));
    }

    [Fact]
    public async Task A_user_who_is_not_a_member_gets_NotAMember_and_nothing_is_cached()
    {
        var s = await ArrangeAsync();
        var outsider = await s.NewUserAsync("outsider");

        await Assert.ThrowsAsync<NotAMemberException>(() => s.Cache.GetAsync(outsider, s.Group));

        Assert.DoesNotContain(await Db.HashValuesAsync(Counts(outsider)), v => !((string)v!).StartsWith('~'));
    }

    [Fact]
    public async Task Increments_reach_users_in_every_slot_in_one_call()
    {
        var cache = Get<IUnreadCounterCache>();
        var chat = Guid.CreateVersion7();
        var users = Enumerable.Range(0, 300).Select(_ => Guid.CreateVersion7()).ToArray();
        for (var i = 0; i < users.Length; i++)
            await cache.SetAsync(users[i], chat, i);

        await cache.IncrementAsync(chat, users);

        for (var i = 0; i < users.Length; i++)
            Assert.Equal(i + 1, (long)await Db.HashGetAsync(Counts(users[i]), chat.ToString("D")));
        await cache.InvalidateAsync(chat, users);
        foreach (var user in users)
            Assert.False(await Db.HashExistsAsync(Counts(user), chat.ToString("D")));
    }

    [Fact]
    public async Task The_ttl_is_set_once_and_never_extended_by_increments()
    {
        // Ten seconds, so a busy machine cannot let the key expire between the steps.
        var cache = Get<IUnreadCounterCache>(o => o.Caches.UnreadTtl = TimeSpan.FromSeconds(10));
        var (user, chat) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        await cache.SetAsync(user, chat, 1);
        var first = await Db.KeyTimeToLiveAsync(Counts(user));
        await Task.Delay(600);
        await cache.IncrementAsync(chat, [user]);
        await cache.SetAsync(user, chat, 5);
        var later = await Db.KeyTimeToLiveAsync(Counts(user));

        Assert.InRange(first!.Value, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
        Assert.InRange(later!.Value, TimeSpan.FromMilliseconds(1), first.Value - TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public async Task Scripts_survive_SCRIPT_FLUSH_on_the_hit_and_the_miss_path()
    {
        var s = await ArrangeAsync();
        await s.SendAsync(s.Group, s.Alice, 2);

        async Task UseEveryScriptAsync(int round)
        {
            Assert.Equal(1 + round, await s.Cache.GetAsync(s.Bob, s.Group)); // miss: lease + fill
            Assert.Equal(1 + round, (await s.Cache.GetAllAsync(s.Carol))[s.Group]); // miss: lease + fill all
            await s.SendAsync(s.Group, s.Alice, 1);
            await s.Cache.IncrementAsync(s.Group, [s.Bob, s.Carol], s.Alice);
            Assert.Equal(2 + round, await s.Cache.GetAsync(s.Bob, s.Group)); // hit
            await s.Cache.SetAsync(s.Bob, s.Group, 10 + round);
            Assert.Equal(10 + round, await s.Cache.GetAsync(s.Bob, s.Group)); // hit on the value set
            await s.Cache.InvalidateAsync(s.Group, [s.Bob, s.Carol]); // the next read is a miss again, not the value set
        }

        await UseEveryScriptAsync(1);
        foreach (var server in Fixture.Masters())
            await server.ScriptFlushAsync();
        await UseEveryScriptAsync(2);
        Assert.Equal(4, await s.Cache.GetAsync(s.Bob, s.Group)); // four sends to Bob, read again from PostgreSQL
    }
}
