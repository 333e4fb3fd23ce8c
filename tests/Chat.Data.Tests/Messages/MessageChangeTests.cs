using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.Messages;

/// <summary>Edit, delete for everyone, hide for me, and what deleting the chat takes with it.</summary>
public sealed class MessageChangeTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IMessageRepository Messages => db.Messages;

    [Fact]
    public async Task Edit_by_the_sender_changes_the_content_and_keeps_the_old_versions_oldest_first()
    {
        var scene = await MessageScene.CreateAsync(db);
        var original = await Messages.SendAsync(new NewMessage
        {
            ChatId = scene.ChatId, SenderId = scene.Member, Content = "helo", Metadata = """{"v": 0}""", Mentions = [scene.OwnerId],
        });

        var first = await Messages.EditAsync(original.Id, scene.Member, "hello");
        var second = await Messages.EditAsync(original.Id, scene.Member, "hello!", """{"v": 2}""");

        Assert.NotNull(first);
        Assert.Equal("hello", first.Content);
        Assert.Equal("""{"v": 0}""", first.Metadata);
        Assert.NotNull(first.EditedAt);
        MessageAssert.Same(original with { Content = "hello!", Metadata = """{"v": 2}""", EditedAt = second!.EditedAt }, second);
        Assert.True(second.EditedAt >= first.EditedAt);
        var edits = await Messages.ListEditsUncheckedAsync(original.Id);
        Assert.Equal(
            new[] { (1, "helo", """{"v": 0}"""), (2, "hello", """{"v": 0}""") },
            edits.Select(e => (e.Version, e.Content!, e.Metadata!)));
        Assert.All(edits, e => Assert.Equal(original.Id, e.MessageId));
        Assert.True(edits[0].ReplacedAt <= edits[1].ReplacedAt);
    }

    [Fact]
    public async Task Edit_is_one_round_trip()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member, "before");

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        await Messages.EditAsync(message.Id, scene.Member, "after");

        Assert.Equal(1, roundTrips.Count);
    }

    [Fact]
    public async Task Edit_of_a_message_that_does_not_exist_returns_null()
    {
        var user = await db.Arrange.UserAsync();

        Assert.Null(await Messages.EditAsync(Guid.CreateVersion7(), user.Id, "x"));
    }

    [Fact]
    public async Task Only_the_sender_can_edit_and_a_refused_edit_writes_nothing()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member, "mine");

        var stranger = await scene.StrangerAsync();

        await Assert.ThrowsAsync<NotPermittedException>(() => Messages.EditAsync(message.Id, scene.OwnerId, "owner's words"));
        await Assert.ThrowsAsync<NotPermittedException>(() => Messages.EditAsync(message.Id, stranger, "stranger's words"));

        MessageAssert.Same(message, await Messages.FindByIdUncheckedAsync(message.Id));
        Assert.Empty(await Messages.ListEditsUncheckedAsync(message.Id));
    }

    [Fact]
    public async Task A_message_deleted_for_everyone_or_a_system_message_cannot_be_edited()
    {
        var scene = await MessageScene.CreateAsync(db);
        var deleted = await scene.SendAsync(scene.Member, "gone");
        await Messages.DeleteForEveryoneAsync(deleted.Id, scene.Member);
        var notice = await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, Type = MessageType.System, Content = "renamed" });

        await Assert.ThrowsAsync<NotPermittedException>(() => Messages.EditAsync(deleted.Id, scene.Member, "back"));
        await Assert.ThrowsAsync<NotPermittedException>(() => Messages.EditAsync(notice.Id, scene.OwnerId, "edited notice"));

        Assert.Null((await Messages.FindByIdUncheckedAsync(deleted.Id))!.Content);
        Assert.Empty(await Messages.ListEditsUncheckedAsync(deleted.Id));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\r\n")]
    public async Task A_text_message_cannot_be_edited_to_blank_but_a_caption_can(string blank)
    {
        var scene = await MessageScene.CreateAsync(db);
        var text = await scene.SendAsync(scene.Member, "words");
        var image = await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Type = MessageType.Image, Content = "caption" });

        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => Messages.EditAsync(text.Id, scene.Member, blank));
        var uncaptioned = await Messages.EditAsync(image.Id, scene.Member, blank);

        Assert.Equal("content", error.Field);
        Assert.Equal("words", (await Messages.FindByIdUncheckedAsync(text.Id))!.Content);
        Assert.Empty(await Messages.ListEditsUncheckedAsync(text.Id));
        Assert.Equal(blank, uncaptioned!.Content);
    }

    [Fact]
    public async Task Delete_for_everyone_wipes_the_message_and_hands_back_its_attachments_storage_keys()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await Messages.SendAsync(new NewMessage
        {
            ChatId = scene.ChatId, SenderId = scene.Member, Type = MessageType.Image, Content = "look", Metadata = """{"w": 1}""", Mentions = [scene.OwnerId],
        });
        var other = await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Type = MessageType.File, Content = "the file" });
        await scene.ExecuteAsync("""
            INSERT INTO chat.message_attachments (id, message_id, chat_id, kind, storage_key, thumbnail_key, url) VALUES
                (gen_random_uuid(), @id, @ChatId, 'image', 'img/1.jpg', 'thumb/1.jpg', NULL),
                (gen_random_uuid(), @id, @ChatId, 'image', 'img/2.jpg', NULL, NULL),
                (gen_random_uuid(), @id, @ChatId, 'file', NULL, NULL, 'https://cdn.example/x.pdf'),
                (gen_random_uuid(), @otherId, @ChatId, 'file', 'files/keep.pdf', NULL, NULL)
            """, new { id = message.Id, otherId = other.Id });

        var deleted = await Messages.DeleteForEveryoneAsync(message.Id, scene.Member);

        Assert.NotNull(deleted);
        Assert.Equal(new[] { "img/1.jpg", "img/2.jpg", "thumb/1.jpg" }, deleted.StorageKeys.Order());
        var wiped = deleted.Message;
        Assert.Null(wiped.Content);
        Assert.Null(wiped.Metadata);
        Assert.Empty(wiped.Mentions);
        Assert.NotNull(wiped.DeletedAt);
        Assert.Equal(scene.Member, wiped.DeletedBy);
        Assert.Equal((message.Id, message.Seq, MessageType.Image), (wiped.Id, wiped.Seq, wiped.Type));
        MessageAssert.Same(wiped, await Messages.FindByIdUncheckedAsync(message.Id));
        await using var connection = await db.OpenAsync();
        Assert.Equal(new[] { "files/keep.pdf" }, await connection.QueryAsync<string>(
            "SELECT coalesce(storage_key, url) FROM chat.message_attachments WHERE chat_id = @ChatId", new { scene.ChatId }));
        Assert.Equal(1, (await scene.ChatAsync()).MessageCount);
    }

    [Fact]
    public async Task Deleting_for_everyone_twice_returns_the_message_again_with_no_keys_and_counts_once()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member, "oops");
        var first = await Messages.DeleteForEveryoneAsync(message.Id, scene.Member);

        var again = await Messages.DeleteForEveryoneAsync(message.Id, scene.OwnerId);

        MessageAssert.Same(first!.Message, again!.Message);
        Assert.Empty(again.StorageKeys);
        Assert.Equal(0, (await scene.ChatAsync()).MessageCount);
    }

    [Fact]
    public async Task Delete_for_everyone_is_one_round_trip()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member, "oops");

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        await Messages.DeleteForEveryoneAsync(message.Id, scene.Member);

        Assert.Equal(1, roundTrips.Count);
    }

    [Theory]
    [InlineData("owner")]
    [InlineData("admin")]
    public async Task An_owner_or_admin_can_delete_anyones_message_for_everyone(string role)
    {
        var scene = await MessageScene.CreateAsync(db);
        var moderator = await scene.StrangerAsync();
        await scene.AddMemberAsync(moderator, role);
        var message = await scene.SendAsync(scene.Member, "spam");

        var deleted = await Messages.DeleteForEveryoneAsync(message.Id, moderator);

        Assert.Equal(moderator, deleted!.Message.DeletedBy);
    }

    [Fact]
    public async Task A_plain_member_an_admin_who_left_and_a_stranger_cannot_delete_others_messages()
    {
        var scene = await MessageScene.CreateAsync(db, members: 3);
        var formerAdmin = scene.MemberIds[2];
        await scene.ExecuteAsync("UPDATE chat.chat_members SET role = 'admin', left_at = now() WHERE chat_id = @ChatId AND user_id = @formerAdmin", new { formerAdmin });
        var message = await scene.SendAsync(scene.Member, "mine");

        foreach (var user in new[] { scene.MemberIds[1], formerAdmin, await scene.StrangerAsync() })
            await Assert.ThrowsAsync<NotPermittedException>(() => Messages.DeleteForEveryoneAsync(message.Id, user));

        MessageAssert.Same(message, await Messages.FindByIdUncheckedAsync(message.Id));
        Assert.Equal(1, (await scene.ChatAsync()).MessageCount);
    }

    [Fact]
    public async Task Delete_for_everyone_of_a_message_that_does_not_exist_returns_null()
    {
        var user = await db.Arrange.UserAsync();

        Assert.Null(await Messages.DeleteForEveryoneAsync(Guid.CreateVersion7(), user.Id));
    }

    [Fact]
    public async Task Hide_for_me_hides_the_message_from_that_member_only_and_twice_is_harmless()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId, "hide me");

        Assert.True(await Messages.HideForMeAsync(message.Id, scene.Member));
        Assert.True(await Messages.HideForMeAsync(message.Id, scene.Member));

        Assert.Empty((await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Latest)).Messages);
        Assert.Single((await Messages.GetHistoryAsync(scene.ChatId, scene.OwnerId, HistoryAnchor.Latest)).Messages);
        await using var connection = await db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM chat.message_hides WHERE message_id = @Id", new { message.Id }));
    }

    [Fact]
    public async Task Hide_for_me_is_false_for_a_missing_message_and_refused_to_a_non_member()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId, "x");
        var stranger = await scene.StrangerAsync();

        Assert.False(await Messages.HideForMeAsync(Guid.CreateVersion7(), scene.Member));
        var error = await Assert.ThrowsAsync<NotAMemberException>(() => Messages.HideForMeAsync(message.Id, stranger));

        Assert.Equal((scene.ChatId, stranger), (error.ChatId, error.UserId));
        await using var connection = await db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM chat.message_hides WHERE message_id = @Id", new { message.Id }));
    }

    // The schema's foreign keys cascade: a plain DELETE of the chat row, not the library, removes the rest.
    [Fact]
    public async Task Hard_deleting_the_chat_cascades_to_its_members_messages_edits_hides_and_attachments()
    {
        var scene = await MessageScene.CreateAsync(db);
        var root = await scene.SendAsync(scene.Member, "root");
        await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.OwnerId, Content = "re", ReplyToId = root.Id, ThreadRootId = root.Id });
        await Messages.EditAsync(root.Id, scene.Member, "root, edited");
        await Messages.HideForMeAsync(root.Id, scene.OwnerId);
        await scene.ExecuteAsync(
            "INSERT INTO chat.message_attachments (id, message_id, chat_id, kind, storage_key) VALUES (gen_random_uuid(), @id, @ChatId, 'image', 'k')",
            new { id = root.Id });

        await scene.ExecuteAsync("DELETE FROM chat.chats WHERE id = @ChatId");

        await using var connection = await db.OpenAsync();
        var left = await connection.QuerySingleAsync<(long, long, long, long, long)>("""
            SELECT (SELECT count(*) FROM chat.chat_members WHERE chat_id = @ChatId),
                   (SELECT count(*) FROM chat.messages WHERE chat_id = @ChatId),
                   (SELECT count(*) FROM chat.message_edits WHERE message_id = @rootId),
                   (SELECT count(*) FROM chat.message_hides WHERE message_id = @rootId),
                   (SELECT count(*) FROM chat.message_attachments WHERE chat_id = @ChatId)
            """, new { scene.ChatId, rootId = root.Id });
        Assert.Equal((0L, 0L, 0L, 0L, 0L), left);
        Assert.Null(await Messages.FindByIdUncheckedAsync(root.Id));
    }

    // Delete for everyone is a soft delete: the seq stays taken, the text and its search terms go.
    [Fact]
    public async Task Soft_deleting_a_message_keeps_its_row_and_place_but_nothing_of_its_content()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member, "secret plan");

        await Messages.DeleteForEveryoneAsync(message.Id, scene.Member);

        await using var connection = await db.OpenAsync();
        var row = await connection.QuerySingleAsync<(long, string?, bool, string)>(
            "SELECT seq, content, deleted_at IS NOT NULL, search_vector::text FROM chat.messages WHERE id = @Id", new { message.Id });
        Assert.Equal((1L, (string?)null, true, ""), row);
        Assert.Empty(await Messages.SearchAsync(scene.OwnerId, "secret"));
    }
}
