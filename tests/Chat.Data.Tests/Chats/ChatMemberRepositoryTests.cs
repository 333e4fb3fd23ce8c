using Chat.Data.Chats;
using Chat.Data.Tests.Infrastructure;

namespace Chat.Data.Tests.Chats;

/// <summary>Membership: add, remove, leave, roles, and each member's own settings.</summary>
public sealed class ChatMemberRepositoryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IChatMemberRepository Members => db.Members;

    private async Task<Guid> GroupAsync(Guid ownerId, params Guid[] memberIds) =>
        (await db.Chats.CreateGroupAsync(new NewGroupChat { Name = "Members", CreatedBy = ownerId, MemberIds = memberIds })).Id;

    [Fact]
    public async Task Add_makes_the_user_an_active_member_with_the_role_given()
    {
        var (owner, a) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id);

        var member = await Members.AddAsync(chat, a.Id, MemberRole.Admin);

        Assert.Equal((chat, a.Id, MemberRole.Admin, NotificationLevel.All), (member.ChatId, member.UserId, member.Role, member.NotificationLevel));
        Assert.Null(member.LeftAt);
        Assert.Equal(0, member.LastReadSeq);
        Assert.Equal(member, await Members.FindAsync(chat, a.Id));
        await db.AssertMemberCountAsync(chat, 2);
    }

    [Fact]
    public async Task Adding_an_active_member_returns_them_unchanged()
    {
        var (owner, a) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id);
        var before = await Members.FindAsync(chat, a.Id);

        var again = await Members.AddAsync(chat, a.Id, MemberRole.Admin);
        var owners = await Members.AddManyAsync(chat, [owner.Id, a.Id]);

        Assert.Equal(before, again);
        Assert.Equal(new[] { MemberRole.Owner, MemberRole.Member }, owners.Select(m => m.Role));
        await db.AssertMemberCountAsync(chat, 2);
    }

    [Fact]
    public async Task Adding_a_member_who_left_reactivates_them_and_keeps_their_read_marks()
    {
        var (owner, a, admin) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id, admin.Id);
        await db.Arrange.MessagesAsync(chat, a.Id, 4);
        Assert.True(await Members.RemoveAsync(chat, a.Id, admin.Id));
        var removed = (await Members.FindAsync(chat, a.Id))!;

        var back = await Members.AddAsync(chat, a.Id, MemberRole.Guest);

        Assert.Equal((admin.Id, 4L), (removed.RemovedBy, removed.LastReadSeq));
        Assert.NotNull(removed.LeftAt);
        Assert.Null(back.LeftAt);
        Assert.Null(back.RemovedBy);
        Assert.Equal(MemberRole.Guest, back.Role);
        Assert.Equal(4, back.LastReadSeq);
        Assert.True(back.JoinedAt > removed.JoinedAt);
        await db.AssertMemberCountAsync(chat, 3);
    }

    [Fact]
    public async Task Add_many_is_one_round_trip_and_returns_every_membership_in_the_order_given()
    {
        var owner = await db.Arrange.UserAsync();
        var users = await db.Arrange.UsersAsync(5);
        var chat = await GroupAsync(owner.Id, users[0].Id);
        var ids = users.Select(u => u.Id).Reverse().ToArray();

        IReadOnlyList<ChatMember> added;
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            added = await Members.AddManyAsync(chat, ids);
            Assert.Equal(1, roundTrips.Count);
        }

        Assert.Equal(ids, added.Select(m => m.UserId));
        Assert.All(added, m => Assert.Equal(MemberRole.Member, m.Role));
        await db.AssertMemberCountAsync(chat, 6);
    }

    [Fact]
    public async Task Add_many_is_all_or_nothing_when_one_user_does_not_exist()
    {
        var (owner, a) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id);

        var error = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Members.AddManyAsync(chat, [a.Id, Guid.CreateVersion7()]));

        Assert.Equal("UserId", error.Field);
        Assert.Null(await Members.FindAsync(chat, a.Id));
        await db.AssertMemberCountAsync(chat, 1);
    }

    [Fact]
    public async Task Add_many_with_no_users_returns_nothing_without_a_query()
    {
        using var roundTrips = new RoundTripCounter(db.Database.Name);

        Assert.Empty(await Members.AddManyAsync(Guid.CreateVersion7(), []));
        Assert.Equal(0, roundTrips.Count);
    }

    [Fact]
    public async Task Add_refuses_owners_direct_chats_and_chats_that_do_not_exist()
    {
        var (a, b, c) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var group = await GroupAsync(a.Id);
        var direct = await db.Chats.GetOrCreateDirectAsync(a.Id, b.Id);

        await Assert.ThrowsAsync<NotPermittedException>(() => Members.AddAsync(group, c.Id, MemberRole.Owner));
        await Assert.ThrowsAsync<NotPermittedException>(() => Members.AddAsync(direct.Id, c.Id));
        var missing = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Members.AddAsync(Guid.CreateVersion7(), c.Id));
        var deleted = await GroupAsync(a.Id);
        await db.Chats.SoftDeleteAsync(deleted);
        await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Members.AddAsync(deleted, c.Id));

        Assert.Equal("chatId", missing.Field);
        await db.AssertMemberCountAsync(group, 1);
        await db.AssertMemberCountAsync(direct.Id, 2);
        Assert.Null(await Members.FindAsync(direct.Id, c.Id));
    }

    [Fact]
    public async Task Add_to_a_topic_needs_an_active_member_of_its_parent()
    {
        var (owner, inParent, outsider) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var group = await GroupAsync(owner.Id, inParent.Id);
        var topic = await db.Chats.CreateTopicAsync(new NewTopic { Name = "Topic", CreatedBy = owner.Id, ParentChatId = group });

        var error = await Assert.ThrowsAsync<NotAMemberException>(() => Members.AddManyAsync(topic.Id, [inParent.Id, outsider.Id]));
        var added = await Members.AddAsync(topic.Id, inParent.Id);

        Assert.Equal((group, outsider.Id), (error.ChatId, error.UserId));
        Assert.Equal(topic.Id, added.ChatId);
        await db.AssertMemberCountAsync(topic.Id, 2);
    }

    [Fact]
    public async Task Add_holds_the_member_limit_counting_only_those_who_join()
    {
        await using var services = db.WithMaxGroupMembers(3);
        var users = await db.Arrange.UsersAsync(4);
        var chat = await GroupAsync(users[0].Id, users[1].Id);

        var error = await Assert.ThrowsAsync<MemberLimitException>(() => services.Members().AddManyAsync(chat, [users[1].Id, users[2].Id, users[3].Id]));
        await db.AssertMemberCountAsync(chat, 2);
        Assert.Equal((chat, 3), (error.ChatId, error.Limit));

        var filled = await services.Members().AddManyAsync(chat, [users[1].Id, users[2].Id]);
        Assert.Equal(2, filled.Count);
        await db.AssertMemberCountAsync(chat, 3);
        await Assert.ThrowsAsync<MemberLimitException>(() => services.Members().AddAsync(chat, users[3].Id));
        Assert.Equal(MemberRole.Member, (await services.Members().AddAsync(chat, users[2].Id)).Role);

        await services.Members().LeaveAsync(chat, users[2].Id);
        await services.Members().AddAsync(chat, users[3].Id);
        await db.AssertMemberCountAsync(chat, 3);
    }

    [Fact]
    public async Task Remove_sets_left_at_and_removed_by_and_is_false_for_someone_not_active()
    {
        var (owner, a) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id);

        Assert.True(await Members.RemoveAsync(chat, a.Id, owner.Id));
        Assert.False(await Members.RemoveAsync(chat, a.Id, owner.Id));
        Assert.False(await Members.RemoveAsync(chat, Guid.CreateVersion7(), owner.Id));

        var removed = (await Members.FindAsync(chat, a.Id))!;
        Assert.NotNull(removed.LeftAt);
        Assert.Equal(owner.Id, removed.RemovedBy);
        await db.AssertMemberCountAsync(chat, 1);
    }

    [Fact]
    public async Task Remove_refuses_the_owner_and_members_of_a_direct_chat()
    {
        var (owner, a) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id);
        var direct = await db.Chats.GetOrCreateDirectAsync(owner.Id, a.Id);

        await Assert.ThrowsAsync<NotPermittedException>(() => Members.RemoveAsync(chat, owner.Id, a.Id));
        await Assert.ThrowsAsync<NotPermittedException>(() => Members.RemoveAsync(direct.Id, a.Id, owner.Id));

        Assert.Null((await Members.FindAsync(chat, owner.Id))!.LeftAt);
        await db.AssertMemberCountAsync(chat, 2);
        await db.AssertMemberCountAsync(direct.Id, 2);
    }

    [Fact]
    public async Task Removing_a_member_takes_them_out_of_the_chats_topics()
    {
        var (owner, a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id, b.Id);
        var topic = await db.Chats.CreateTopicAsync(new NewTopic { Name = "Topic", CreatedBy = owner.Id, ParentChatId = chat, MemberIds = [a.Id, b.Id] });

        await Members.RemoveAsync(chat, a.Id, owner.Id);
        await Members.LeaveAsync(chat, b.Id);

        var inTopic = (await Members.FindAsync(topic.Id, a.Id))!;
        Assert.NotNull(inTopic.LeftAt);
        Assert.Equal(owner.Id, inTopic.RemovedBy);
        Assert.NotNull((await Members.FindAsync(topic.Id, b.Id))!.LeftAt);
        await db.AssertMemberCountAsync(topic.Id, 1);
        await Assert.ThrowsAsync<NotAMemberException>(() => Members.AddAsync(topic.Id, a.Id));
    }

    [Fact]
    public async Task Leave_by_a_member_hands_nothing_over()
    {
        var (owner, a) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id);

        Assert.Equal(new LeaveResult(true, null), await Members.LeaveAsync(chat, a.Id));
        Assert.Equal(new LeaveResult(false, null), await Members.LeaveAsync(chat, a.Id));
        Assert.Null((await Members.FindAsync(chat, a.Id))!.RemovedBy);
        await db.AssertMemberCountAsync(chat, 1);
    }

    [Fact]
    public async Task An_owner_who_leaves_hands_the_chat_to_the_oldest_admin_in_one_round_trip()
    {
        var (owner, oldMember, admin, youngAdmin) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await db.Arrange.GroupAsync(owner.Id, oldMember.Id, admin.Id, youngAdmin.Id);
        await Members.ChangeRoleAsync(chat, admin.Id, MemberRole.Admin);
        await Members.ChangeRoleAsync(chat, youngAdmin.Id, MemberRole.Admin);

        LeaveResult result;
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            result = await Members.LeaveAsync(chat, owner.Id);
            Assert.Equal(1, roundTrips.Count);
        }

        Assert.Equal(new LeaveResult(true, admin.Id), result);
        Assert.Equal(new Dictionary<Guid, string> { [oldMember.Id] = "member", [admin.Id] = "owner", [youngAdmin.Id] = "admin" }, await db.ActiveRolesAsync(chat));
    }

    [Fact]
    public async Task An_owner_who_leaves_without_admins_hands_the_chat_to_the_oldest_member_and_the_last_one_to_nobody()
    {
        var (owner, guest, first, second) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await db.Arrange.GroupAsync(owner.Id, guest.Id, first.Id, second.Id);
        await Members.ChangeRoleAsync(chat, guest.Id, MemberRole.Guest);

        Assert.Equal(new LeaveResult(true, first.Id), await Members.LeaveAsync(chat, owner.Id));
        Assert.Equal(new LeaveResult(true, second.Id), await Members.LeaveAsync(chat, first.Id));
        Assert.Equal(new LeaveResult(true, guest.Id), await Members.LeaveAsync(chat, second.Id));
        Assert.Equal(new LeaveResult(true, null), await Members.LeaveAsync(chat, guest.Id));
        await db.AssertMemberCountAsync(chat, 0);
    }

    [Fact]
    public async Task Nobody_leaves_a_direct_chat()
    {
        var (a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var direct = await db.Chats.GetOrCreateDirectAsync(a.Id, b.Id);

        await Assert.ThrowsAsync<NotPermittedException>(() => Members.LeaveAsync(direct.Id, a.Id));

        await db.AssertMemberCountAsync(direct.Id, 2);
    }

    [Fact]
    public async Task Change_role_to_owner_makes_the_previous_owner_an_admin()
    {
        var (owner, a) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id);

        var promoted = await Members.ChangeRoleAsync(chat, a.Id, MemberRole.Owner);

        Assert.Equal(MemberRole.Owner, promoted!.Role);
        Assert.Equal(new Dictionary<Guid, string> { [owner.Id] = "admin", [a.Id] = "owner" }, await db.ActiveRolesAsync(chat));
    }

    [Fact]
    public async Task Change_role_changes_an_active_member_and_keeps_one_owner()
    {
        var (owner, a) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id);
        var direct = await db.Chats.GetOrCreateDirectAsync(owner.Id, a.Id);

        Assert.Equal(MemberRole.Guest, (await Members.ChangeRoleAsync(chat, a.Id, MemberRole.Guest))!.Role);
        Assert.Equal(MemberRole.Owner, (await Members.ChangeRoleAsync(chat, owner.Id, MemberRole.Owner))!.Role);
        await Assert.ThrowsAsync<NotPermittedException>(() => Members.ChangeRoleAsync(chat, owner.Id, MemberRole.Member));
        await Assert.ThrowsAsync<NotPermittedException>(() => Members.ChangeRoleAsync(direct.Id, a.Id, MemberRole.Admin));
        Assert.Null(await Members.ChangeRoleAsync(chat, Guid.CreateVersion7(), MemberRole.Admin));
        await Members.LeaveAsync(chat, a.Id);
        Assert.Null(await Members.ChangeRoleAsync(chat, a.Id, MemberRole.Admin));

        Assert.Equal(new Dictionary<Guid, string> { [owner.Id] = "owner" }, await db.ActiveRolesAsync(chat));
    }

    [Fact]
    public async Task List_active_pages_oldest_first_and_leaves_out_those_who_left()
    {
        var owner = await db.Arrange.UserAsync();
        var users = await db.Arrange.UsersAsync(6);
        var chat = await db.Arrange.GroupAsync(owner.Id, users.Select(u => u.Id).ToArray());
        await Members.LeaveAsync(chat, users[2].Id);

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await Members.ListActiveUncheckedAsync(chat, cursor, limit: 2);
            seen.AddRange(page.Items.Select(m => m.UserId));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(new[] { owner.Id, users[0].Id, users[1].Id, users[3].Id, users[4].Id, users[5].Id }, seen);
        Assert.Empty((await Members.ListActiveUncheckedAsync(Guid.CreateVersion7())).Items);
    }

    [Fact]
    public async Task Pin_mute_notification_level_and_hide_change_only_an_active_membership()
    {
        var (owner, a, stranger) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id);
        var until = DateTimeOffset.UtcNow.AddDays(1);

        Assert.True(await Members.SetPinnedAsync(chat, a.Id, true));
        var pinnedAt = (await Members.FindAsync(chat, a.Id))!.PinnedAt;
        Assert.True(await Members.SetPinnedAsync(chat, a.Id, true));
        Assert.True(await Members.MuteAsync(chat, a.Id, until));
        Assert.True(await Members.SetNotificationLevelAsync(chat, a.Id, NotificationLevel.Mentions));
        Assert.True(await Members.HideAsync(chat, a.Id));

        var member = (await Members.FindAsync(chat, a.Id))!;
        Assert.NotNull(pinnedAt);
        Assert.Equal(pinnedAt, member.PinnedAt);
        Assert.Equal(until.ToUnixTimeMilliseconds(), member.MutedUntil!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(NotificationLevel.Mentions, member.NotificationLevel);
        Assert.NotNull(member.HiddenAt);

        Assert.True(await Members.SetPinnedAsync(chat, a.Id, false));
        Assert.True(await Members.MuteAsync(chat, a.Id, null));
        member = (await Members.FindAsync(chat, a.Id))!;
        Assert.Null(member.PinnedAt);
        Assert.Null(member.MutedUntil);

        Assert.False(await Members.SetPinnedAsync(chat, stranger.Id, true));
        Assert.False(await Members.MuteAsync(chat, stranger.Id, until));
        Assert.False(await Members.SetNotificationLevelAsync(chat, stranger.Id, NotificationLevel.None));
        Assert.False(await Members.HideAsync(chat, stranger.Id));
        await Members.LeaveAsync(chat, a.Id);
        Assert.False(await Members.HideAsync(chat, a.Id));
        Assert.Null(await Members.FindAsync(chat, stranger.Id));
    }

    [Fact]
    public async Task Clear_history_hides_everything_so_far_counts_it_read_and_records_the_marks()
    {
        var (owner, a) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id);
        await db.Arrange.MessagesAsync(chat, owner.Id, 6);
        await db.ExecuteAsync("UPDATE chat.chat_members SET unread_mention_count = 3, last_read_seq = 2, last_delivered_seq = 4 WHERE chat_id = @chat AND user_id = @user", new { chat, user = a.Id });

        Assert.True(await Members.ClearHistoryAsync(chat, a.Id));

        var member = (await Members.FindAsync(chat, a.Id))!;
        Assert.Equal((6L, 6L, 6L, 0), (member.ClearedSeq, member.LastReadSeq, member.LastDeliveredSeq, member.UnreadMentionCount));
        Assert.NotNull(member.LastReadAt);
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.read_marks WHERE chat_id = @chat AND user_id = @user AND up_to_seq = 6", new { chat, user = a.Id }));

        // The sender has read everything already: only the delivery mark moves, and only it is recorded.
        var ownerBefore = (await Members.FindAsync(chat, owner.Id))!;
        Assert.True(await Members.ClearHistoryAsync(chat, owner.Id));
        var ownerAfter = (await Members.FindAsync(chat, owner.Id))!;
        Assert.NotNull(ownerAfter.LastDeliveredAt);
        Assert.Equal(ownerBefore with { ClearedSeq = 6, LastDeliveredSeq = 6, LastDeliveredAt = ownerAfter.LastDeliveredAt }, ownerAfter);
        Assert.Equal("delivered", await db.ScalarAsync<string>("SELECT string_agg(kind, ',') FROM chat.read_marks WHERE chat_id = @chat AND user_id = @user", new { chat, user = owner.Id }));
        Assert.False(await Members.ClearHistoryAsync(chat, Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Member_count_stays_exact_through_add_remove_leave_re_add_and_user_deletion()
    {
        var owner = await db.Arrange.UserAsync();
        var users = await db.Arrange.UsersAsync(5);
        var chat = await GroupAsync(owner.Id);

        await Members.AddManyAsync(chat, users.Select(u => u.Id).ToArray());
        await db.AssertMemberCountAsync(chat, 6);
        await Members.RemoveAsync(chat, users[0].Id, owner.Id);
        await Members.LeaveAsync(chat, users[1].Id);
        await db.AssertMemberCountAsync(chat, 4);
        await Members.AddManyAsync(chat, [users[0].Id, users[1].Id, users[2].Id]);
        await db.AssertMemberCountAsync(chat, 6);
        await Members.LeaveAsync(chat, owner.Id);
        await db.Users.DeleteAsync(users[3].Id);
        await db.AssertMemberCountAsync(chat, 4);
        Assert.Equal(4, (await db.Chats.FindByIdUncheckedAsync(chat))!.MemberCount);
    }

    [Fact]
    public async Task A_topic_owner_who_leaves_the_chat_leaves_the_topic_and_hands_it_over()
    {
        var (owner, a, b, c) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id, b.Id, c.Id);
        var topic = await db.Chats.CreateTopicAsync(new NewTopic { Name = "Launch", CreatedBy = a.Id, ParentChatId = chat, MemberIds = [b.Id, c.Id] });
        await Members.ChangeRoleAsync(topic.Id, c.Id, MemberRole.Admin);

        await Members.LeaveAsync(chat, a.Id);

        Assert.Equal(new Dictionary<Guid, string> { [b.Id] = "member", [c.Id] = "owner" }, await db.ActiveRolesAsync(topic.Id));
        await db.AssertMemberCountAsync(topic.Id, 2);
    }

    [Fact]
    public async Task A_topic_owner_removed_from_the_chat_leaves_the_topic_and_hands_it_over()
    {
        var (owner, a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id, b.Id);
        var topic = await db.Chats.CreateTopicAsync(new NewTopic { Name = "Launch", CreatedBy = a.Id, ParentChatId = chat, MemberIds = [b.Id] });

        Assert.True(await Members.RemoveAsync(chat, a.Id, removedBy: owner.Id));

        Assert.Equal(new Dictionary<Guid, string> { [b.Id] = "owner" }, await db.ActiveRolesAsync(topic.Id));
    }

    [Fact]
    public async Task A_chat_owner_who_leaves_hands_over_the_chat_and_each_topic_they_owned()
    {
        var (owner, a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        // b joins after a: the oldest member takes the chat (members who joined together go by user id).
        var chat = await GroupAsync(owner.Id, a.Id);
        await Members.AddAsync(chat, b.Id, MemberRole.Member);
        var mine = await db.Chats.CreateTopicAsync(new NewTopic { Name = "Mine", CreatedBy = owner.Id, ParentChatId = chat, MemberIds = [b.Id] });
        var theirs = await db.Chats.CreateTopicAsync(new NewTopic { Name = "Theirs", CreatedBy = b.Id, ParentChatId = chat, MemberIds = [owner.Id] });

        var left = await Members.LeaveAsync(chat, owner.Id);

        Assert.Equal(a.Id, left.NewOwnerId);
        Assert.Equal(new Dictionary<Guid, string> { [b.Id] = "owner" }, await db.ActiveRolesAsync(mine.Id));
        Assert.Equal(new Dictionary<Guid, string> { [b.Id] = "owner" }, await db.ActiveRolesAsync(theirs.Id));
    }
}
