using Chat.Data.Chats;
using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Chat.Data.Tests.Chats;

/// <summary>Creating, finding, updating and deleting chats: groups, direct chats and topics.</summary>
public sealed class ChatRepositoryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IChatRepository Chats => db.Chats;

    private async Task<ChatRoom> GroupAsync(Guid ownerId, params Guid[] memberIds) =>
        await Chats.CreateGroupAsync(new NewGroupChat { Name = "Team", CreatedBy = ownerId, MemberIds = memberIds });

    [Fact]
    public async Task Create_group_makes_the_creator_owner_and_the_others_members_in_one_round_trip()
    {
        var (owner, a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        ChatRoom chat;
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            chat = await Chats.CreateGroupAsync(new NewGroupChat { Name = "Jakarta team", CreatedBy = owner.Id, MemberIds = [a.Id, b.Id] });
            Assert.Equal(1, roundTrips.Count);
        }

        Assert.Equal(7, chat.Id.Version);
        Assert.Equal(ChatType.Group, chat.Type);
        Assert.Equal("Jakarta team", chat.Name);
        Assert.Equal(owner.Id, chat.CreatedBy);
        Assert.Null(chat.ParentChatId);
        Assert.Equal(0, chat.LastSeq);
        Assert.Equal(3, chat.MemberCount);
        Assert.InRange(chat.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(chat, await Chats.FindByIdUncheckedAsync(chat.Id));
        Assert.Equal(new Dictionary<Guid, string> { [owner.Id] = "owner", [a.Id] = "member", [b.Id] = "member" }, await db.ActiveRolesAsync(chat.Id));
        await db.AssertMemberCountAsync(chat.Id, 3);
    }

    [Fact]
    public async Task Create_group_ignores_the_creator_and_repeats_among_the_member_ids()
    {
        var (owner, a) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());

        var chat = await Chats.CreateGroupAsync(new NewGroupChat { Name = "Repeats", CreatedBy = owner.Id, MemberIds = [a.Id, owner.Id, a.Id] });

        Assert.Equal(2, chat.MemberCount);
        Assert.Equal(new Dictionary<Guid, string> { [owner.Id] = "owner", [a.Id] = "member" }, await db.ActiveRolesAsync(chat.Id));
    }

    [Fact]
    public async Task Create_group_keeps_every_setting()
    {
        var owner = await db.Arrange.UserAsync();
        var slug = $"team-{TestData.Next()}";

        var chat = await Chats.CreateGroupAsync(new NewGroupChat
        {
            Name = "Settings",
            CreatedBy = owner.Id,
            Slug = slug,
            Description = "About the team",
            Icon = "🚀",
            IsPrivate = true,
            Metadata = """{"color": "#ff5733"}""",
            EntityType = "order",
            EntityId = "ORD-1",
        });

        Assert.Equal((slug, "About the team", "🚀", true), (chat.Slug, chat.Description, chat.Icon, chat.IsPrivate));
        Assert.Equal("""{"color": "#ff5733"}""", chat.Metadata);
        Assert.Equal(("order", "ORD-1"), (chat.EntityType, chat.EntityId));
        Assert.Equal(chat, await Chats.FindBySlugAsync(slug));
    }

    [Fact]
    public async Task Create_group_with_a_taken_slug_is_a_duplicate_and_writes_nothing()
    {
        var owner = await db.Arrange.UserAsync();
        var slug = $"taken-{TestData.Next()}";
        await Chats.CreateGroupAsync(new NewGroupChat { Name = "First", CreatedBy = owner.Id, Slug = slug });

        var error = await Assert.ThrowsAsync<DuplicateException>(() =>
            Chats.CreateGroupAsync(new NewGroupChat { Name = "Second", CreatedBy = owner.Id, Slug = slug }));

        Assert.Equal("Slug", error.Field);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chats WHERE name = 'Second' AND created_by = @id", new { id = owner.Id }));
    }

    [Fact]
    public async Task Create_group_with_a_user_that_does_not_exist_writes_nothing()
    {
        var owner = await db.Arrange.UserAsync();
        var chatsBefore = await db.ScalarAsync<long>("SELECT count(*) FROM chat.chats");

        var missingMember = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => GroupAsync(owner.Id, Guid.CreateVersion7()));
        var missingCreator = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => GroupAsync(Guid.CreateVersion7(), owner.Id));

        Assert.Equal("UserId", missingMember.Field);
        Assert.Equal("CreatedBy", missingCreator.Field);
        Assert.Equal(chatsBefore, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chats"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chat_members WHERE user_id = @id", new { id = owner.Id }));
    }

    [Fact]
    public async Task Create_group_past_the_member_limit_is_refused_before_the_database()
    {
        var owner = await db.Arrange.UserAsync();
        var others = Enumerable.Range(0, 300).Select(_ => Guid.CreateVersion7()).ToArray();

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var error = await Assert.ThrowsAsync<MemberLimitException>(() => GroupAsync(owner.Id, others));

        Assert.Equal(300, error.Limit);
        Assert.Equal(0, roundTrips.Count);
    }

    [Fact]
    public async Task Create_group_may_fill_the_group_to_the_limit_exactly()
    {
        await using var services = db.WithMaxGroupMembers(3);
        var users = await db.Arrange.UsersAsync(4);

        var full = await services.Chats().CreateGroupAsync(new NewGroupChat { Name = "Full", CreatedBy = users[0].Id, MemberIds = [users[1].Id, users[2].Id] });
        var error = await Assert.ThrowsAsync<MemberLimitException>(() =>
            services.Chats().CreateGroupAsync(new NewGroupChat { Name = "Over", CreatedBy = users[0].Id, MemberIds = [users[1].Id, users[2].Id, users[3].Id] }));

        Assert.Equal(3, full.MemberCount);
        Assert.Equal(3, error.Limit);
    }

    [Fact]
    public async Task Get_or_create_direct_creates_one_chat_for_the_pair_with_both_as_members()
    {
        var (a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());

        var chat = await Chats.GetOrCreateDirectAsync(a.Id, b.Id);
        var again = await Chats.GetOrCreateDirectAsync(b.Id, a.Id);

        Assert.Equal(ChatType.Direct, chat.Type);
        Assert.Null(chat.Name);
        Assert.Equal(a.Id, chat.CreatedBy);
        Assert.Equal(2, chat.MemberCount);
        Assert.Equal(chat, again);
        Assert.Equal(chat, await Chats.FindDirectAsync(a.Id, b.Id));
        Assert.Equal(chat, await Chats.FindDirectAsync(b.Id, a.Id));
        Assert.Equal(new Dictionary<Guid, string> { [a.Id] = "member", [b.Id] = "member" }, await db.ActiveRolesAsync(chat.Id));
        await db.AssertMemberCountAsync(chat.Id, 2);
    }

    [Fact]
    public async Task Find_direct_returns_null_when_the_pair_has_no_chat()
    {
        var (a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());

        Assert.Null(await Chats.FindDirectAsync(a.Id, b.Id));
    }

    [Fact]
    public async Task Get_or_create_direct_with_a_user_that_does_not_exist_writes_nothing()
    {
        var a = await db.Arrange.UserAsync();
        var ghost = Guid.CreateVersion7();

        await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Chats.GetOrCreateDirectAsync(a.Id, ghost));
        await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Chats.GetOrCreateDirectAsync(ghost, a.Id));

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chat_members WHERE user_id = @id", new { id = a.Id }));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chats WHERE direct_key LIKE '%' || @id || '%'", new { id = a.Id.ToString() }));
    }

    [Fact]
    public async Task Get_or_create_restores_the_pairs_soft_deleted_direct_chat_with_its_history()
    {
        var (a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await Chats.GetOrCreateDirectAsync(a.Id, b.Id);
        var hello = await db.Messages.SendAsync(new NewMessage { ChatId = chat.Id, SenderId = a.Id, Content = "hello" });
        await Chats.SoftDeleteAsync(chat.Id);
        Assert.Null(await Chats.FindDirectAsync(a.Id, b.Id));

        var again = await Chats.GetOrCreateDirectAsync(b.Id, a.Id);

        Assert.Equal(chat.Id, again.Id);
        Assert.Null(again.DeletedAt);
        Assert.Equal(chat.Id, (await Chats.FindDirectAsync(a.Id, b.Id))?.Id);
        var history = await db.Messages.GetHistoryAsync(chat.Id, b.Id, HistoryAnchor.Latest);
        Assert.Equal([hello.Id], history.Messages.Select(m => m.Id));
    }

    [Fact]
    public async Task A_soft_deleted_direct_chat_stays_deleted_when_a_new_one_would_be_refused()
    {
        var (a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await Chats.GetOrCreateDirectAsync(a.Id, b.Id);
        await Chats.SoftDeleteAsync(chat.Id);
        await db.Blocks.BlockAsync(b.Id, a.Id);

        await Assert.ThrowsAsync<BlockedException>(() => Chats.GetOrCreateDirectAsync(a.Id, b.Id));

        Assert.Null(await Chats.FindDirectAsync(a.Id, b.Id));
    }

    [Fact]
    public async Task A_second_direct_chat_for_a_pair_is_impossible_even_for_writers_that_bypass_the_library()
    {
        var (a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await Chats.GetOrCreateDirectAsync(a.Id, b.Id);
        await using var connection = await db.OpenAsync();

        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "INSERT INTO chat.chats (id, type, direct_key) VALUES (gen_random_uuid(), 'direct', least(@a, @b)::text || ':' || greatest(@a, @b)::text)",
            new { a = a.Id, b = b.Id }));
        var thirdUser = await db.Arrange.UserAsync();
        var stranger = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "INSERT INTO chat.chat_members (chat_id, user_id) VALUES (@chatId, @userId)", new { chatId = chat.Id, userId = thirdUser.Id }));

        Assert.Equal("chats_direct_key_key", duplicate.ConstraintName);
        Assert.Equal("chat_members_user_id_check", stranger.ConstraintName);
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chats WHERE direct_key LIKE '%' || @id || '%'", new { id = a.Id.ToString() }));
    }

    [Fact]
    public async Task Create_topic_inside_a_group_with_parent_members()
    {
        var (owner, a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var group = await GroupAsync(owner.Id, a.Id, b.Id);

        var topic = await Chats.CreateTopicAsync(new NewTopic { Name = "Launch", CreatedBy = a.Id, ParentChatId = group.Id, MemberIds = [b.Id], Icon = "💬" });

        Assert.Equal(ChatType.Topic, topic.Type);
        Assert.Equal(group.Id, topic.ParentChatId);
        Assert.Equal(("Launch", "💬", a.Id), (topic.Name, topic.Icon, topic.CreatedBy));
        Assert.Equal(2, topic.MemberCount);
        Assert.Equal(new Dictionary<Guid, string> { [a.Id] = "owner", [b.Id] = "member" }, await db.ActiveRolesAsync(topic.Id));
        Assert.Equal(new[] { topic }, await Chats.ListTopicsAsync(group.Id));
        await db.AssertMemberCountAsync(topic.Id, 2);
    }

    [Fact]
    public async Task Create_topic_inside_a_direct_chat()
    {
        var (a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var direct = await Chats.GetOrCreateDirectAsync(a.Id, b.Id);

        var topic = await Chats.CreateTopicAsync(new NewTopic { Name = "Trip plans", CreatedBy = b.Id, ParentChatId = direct.Id, MemberIds = [a.Id] });

        Assert.Equal(direct.Id, topic.ParentChatId);
        Assert.Equal(new Dictionary<Guid, string> { [b.Id] = "owner", [a.Id] = "member" }, await db.ActiveRolesAsync(topic.Id));
    }

    [Fact]
    public async Task Create_topic_with_a_member_who_is_not_in_the_parent_names_them_and_writes_nothing()
    {
        var (owner, outsider) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var group = await GroupAsync(owner.Id);

        var error = await Assert.ThrowsAsync<NotAMemberException>(() =>
            Chats.CreateTopicAsync(new NewTopic { Name = "Secret", CreatedBy = owner.Id, ParentChatId = group.Id, MemberIds = [outsider.Id] }));

        Assert.Equal((group.Id, outsider.Id), (error.ChatId, error.UserId));
        Assert.Empty(await Chats.ListTopicsAsync(group.Id));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chats WHERE parent_chat_id = @id", new { id = group.Id }));
    }

    [Fact]
    public async Task Create_topic_by_someone_who_is_not_an_active_member_of_the_parent_is_refused()
    {
        var (owner, leaver) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var group = await GroupAsync(owner.Id, leaver.Id);
        await db.Members.LeaveAsync(group.Id, leaver.Id);

        var error = await Assert.ThrowsAsync<NotAMemberException>(() =>
            Chats.CreateTopicAsync(new NewTopic { Name = "Late", CreatedBy = leaver.Id, ParentChatId = group.Id }));

        Assert.Equal((group.Id, leaver.Id), (error.ChatId, error.UserId));
        Assert.Empty(await Chats.ListTopicsAsync(group.Id));
    }

    [Fact]
    public async Task Create_topic_needs_a_parent_that_exists_is_not_deleted_and_is_not_a_topic()
    {
        var owner = await db.Arrange.UserAsync();
        var group = await GroupAsync(owner.Id);
        var topic = await Chats.CreateTopicAsync(new NewTopic { Name = "Level 1", CreatedBy = owner.Id, ParentChatId = group.Id });
        var deleted = await GroupAsync(owner.Id);
        await Chats.SoftDeleteAsync(deleted.Id);

        foreach (var parent in new[] { Guid.CreateVersion7(), topic.Id, deleted.Id })
        {
            var error = await Assert.ThrowsAsync<ReferenceNotFoundException>(() =>
                Chats.CreateTopicAsync(new NewTopic { Name = "Orphan", CreatedBy = owner.Id, ParentChatId = parent }));
            Assert.Equal("ParentChatId", error.Field);
        }
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chats WHERE name = 'Orphan' AND created_by = @id", new { id = owner.Id }));
    }

    [Fact]
    public async Task Topics_linked_to_a_business_object_are_listed_by_it_oldest_first()
    {
        var owner = await db.Arrange.UserAsync();
        var entityId = $"ORD-{TestData.Next()}";

        var first = await Chats.CreateTopicAsync(new NewTopic { Name = "Order chat", CreatedBy = owner.Id, EntityType = "order", EntityId = entityId });
        var group = await Chats.CreateGroupAsync(new NewGroupChat { Name = "Order group", CreatedBy = owner.Id, EntityType = "order", EntityId = entityId });
        await Chats.CreateTopicAsync(new NewTopic { Name = "Other", CreatedBy = owner.Id, EntityType = "invoice", EntityId = entityId });

        Assert.Null(first.ParentChatId);
        Assert.Equal(1, first.MemberCount);
        Assert.Equal(new[] { first, group }, await Chats.ListByEntityAsync("order", entityId));
        Assert.Empty(await Chats.ListByEntityAsync("order", "nothing-" + TestData.Next()));
    }

    [Fact]
    public async Task The_database_keeps_topic_members_inside_the_parent_for_writers_that_bypass_the_library()
    {
        var (owner, outsider) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var group = await GroupAsync(owner.Id);
        var topic = await Chats.CreateTopicAsync(new NewTopic { Name = "Guarded", CreatedBy = owner.Id, ParentChatId = group.Id });
        await using var connection = await db.OpenAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "INSERT INTO chat.chat_members (chat_id, user_id) VALUES (@chatId, @userId)", new { chatId = topic.Id, userId = outsider.Id }));

        Assert.Equal("CD001", error.SqlState);
        Assert.IsType<NotAMemberException>(PostgresErrors.Translate(error));
    }

    [Fact]
    public async Task Find_by_id_and_slug_return_null_for_absent_and_soft_deleted_chats()
    {
        var owner = await db.Arrange.UserAsync();
        var slug = $"gone-{TestData.Next()}";
        var chat = await Chats.CreateGroupAsync(new NewGroupChat { Name = "Gone", CreatedBy = owner.Id, Slug = slug });

        Assert.Null(await Chats.FindByIdUncheckedAsync(Guid.CreateVersion7()));
        Assert.Null(await Chats.FindBySlugAsync("never-" + TestData.Next()));
        Assert.True(await Chats.SoftDeleteAsync(chat.Id));
        Assert.Null(await Chats.FindByIdUncheckedAsync(chat.Id));
        Assert.Null(await Chats.FindBySlugAsync(slug));
    }

    [Fact]
    public async Task Update_changes_only_the_given_settings()
    {
        var owner = await db.Arrange.UserAsync();
        var chat = await Chats.CreateGroupAsync(new NewGroupChat { Name = "Old", CreatedBy = owner.Id, Description = "keep", Icon = "🐱", Metadata = """{"a": 1}""" });

        var updated = await Chats.UpdateAsync(chat.Id, new ChatUpdate { Name = "New", IsPrivate = true });

        Assert.NotNull(updated);
        Assert.Equal(chat with { Name = "New", IsPrivate = true, UpdatedAt = updated.UpdatedAt }, updated);
        Assert.True(updated.UpdatedAt >= chat.UpdatedAt);
        Assert.Equal(updated, await Chats.FindByIdUncheckedAsync(chat.Id));
    }

    [Fact]
    public async Task Update_with_empty_text_clears_slug_description_and_icon_and_sets_metadata()
    {
        var owner = await db.Arrange.UserAsync();
        var chat = await Chats.CreateGroupAsync(new NewGroupChat { Name = "Clear", CreatedBy = owner.Id, Slug = $"clear-{TestData.Next()}", Description = "d", Icon = "i" });

        var updated = await Chats.UpdateAsync(chat.Id, new ChatUpdate { Slug = "", Description = "", Icon = "", Metadata = """{"b": 2}""" });

        Assert.Equal((null, null, null, """{"b": 2}""", "Clear"), (updated!.Slug, updated.Description, updated.Icon, updated.Metadata, updated.Name));
    }

    [Fact]
    public async Task Update_to_a_taken_slug_is_a_duplicate_and_changes_nothing()
    {
        var owner = await db.Arrange.UserAsync();
        var slug = $"mine-{TestData.Next()}";
        await Chats.CreateGroupAsync(new NewGroupChat { Name = "Holder", CreatedBy = owner.Id, Slug = slug });
        var other = await GroupAsync(owner.Id);

        var error = await Assert.ThrowsAsync<DuplicateException>(() => Chats.UpdateAsync(other.Id, new ChatUpdate { Slug = slug, Name = "Renamed" }));

        Assert.Equal("Slug", error.Field);
        Assert.Equal(other, await Chats.FindByIdUncheckedAsync(other.Id));
    }

    [Fact]
    public async Task Update_cannot_name_a_direct_chat_but_can_change_its_other_settings()
    {
        var (a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var direct = await Chats.GetOrCreateDirectAsync(a.Id, b.Id);

        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => Chats.UpdateAsync(direct.Id, new ChatUpdate { Name = "Us", Icon = "x" }));
        var updated = await Chats.UpdateAsync(direct.Id, new ChatUpdate { Icon = "💑" });

        Assert.Equal("Name", error.Field);
        Assert.Equal(direct with { Icon = "💑", UpdatedAt = updated!.UpdatedAt }, updated);
    }

    [Fact]
    public async Task Update_with_nothing_to_change_returns_the_chat_untouched_and_null_for_an_absent_one()
    {
        var owner = await db.Arrange.UserAsync();
        var chat = await GroupAsync(owner.Id);

        Assert.Equal(chat, await Chats.UpdateAsync(chat.Id, new ChatUpdate()));
        Assert.Null(await Chats.UpdateAsync(Guid.CreateVersion7(), new ChatUpdate { Name = "Nobody" }));
        Assert.Null(await Chats.UpdateAsync(Guid.CreateVersion7(), new ChatUpdate()));
    }

    [Fact]
    public async Task Archive_is_idempotent_and_unarchive_clears_it()
    {
        var owner = await db.Arrange.UserAsync();
        var chat = await GroupAsync(owner.Id);

        Assert.True(await Chats.ArchiveAsync(chat.Id));
        var archivedAt = (await Chats.FindByIdUncheckedAsync(chat.Id))!.ArchivedAt;
        Assert.True(await Chats.ArchiveAsync(chat.Id));
        Assert.NotNull(archivedAt);
        Assert.Equal(archivedAt, (await Chats.FindByIdUncheckedAsync(chat.Id))!.ArchivedAt);

        Assert.True(await Chats.UnarchiveAsync(chat.Id));
        Assert.Null((await Chats.FindByIdUncheckedAsync(chat.Id))!.ArchivedAt);
        Assert.False(await Chats.ArchiveAsync(Guid.CreateVersion7()));
        Assert.False(await Chats.UnarchiveAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Soft_delete_hides_the_chat_and_its_topics_but_keeps_the_rows()
    {
        var owner = await db.Arrange.UserAsync();
        var chat = await GroupAsync(owner.Id);
        var topic = await Chats.CreateTopicAsync(new NewTopic { Name = "Inside", CreatedBy = owner.Id, ParentChatId = chat.Id });
        await db.Arrange.MessagesAsync(chat.Id, owner.Id, 2);

        Assert.True(await Chats.SoftDeleteAsync(chat.Id));

        Assert.Null(await Chats.FindByIdUncheckedAsync(chat.Id));
        Assert.Null(await Chats.FindByIdUncheckedAsync(topic.Id));
        Assert.Empty(await Chats.ListTopicsAsync(chat.Id));
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chats WHERE id IN (@a, @b) AND deleted_at IS NOT NULL", new { a = chat.Id, b = topic.Id }));
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.messages WHERE chat_id = @id", new { id = chat.Id }));
        Assert.False(await Chats.SoftDeleteAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Delete_cascades_to_members_messages_topics_and_their_messages()
    {
        var (owner, a) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id);
        var topic = await Chats.CreateTopicAsync(new NewTopic { Name = "Inside", CreatedBy = owner.Id, ParentChatId = chat.Id, MemberIds = [a.Id] });
        await db.Arrange.MessagesAsync(chat.Id, owner.Id, 3);
        await db.Arrange.MessagesAsync(topic.Id, a.Id, 4);
        await db.ExecuteAsync("INSERT INTO chat.read_marks (chat_id, user_id, kind, up_to_seq) VALUES (@chatId, @userId, 'read', 3)", new { chatId = chat.Id, userId = a.Id });
        var ids = new { ids = new[] { chat.Id, topic.Id } };
        Assert.Equal(7L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.messages WHERE chat_id = ANY(@ids)", ids));

        Assert.True(await Chats.DeleteAsync(chat.Id));

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chats WHERE id = ANY(@ids)", ids));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chat_members WHERE chat_id = ANY(@ids)", ids));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.messages WHERE chat_id = ANY(@ids)", ids));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.read_marks WHERE chat_id = ANY(@ids)", ids));
        Assert.NotNull(await db.Users.FindByIdAsync(a.Id));
        Assert.False(await Chats.DeleteAsync(chat.Id));
    }

    [Fact]
    public async Task Deleting_a_topic_deletes_its_messages_and_leaves_the_parent_alone()
    {
        var owner = await db.Arrange.UserAsync();
        var chat = await GroupAsync(owner.Id);
        var topic = await Chats.CreateTopicAsync(new NewTopic { Name = "Short-lived", CreatedBy = owner.Id, ParentChatId = chat.Id });
        await db.Arrange.MessagesAsync(chat.Id, owner.Id, 1);
        await db.Arrange.MessagesAsync(topic.Id, owner.Id, 2);

        Assert.True(await Chats.DeleteAsync(topic.Id));

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.messages WHERE chat_id = @id", new { id = topic.Id }));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.messages WHERE chat_id = @id", new { id = chat.Id }));
        Assert.NotNull(await Chats.FindByIdUncheckedAsync(chat.Id));
    }

    [Fact]
    public async Task Deleting_a_user_keeps_their_chats_and_counts_them_out()
    {
        var (owner, a) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await GroupAsync(owner.Id, a.Id);

        await db.Users.DeleteAsync(owner.Id);

        Assert.Null((await Chats.FindByIdUncheckedAsync(chat.Id))!.CreatedBy);
        await db.AssertMemberCountAsync(chat.Id, 1);
    }
}
