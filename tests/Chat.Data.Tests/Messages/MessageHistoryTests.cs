using Chat.Data.Internal;
using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Tests.Messages;

public sealed class MessageHistoryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IMessageRepository Messages => db.Messages;

    private static long[] Seqs(MessagePage page) => page.Messages.Select(m => m.Seq).ToArray();

    private static long[] Range(long from, long to) => Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (long)i).ToArray();

    /// <summary>A group whose owner sent <paramref name="count"/> messages (seqs 1..count), viewed by a member.</summary>
    private async Task<MessageScene> ChatWithMessagesAsync(int count)
    {
        var scene = await MessageScene.CreateAsync(db);
        if (count > 0)
            await db.Arrange.MessagesAsync(scene.ChatId, scene.OwnerId, count);
        return scene;
    }

    [Fact]
    public async Task Latest_returns_the_newest_messages_oldest_first()
    {
        var scene = await ChatWithMessagesAsync(10);

        var page = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Latest, limit: 4);

        Assert.Equal(Range(7, 10), Seqs(page));
        Assert.False(page.ReachedOldest);
        Assert.True(page.ReachedNewest);
        Assert.All(page.Messages, m => Assert.Equal($"arranged message {m.Seq}", m.Content));
    }

    [Fact]
    public async Task Latest_with_room_for_everything_reaches_both_ends()
    {
        var scene = await ChatWithMessagesAsync(10);

        var page = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Latest, limit: 10);

        Assert.Equal(Range(1, 10), Seqs(page));
        Assert.True(page.ReachedOldest);
        Assert.True(page.ReachedNewest);
    }

    [Fact]
    public async Task An_empty_chat_gives_an_empty_page_that_reached_both_ends()
    {
        var scene = await ChatWithMessagesAsync(0);

        foreach (var anchor in new[] { HistoryAnchor.Latest, HistoryAnchor.FirstUnread, HistoryAnchor.Before(5), HistoryAnchor.After(0), HistoryAnchor.Around(1) })
        {
            var page = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, anchor);

            Assert.Empty(page.Messages);
            Assert.True(page.ReachedOldest);
            Assert.True(page.ReachedNewest);
        }
    }

    // Cursor pagination: newest first, keyed by seq, which follows created_at.
    [Fact]
    public async Task Paging_back_with_before_walks_the_whole_history_with_no_gap_or_repeat()
    {
        var scene = await ChatWithMessagesAsync(25);

        var pages = new List<MessagePage> { await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Latest, limit: 10) };
        while (!pages[^1].ReachedOldest)
            pages.Add(await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Before(pages[^1].Messages[0].Seq), limit: 10));

        Assert.Equal(new[] { Range(16, 25), Range(6, 15), Range(1, 5) }, pages.Select(Seqs));
        Assert.All(pages.Skip(1), p => Assert.False(p.ReachedNewest));
        Assert.Equal(Range(1, 25), pages.SelectMany(p => p.Messages).Select(m => m.Seq).Order());
    }

    [Fact]
    public async Task Paging_forward_with_after_reaches_the_newest()
    {
        var scene = await ChatWithMessagesAsync(25);

        var first = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.After(0), limit: 10);
        var last = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.After(20), limit: 10);

        Assert.Equal(Range(1, 10), Seqs(first));
        Assert.True(first.ReachedOldest);
        Assert.False(first.ReachedNewest);
        Assert.Equal(Range(21, 25), Seqs(last));
        Assert.False(last.ReachedOldest);
        Assert.True(last.ReachedNewest);
    }

    [Fact]
    public async Task Before_the_first_message_is_empty_and_reached_the_oldest()
    {
        var scene = await ChatWithMessagesAsync(5);

        var page = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Before(1));

        Assert.Empty(page.Messages);
        Assert.True(page.ReachedOldest);
        Assert.False(page.ReachedNewest);
    }

    [Fact]
    public async Task Around_a_seq_includes_it_with_about_half_before_and_half_after()
    {
        var scene = await ChatWithMessagesAsync(25);

        var middle = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Around(12), limit: 5);
        var nearStart = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Around(2), limit: 6);
        var atEnd = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Around(25), limit: 6);

        Assert.Equal(Range(10, 14), Seqs(middle));
        Assert.False(middle.ReachedOldest);
        Assert.False(middle.ReachedNewest);
        Assert.Equal(Range(1, 5), Seqs(nearStart));
        Assert.True(nearStart.ReachedOldest);
        Assert.Equal(Range(23, 25), Seqs(atEnd));
        Assert.True(atEnd.ReachedNewest);
    }

    [Fact]
    public async Task First_unread_is_around_the_first_message_after_the_read_mark()
    {
        var scene = await ChatWithMessagesAsync(25);
        await scene.ExecuteAsync("UPDATE chat.chat_members SET last_read_seq = 10 WHERE chat_id = @ChatId AND user_id = @user", new { user = scene.Member });

        var page = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.FirstUnread, limit: 6);

        Assert.Equal(Range(9, 14), Seqs(page));
        Assert.False(page.ReachedOldest);
        Assert.False(page.ReachedNewest);
    }

    [Fact]
    public async Task First_unread_with_nothing_unread_is_the_newest_page()
    {
        var scene = await ChatWithMessagesAsync(25);

        var page = await Messages.GetHistoryAsync(scene.ChatId, scene.OwnerId, HistoryAnchor.FirstUnread, limit: 6);

        Assert.Equal(Range(20, 25), Seqs(page));
        Assert.True(page.ReachedNewest);
    }

    [Fact]
    public async Task History_leaves_out_what_the_viewer_hid_or_cleared_and_only_for_them()
    {
        var scene = await ChatWithMessagesAsync(10);
        var five = (await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Around(5), limit: 1)).Messages.Single();
        Assert.True(await Messages.HideForMeAsync(five.Id, scene.Member));
        await scene.ExecuteAsync("UPDATE chat.chat_members SET cleared_seq = 3 WHERE chat_id = @ChatId AND user_id = @user", new { user = scene.Member });

        var member = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Latest);
        var owner = await Messages.GetHistoryAsync(scene.ChatId, scene.OwnerId, HistoryAnchor.Latest);
        var olderThanSix = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Before(6), limit: 1);

        Assert.Equal(new long[] { 4, 6, 7, 8, 9, 10 }, Seqs(member));
        Assert.True(member.ReachedOldest);
        Assert.Equal(Range(1, 10), Seqs(owner));
        Assert.Equal(new long[] { 4 }, Seqs(olderThanSix));
        Assert.True(olderThanSix.ReachedOldest);
    }

    [Fact]
    public async Task A_message_deleted_for_everyone_stays_in_history_wiped()
    {
        var scene = await MessageScene.CreateAsync(db);
        await scene.SendAsync(scene.Member, "one");
        var oops = await scene.SendAsync(scene.Member, "oops");
        await scene.SendAsync(scene.Member, "three");
        await Messages.DeleteForEveryoneAsync(oops.Id, scene.Member);

        var page = await Messages.GetHistoryAsync(scene.ChatId, scene.OwnerId, HistoryAnchor.Latest);

        Assert.Equal(Range(1, 3), Seqs(page));
        Assert.Null(page.Messages[1].Content);
        Assert.NotNull(page.Messages[1].DeletedAt);
    }

    [Fact]
    public async Task A_non_member_a_member_who_left_and_a_missing_chat_cannot_read()
    {
        var scene = await ChatWithMessagesAsync(3);
        var stranger = await scene.StrangerAsync();
        await scene.LeaveAsync(scene.MemberIds[1]);
        var missingChat = Guid.CreateVersion7();

        var notMember = await Assert.ThrowsAsync<NotAMemberException>(() => Messages.GetHistoryAsync(scene.ChatId, stranger, HistoryAnchor.Latest));
        await Assert.ThrowsAsync<NotAMemberException>(() => Messages.GetHistoryAsync(scene.ChatId, scene.MemberIds[1], HistoryAnchor.FirstUnread));
        var missing = await Assert.ThrowsAsync<NotAMemberException>(() => Messages.GetHistoryAsync(missingChat, scene.Member, HistoryAnchor.Latest));

        Assert.Equal((scene.ChatId, stranger), (notMember.ChatId, notMember.UserId));
        Assert.Equal(missingChat, missing.ChatId);
    }

    [Fact]
    public async Task A_history_page_is_one_round_trip()
    {
        var scene = await ChatWithMessagesAsync(30);
        await Messages.FindByIdUncheckedAsync(Guid.CreateVersion7());

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.FirstUnread, limit: 10);

        Assert.Equal(1, roundTrips.Count);
    }

    // A page deep in a long history reads only its own rows, however long the chat.
    [Fact]
    public async Task A_deep_page_is_a_range_scan_on_the_chat_seq_index()
    {
        var scene = await ChatWithMessagesAsync(20_000);
        var other = await MessageScene.CreateAsync(db);
        await db.Arrange.MessagesAsync(other.ChatId, other.OwnerId, 5_000);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("ANALYZE chat.messages; ANALYZE chat.chat_members; ANALYZE chat.chats");

        var plan = string.Join('\n', await connection.QueryAsync<string>(
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + MessageRepository.HistorySql.Replace("{schema}", "chat", StringComparison.Ordinal),
            new { chatId = scene.ChatId, viewerId = scene.Member, UpTo = 99L, Older = 50, Newer = 0, FirstUnread = false, AroundOlder = 25, AroundNewer = 25 }));
        Assert.Contains("Index Scan Backward using messages_seq_key on messages m", plan);
        Assert.Contains("Index Cond: ((chat_id = ", plan);
        Assert.DoesNotContain("Seq Scan on messages", plan);
        Assert.DoesNotContain("Sort", plan);
        // The older side reads 51 rows (the page and one more), not the chat's 20,000.
        Assert.Contains("(actual rows=51 loops=1)", plan);

        var page = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Before(100), limit: 50);
        Assert.Equal(Range(50, 99), Seqs(page));
    }

    [Fact]
    public async Task A_thread_page_lists_the_replies_oldest_first_after_a_seq()
    {
        var scene = await MessageScene.CreateAsync(db);
        var root = await scene.SendAsync(scene.OwnerId, "root");
        var replies = new List<Message>();
        for (var i = 0; i < 5; i++)
        {
            await scene.SendAsync(scene.OwnerId, "not in the thread");
            replies.Add(await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = $"r{i}", ThreadRootId = root.Id }));
        }

        var first = await Messages.GetThreadAsync(root.Id, scene.Member, limit: 3);
        var rest = await Messages.GetThreadAsync(root.Id, scene.Member, afterSeq: first.Messages[^1].Seq, limit: 3);

        Assert.Equal(replies.Take(3).Select(r => r.Id), first.Messages.Select(m => m.Id));
        Assert.True(first.ReachedOldest);
        Assert.False(first.ReachedNewest);
        Assert.Equal(replies.Skip(3).Select(r => r.Id), rest.Messages.Select(m => m.Id));
        Assert.False(rest.ReachedOldest);
        Assert.True(rest.ReachedNewest);
    }

    [Fact]
    public async Task A_thread_page_leaves_out_what_the_viewer_hid_or_cleared()
    {
        var scene = await MessageScene.CreateAsync(db);
        var root = await scene.SendAsync(scene.OwnerId, "root");
        var replies = new List<Message>();
        for (var i = 0; i < 4; i++)
            replies.Add(await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.OwnerId, Content = $"r{i}", ThreadRootId = root.Id }));
        await Messages.HideForMeAsync(replies[3].Id, scene.Member);
        await scene.ExecuteAsync("UPDATE chat.chat_members SET cleared_seq = @seq WHERE chat_id = @ChatId AND user_id = @user", new { seq = replies[0].Seq, user = scene.Member });

        var page = await Messages.GetThreadAsync(root.Id, scene.Member);

        Assert.Equal(new[] { replies[1].Id, replies[2].Id }, page.Messages.Select(m => m.Id));
        Assert.Equal(4, (await Messages.GetThreadAsync(root.Id, scene.OwnerId)).Messages.Count);
    }

    [Fact]
    public async Task A_thread_needs_a_member_of_its_chat_and_an_existing_root()
    {
        var scene = await MessageScene.CreateAsync(db);
        var root = await scene.SendAsync(scene.OwnerId, "root");
        var stranger = await scene.StrangerAsync();

        var notMember = await Assert.ThrowsAsync<NotAMemberException>(() => Messages.GetThreadAsync(root.Id, stranger));
        var missing = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Messages.GetThreadAsync(Guid.CreateVersion7(), scene.Member));

        Assert.Equal((scene.ChatId, stranger), (notMember.ChatId, notMember.UserId));
        Assert.Equal("rootMessageId", missing.Field);
        var empty = await Messages.GetThreadAsync(root.Id, scene.Member);
        Assert.Empty(empty.Messages);
        Assert.True(empty.ReachedOldest && empty.ReachedNewest);
    }

    [Fact]
    public async Task History_pages_are_planned_once_whatever_their_anchor()
    {
        var scene = await ChatWithMessagesAsync(200);
        // One pooled connection, so the prepared statement read below is the one the pages ran on.
        await using var services = ServicesWithOptions.Build(db, o => o.ConnectionString += ";Maximum Pool Size=1");
        var messages = services.GetRequiredService<IMessageRepository>();

        // Npgsql prepares the statement on its fifth run; each later run uses the one plan.
        for (var run = 0; run < 15; run++)
        {
            Assert.Equal(20, (await messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Latest, limit: 20)).Messages.Count);
            Assert.Equal(20, (await messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Before(100 + run), limit: 20)).Messages.Count);
        }

        await using var same = await services.GetRequiredService<ChatDatabase>().DataSource.OpenConnectionAsync();
        var plans = await same.QuerySingleAsync<(long Generic, long Custom)>(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%ORDER BY m.seq DESC LIMIT b.older + 1%'");
        Assert.Equal(0, plans.Custom);
        Assert.True(plans.Generic > 20, $"{plans.Generic} runs of the generic plan");
        // The setting that forces it lasts only for the page's own command.
        Assert.Equal("auto", await same.ExecuteScalarAsync<string>("SELECT current_setting('plan_cache_mode')"));
    }
}
