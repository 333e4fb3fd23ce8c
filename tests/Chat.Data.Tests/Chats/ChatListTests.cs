using Chat.Data.Chats;
using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.Chats;

/// <summary>A user's chat list: order, keyset paging, what it leaves out, and what each row carries.</summary>
public sealed class ChatListTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IChatRepository Chats => db.Chats;

    private async Task<List<ChatListItem>> ListAllAsync(Guid userId, int limit = 50)
    {
        var items = new List<ChatListItem>();
        string? cursor = null;
        do
        {
            var page = await Chats.ListForUserAsync(userId, cursor, limit);
            Assert.InRange(page.Items.Count, cursor is null ? 0 : 1, limit);
            items.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return items;
    }

    private async Task<ChatListItem> ItemAsync(Guid userId, Guid chatId) =>
        Assert.Single(await ListAllAsync(userId), item => item.Chat.Id == chatId);

    [Fact]
    public async Task A_user_in_200_chats_pages_through_all_of_them_in_order_without_duplicates_or_misses()
    {
        var user = await db.Arrange.UserAsync();
        // 210 chats: activity ties in threes (and chats without messages fall back to their creation
        // time), pins with a tie, then 10 the list must leave out (left, deleted, hidden).
        await db.ExecuteAsync("""
            WITH created AS (
                INSERT INTO chat.chats (id, type, name, created_by, created_at, last_message_at)
                SELECT gen_random_uuid(), 'group', 'Chat ' || n, @userId, now() - n * interval '1 hour',
                       CASE WHEN n % 4 = 0 THEN NULL ELSE now() - (n / 3) * interval '1 minute' END
                FROM generate_series(1, 210) AS n
                RETURNING id, name
            )
            INSERT INTO chat.chat_members (chat_id, user_id, role, pinned_at, left_at, hidden_at)
            SELECT id, @userId, 'owner',
                   CASE name WHEN 'Chat 7' THEN now() - interval '1 minute' WHEN 'Chat 199' THEN now() - interval '1 minute'
                             WHEN 'Chat 70' THEN now() - interval '2 minutes' WHEN 'Chat 150' THEN now() END,
                   CASE WHEN name IN ('Chat 201', 'Chat 202', 'Chat 203', 'Chat 204', 'Chat 205') THEN now() END,
                   CASE WHEN name IN ('Chat 206', 'Chat 207') THEN now() END
            FROM created;
            UPDATE chat.chats SET deleted_at = now() WHERE created_by = @userId AND name IN ('Chat 208', 'Chat 209', 'Chat 210');
            """, new { userId = user.Id });
        await using var connection = await db.OpenAsync();
        var expected = (await connection.QueryAsync<Guid>("""
            SELECT c.id FROM chat.chats c JOIN chat.chat_members m ON m.chat_id = c.id
            WHERE m.user_id = @userId AND m.left_at IS NULL AND c.deleted_at IS NULL AND m.hidden_at IS NULL
            ORDER BY m.pinned_at DESC NULLS LAST, coalesce(c.last_message_at, c.created_at) DESC, c.id DESC
            """, new { userId = user.Id })).ToList();

        var items = await ListAllAsync(user.Id, limit: 7);

        Assert.Equal(200, expected.Count);
        Assert.Equal(expected, items.Select(i => i.Chat.Id));
        Assert.Equal(new[] { "Chat 150", "Chat 7", "Chat 199", "Chat 70" }, items.Take(4).Select(i => i.Chat.Name));
        Assert.All(items.Skip(4), i => Assert.Null(i.PinnedAt));
        Assert.DoesNotContain(items, i => i.Chat.Name is "Chat 201" or "Chat 206" or "Chat 208");
    }

    [Fact]
    public async Task Pinned_chats_come_first_then_the_latest_activity()
    {
        var (user, other) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var quiet = await db.Arrange.GroupAsync(user.Id, other.Id);
        var busy = await db.Arrange.GroupAsync(user.Id, other.Id);
        var pinned = await db.Arrange.GroupAsync(user.Id, other.Id);
        await db.Arrange.MessagesAsync(quiet, other.Id, 1);
        await db.Arrange.MessagesAsync(busy, other.Id, 1);
        Assert.True(await db.Members.SetPinnedAsync(pinned, user.Id, true));

        Assert.Equal(new[] { pinned, busy, quiet }, (await ListAllAsync(user.Id)).Select(i => i.Chat.Id));

        await db.Arrange.MessagesAsync(quiet, other.Id, 1);
        Assert.Equal(new[] { pinned, quiet, busy }, (await ListAllAsync(user.Id)).Select(i => i.Chat.Id));

        Assert.True(await db.Members.SetPinnedAsync(pinned, user.Id, false));
        Assert.Equal(new[] { quiet, busy, pinned }, (await ListAllAsync(user.Id)).Select(i => i.Chat.Id));
    }

    [Fact]
    public async Task The_list_is_one_round_trip()
    {
        var user = await db.Arrange.UserAsync();
        for (var i = 0; i < 3; i++)
            await db.Arrange.MessagesAsync(await db.Arrange.GroupAsync(user.Id), user.Id, 2);

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var page = await Chats.ListForUserAsync(user.Id);

        Assert.Equal(1, roundTrips.Count);
        Assert.Equal(3, page.Items.Count);
        Assert.All(page.Items, item => Assert.NotNull(item.LastMessage));
    }

    [Fact]
    public async Task Left_soft_deleted_and_hidden_chats_are_left_out_and_a_hidden_chat_comes_back_with_a_new_message()
    {
        var (user, other) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var left = await db.Arrange.GroupAsync(other.Id, user.Id);
        var deleted = await db.Arrange.GroupAsync(user.Id, other.Id);
        var hidden = await db.Arrange.GroupAsync(user.Id, other.Id);
        var kept = await db.Arrange.GroupAsync(user.Id, other.Id);
        await db.Arrange.MessagesAsync(hidden, other.Id, 1);
        await db.Members.LeaveAsync(left, user.Id);
        await Chats.SoftDeleteAsync(deleted);
        Assert.True(await db.Members.HideAsync(hidden, user.Id));

        Assert.Equal(new[] { kept }, (await ListAllAsync(user.Id)).Select(i => i.Chat.Id));

        await db.Arrange.MessagesAsync(hidden, other.Id, 1);
        Assert.Equal(new[] { hidden, kept }, (await ListAllAsync(user.Id)).Select(i => i.Chat.Id));
        Assert.Equal(3, (await ListAllAsync(other.Id)).Count);
    }

    [Fact]
    public async Task Each_row_carries_role_unread_counts_mute_pin_and_the_last_message()
    {
        var (user, other) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await db.Arrange.GroupAsync(other.Id, user.Id);
        await db.Arrange.MessagesAsync(chat, other.Id, 5);
        await db.ExecuteAsync("UPDATE chat.chat_members SET unread_mention_count = 2 WHERE chat_id = @chat AND user_id = @user", new { chat, user = user.Id });
        await db.Members.MuteAsync(chat, user.Id, DateTimeOffset.UtcNow.AddHours(1));

        var item = await ItemAsync(user.Id, chat);

        Assert.Equal(MemberRole.Member, item.Role);
        Assert.Equal(5, item.UnreadCount);
        Assert.Equal(2, item.UnreadMentionCount);
        Assert.True(item.IsMuted);
        Assert.Null(item.PinnedAt);
        Assert.Equal(5, item.Chat.LastSeq);
        Assert.Equal(2, item.Chat.MemberCount);
        var preview = Assert.IsType<MessagePreview>(item.LastMessage);
        Assert.Equal((item.Chat.LastMessageId, 5L, other.Id, MessageType.Text, "arranged message 5", false),
            ((Guid?)preview.Id, preview.Seq, preview.SenderId, preview.Type, preview.Content, preview.IsDeleted));
        Assert.Equal(item.Chat.LastMessageAt, preview.CreatedAt);

        await db.Members.MuteAsync(chat, user.Id, DateTimeOffset.UtcNow.AddHours(-1));
        Assert.False((await ItemAsync(user.Id, chat)).IsMuted);
        Assert.Equal(0, (await ItemAsync(other.Id, chat)).UnreadCount);
        Assert.Equal(MemberRole.Owner, (await ItemAsync(other.Id, chat)).Role);
    }

    [Fact]
    public async Task Unread_counts_leave_out_messages_deleted_for_everyone_after_the_read_mark()
    {
        var (user, other) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await db.Arrange.GroupAsync(other.Id, user.Id);
        await db.Arrange.MessagesAsync(chat, other.Id, 5);
        await db.ExecuteAsync("UPDATE chat.messages SET deleted_at = now(), content = NULL WHERE chat_id = @chat AND seq IN (2, 4)", new { chat });

        Assert.Equal(3, (await ItemAsync(user.Id, chat)).UnreadCount);

        await db.ExecuteAsync("UPDATE chat.chat_members SET last_read_seq = 3 WHERE chat_id = @chat AND user_id = @user", new { chat, user = user.Id });
        Assert.Equal(1, (await ItemAsync(user.Id, chat)).UnreadCount);
    }

    [Fact]
    public async Task The_preview_is_the_newest_message_the_member_can_see()
    {
        var (user, other) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await db.Arrange.GroupAsync(other.Id, user.Id);
        Assert.Null((await ItemAsync(user.Id, chat)).LastMessage);

        await db.Arrange.MessagesAsync(chat, other.Id, 3);
        await db.ExecuteAsync("""
            INSERT INTO chat.message_hides (message_id, user_id) SELECT id, @user FROM chat.messages WHERE chat_id = @chat AND seq = 3;
            UPDATE chat.messages SET deleted_at = now(), content = NULL WHERE chat_id = @chat AND seq = 2;
            """, new { chat, user = user.Id });

        var preview = (await ItemAsync(user.Id, chat)).LastMessage!;
        Assert.Equal((2L, true, null), (preview.Seq, preview.IsDeleted, preview.Content));
        Assert.Equal(3, (await ItemAsync(other.Id, chat)).LastMessage!.Seq);

        Assert.True(await db.Members.ClearHistoryAsync(chat, user.Id));
        var cleared = await ItemAsync(user.Id, chat);
        Assert.Null(cleared.LastMessage);
        Assert.Equal(0, cleared.UnreadCount);

        await db.Arrange.MessagesAsync(chat, other.Id, 1);
        Assert.Equal(4, (await ItemAsync(user.Id, chat)).LastMessage!.Seq);
    }

    [Fact]
    public async Task A_user_in_no_chats_gets_an_empty_page()
    {
        var user = await db.Arrange.UserAsync();

        var page = await Chats.ListForUserAsync(user.Id);

        Assert.Empty(page.Items);
        Assert.Null(page.NextCursor);
    }
}
