using Chat.Data.Social;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.TestSupport;

namespace Chat.Data.Tests.Social;

public sealed class BlockRepositoryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IBlockRepository Blocks => db.Blocks;

    [Fact]
    public async Task Block_returns_the_block_and_is_blocked_holds_in_both_directions()
    {
        var (a, b) = await db.PairAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var block = await Blocks.BlockAsync(a, b);

        Assert.Equal(a, block.BlockerId);
        Assert.Equal(b, block.BlockedId);
        Assert.InRange(block.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.True(await Blocks.IsBlockedAsync(a, b));
        Assert.True(await Blocks.IsBlockedAsync(b, a));
    }

    [Fact]
    public async Task Is_blocked_is_false_for_strangers_and_one_round_trip()
    {
        var (a, b) = await db.PairAsync();

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        Assert.False(await Blocks.IsBlockedAsync(a, b));
        Assert.Equal(1, roundTrips.Count);
    }

    [Fact]
    public async Task Blocking_again_returns_the_first_block_and_stores_one_row()
    {
        var (a, b) = await db.PairAsync();
        var first = await Blocks.BlockAsync(a, b);

        var again = await Blocks.BlockAsync(a, b);

        Assert.Equal(first, again);
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.user_blocks WHERE blocker_id = @a", new { a }));
    }

    [Fact]
    public async Task Both_users_may_block_each_other_and_unblocking_one_leaves_the_other()
    {
        var (a, b) = await db.PairAsync();
        await Blocks.BlockAsync(a, b);
        await Blocks.BlockAsync(b, a);

        Assert.True(await Blocks.UnblockAsync(a, b));

        Assert.True(await Blocks.IsBlockedAsync(a, b));
        Assert.True(await Blocks.UnblockAsync(b, a));
        Assert.False(await Blocks.IsBlockedAsync(a, b));
    }

    [Fact]
    public async Task Unblock_is_false_when_there_was_no_block()
    {
        var (a, b) = await db.PairAsync();
        await Blocks.BlockAsync(b, a);

        Assert.False(await Blocks.UnblockAsync(a, b));
        Assert.True(await Blocks.IsBlockedAsync(a, b));
    }

    [Fact]
    public async Task List_blocked_pages_newest_first_and_holds_only_the_blockers_blocks()
    {
        var blocker = (await db.Arrange.UserAsync()).Id;
        var blocked = new List<Guid>();
        foreach (var user in await db.Arrange.UsersAsync(5))
        {
            await Blocks.BlockAsync(blocker, user.Id);
            blocked.Add(user.Id);
        }
        await Blocks.BlockAsync(blocked[0], blocker);

        var seen = new List<UserBlock>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Blocks.ListBlockedAsync(blocker, cursor, limit: 2);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.All(seen, b => Assert.Equal(blocker, b.BlockerId));
        Assert.Equal(Enumerable.Reverse(blocked), seen.Select(b => b.BlockedId));
    }

    [Fact]
    public async Task List_blocked_of_a_user_who_blocked_nobody_is_empty()
    {
        var page = await Blocks.ListBlockedAsync((await db.Arrange.UserAsync()).Id);

        Assert.Empty(page.Items);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Blocking_a_user_who_does_not_exist_is_a_missing_reference_and_writes_nothing()
    {
        var a = (await db.Arrange.UserAsync()).Id;

        await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Blocks.BlockAsync(a, Guid.CreateVersion7()));
        await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Blocks.BlockAsync(Guid.CreateVersion7(), a));

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.user_blocks WHERE @a IN (blocker_id, blocked_id)", new { a }));
    }

    [Fact]
    public async Task Deleting_a_user_removes_their_blocks_in_both_directions()
    {
        var (a, b) = await db.PairAsync();
        var c = (await db.Arrange.UserAsync()).Id;
        await Blocks.BlockAsync(a, b);
        await Blocks.BlockAsync(c, a);
        await Blocks.BlockAsync(c, b);

        Assert.True(await db.Users.DeleteAsync(a));

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.user_blocks WHERE @a IN (blocker_id, blocked_id)", new { a }));
        Assert.True(await Blocks.IsBlockedAsync(c, b));
    }

    [Fact]
    public async Task The_database_refuses_a_self_block_and_a_second_row_for_a_pair()
    {
        var (a, b) = await db.PairAsync();
        await Blocks.BlockAsync(a, b);

        Assert.Equal("user_blocks_blocked_id_check", await db.ViolatedConstraintAsync(
            "INSERT INTO chat.user_blocks (blocker_id, blocked_id) VALUES (@a, @a)", new { a }));
        Assert.Equal("user_blocks_pkey", await db.ViolatedConstraintAsync(
            "INSERT INTO chat.user_blocks (blocker_id, blocked_id) VALUES (@a, @b)", new { a, b }));
    }

    [Fact]
    public async Task Twenty_concurrent_blocks_of_a_pair_store_one_row_and_all_return_it()
    {
        var (a, b) = await db.PairAsync();

        var results = await Race.RunAsync(20, _ => Blocks.BlockAsync(a, b));

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Single(results.Select(r => r.Value).Distinct());
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.user_blocks WHERE blocker_id = @a", new { a }));
    }
}
