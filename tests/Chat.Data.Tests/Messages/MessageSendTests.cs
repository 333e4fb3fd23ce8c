using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.Messages;

public sealed class MessageSendTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IMessageRepository Messages => db.Messages;

    [Fact]
    public async Task Send_stores_a_text_message_with_the_next_seq_and_returns_it()
    {
        var scene = await MessageScene.CreateAsync(db);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var message = await Messages.SendAsync(new NewMessage
        {
            ChatId = scene.ChatId,
            SenderId = scene.Member,
            ClientMessageId = "c-1",
            Content = "Halo semua 👋",
            Metadata = """{"formatting": {"bold": [[0, 4]]}}""",
            Flagged = true,
        });

        Assert.Equal(7, message.Id.Version);
        Assert.Equal(scene.ChatId, message.ChatId);
        Assert.Equal(1, message.Seq);
        Assert.Equal(scene.Member, message.SenderId);
        Assert.Equal("c-1", message.ClientMessageId);
        Assert.Equal(MessageType.Text, message.Type);
        Assert.Equal("Halo semua 👋", message.Content);
        Assert.Equal("""{"formatting": {"bold": [[0, 4]]}}""", message.Metadata);
        Assert.Null(message.ReplyToId);
        Assert.Null(message.ThreadRootId);
        Assert.Equal(0, message.ReplyCount);
        Assert.Empty(message.Mentions);
        Assert.Null(message.EditedAt);
        Assert.Null(message.DeletedAt);
        Assert.True(message.Flagged);
        Assert.InRange(message.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(TimeSpan.Zero, message.CreatedAt.Offset);
        MessageAssert.Same(message, await Messages.FindByIdUncheckedAsync(message.Id));
    }

    [Fact]
    public async Task Send_numbers_the_chats_messages_1_2_3_and_keeps_the_chats_last_message_and_count()
    {
        var scene = await MessageScene.CreateAsync(db);
        await scene.ExecuteAsync("UPDATE chat.chats SET archived_at = now() WHERE id = @ChatId");

        var sent = await scene.SendManyAsync(scene.Member, 3);

        Assert.Equal(new long[] { 1, 2, 3 }, sent.Select(m => m.Seq));
        var chat = await scene.ChatAsync();
        Assert.Equal(3, chat.LastSeq);
        Assert.Equal(3, chat.MessageCount);
        Assert.Equal(sent[2].Id, chat.LastMessageId);
        Assert.Equal(sent[2].CreatedAt, chat.LastMessageAt);
        Assert.Null(chat.ArchivedAt);
        Assert.True(sent[0].CreatedAt <= sent[1].CreatedAt && sent[1].CreatedAt <= sent[2].CreatedAt);
    }

    [Fact]
    public async Task Send_advances_the_senders_read_and_delivered_marks_only()
    {
        var scene = await MessageScene.CreateAsync(db);
        await scene.SendManyAsync(scene.OwnerId, 2);

        var message = await scene.SendAsync(scene.Member);

        Assert.Equal(3, message.Seq);
        Assert.Equal(new MemberRow(3, 3, 0), await scene.MemberAsync(scene.Member));
        Assert.Equal(new MemberRow(2, 2, 0), await scene.MemberAsync(scene.OwnerId));
        Assert.Equal(new MemberRow(0, 0, 0), await scene.MemberAsync(scene.MemberIds[1]));
    }

    [Fact]
    public async Task Send_is_one_round_trip()
    {
        var scene = await MessageScene.CreateAsync(db);
        var root = await scene.SendAsync(scene.OwnerId, "root");
        await Messages.FindByIdUncheckedAsync(root.Id); // warm the pool: opening a connection is not the round trip counted

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        await Messages.SendAsync(new NewMessage
        {
            ChatId = scene.ChatId,
            SenderId = scene.Member,
            ClientMessageId = "one-trip",
            Content = "reply in a thread, mentioning the owner",
            ReplyToId = root.Id,
            ThreadRootId = root.Id,
            Mentions = [scene.OwnerId],
        });

        Assert.Equal(1, roundTrips.Count);
    }

    [Fact]
    public async Task Send_a_reply_links_the_quoted_message()
    {
        var scene = await MessageScene.CreateAsync(db);
        var original = await scene.SendAsync(scene.OwnerId, "lunch?");

        var reply = await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = "yes", ReplyToId = original.Id });

        Assert.Equal(original.Id, reply.ReplyToId);
        Assert.Null(reply.ThreadRootId);
        Assert.Equal(0, (await Messages.FindByIdUncheckedAsync(original.Id))!.ReplyCount);
    }

    [Fact]
    public async Task Deleting_the_quoted_message_row_keeps_the_reply_with_no_link()
    {
        var scene = await MessageScene.CreateAsync(db);
        var original = await scene.SendAsync(scene.OwnerId, "lunch?");
        var reply = await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = "yes", ReplyToId = original.Id });

        await scene.ExecuteAsync("DELETE FROM chat.messages WHERE id = @id", new { id = original.Id });

        var kept = await Messages.FindByIdUncheckedAsync(reply.Id);
        Assert.NotNull(kept);
        Assert.Null(kept.ReplyToId);
    }

    [Fact]
    public async Task Send_a_thread_reply_bumps_the_roots_reply_count_and_last_reply_time()
    {
        var scene = await MessageScene.CreateAsync(db);
        var root = await scene.SendAsync(scene.OwnerId, "plan for friday");

        var first = await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = "a", ThreadRootId = root.Id });
        var second = await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.OwnerId, Content = "b", ThreadRootId = root.Id });

        Assert.Equal(root.Id, first.ThreadRootId);
        var updated = await Messages.FindByIdUncheckedAsync(root.Id);
        Assert.Equal(2, updated!.ReplyCount);
        Assert.Equal(second.CreatedAt, updated.LastReplyAt);
        Assert.Equal(0, (await Messages.FindByIdUncheckedAsync(second.Id))!.ReplyCount);
    }

    [Fact]
    public async Task Send_into_a_thread_of_a_thread_reply_is_refused_and_writes_nothing()
    {
        var scene = await MessageScene.CreateAsync(db);
        var root = await scene.SendAsync(scene.OwnerId, "root");
        var reply = await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = "reply", ThreadRootId = root.Id });

        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() =>
            Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = "nested", ThreadRootId = reply.Id }));

        Assert.Equal("ThreadRootId", error.Field);
        Assert.Equal(2, (await scene.ChatAsync()).LastSeq);
        Assert.Equal(1, (await Messages.FindByIdUncheckedAsync(root.Id))!.ReplyCount);
    }

    [Fact]
    public async Task Send_bumps_the_mention_count_of_mentioned_active_members_only()
    {
        var scene = await MessageScene.CreateAsync(db, members: 3);
        var (mentioned, notMentioned, leaver) = (scene.MemberIds[0], scene.MemberIds[1], scene.MemberIds[2]);
        await scene.LeaveAsync(leaver);
        var stranger = await scene.StrangerAsync();

        var message = await Messages.SendAsync(new NewMessage
        {
            ChatId = scene.ChatId,
            SenderId = scene.OwnerId,
            Content = "@all look",
            Mentions = [mentioned, scene.OwnerId, leaver, stranger, mentioned],
        });

        Assert.Equal(new[] { mentioned, scene.OwnerId, leaver, stranger }, message.Mentions);
        Assert.Equal(1, (await scene.MemberAsync(mentioned)).UnreadMentionCount);
        Assert.Equal(new MemberRow(1, 1, 0), await scene.MemberAsync(scene.OwnerId));
        Assert.Equal(0, (await scene.MemberAsync(notMentioned)).UnreadMentionCount);
        Assert.Equal(0, (await scene.MemberAsync(leaver)).UnreadMentionCount);
        await using var connection = await db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM chat.chat_members WHERE user_id = @stranger", new { stranger }));
    }

    [Fact]
    public async Task A_retry_with_the_same_client_message_id_returns_the_first_message_and_spends_no_seq()
    {
        var scene = await MessageScene.CreateAsync(db);
        var first = await scene.SendAsync(scene.Member, "once", clientMessageId: "retry-1");

        var retried = await scene.SendAsync(scene.Member, "once (retried)", clientMessageId: "retry-1");
        var next = await scene.SendAsync(scene.Member, "next");

        MessageAssert.Same(first, retried);
        Assert.Equal(2, next.Seq);
        Assert.Equal(2, await scene.CountMessagesAsync());
        Assert.Equal(2, (await scene.ChatAsync()).MessageCount);
    }

    [Fact]
    public async Task The_same_client_message_id_from_another_sender_or_chat_is_another_message()
    {
        var scene = await MessageScene.CreateAsync(db);
        var other = await MessageScene.CreateAsync(db);
        await other.AddMemberAsync(scene.Member);

        var a = await scene.SendAsync(scene.Member, "a", clientMessageId: "same");
        var b = await scene.SendAsync(scene.OwnerId, "b", clientMessageId: "same");
        var c = await other.SendAsync(scene.Member, "c", clientMessageId: "same");

        Assert.Equal(3, new[] { a.Id, b.Id, c.Id }.Distinct().Count());
        Assert.Equal(new long[] { 1, 2 }, new[] { a.Seq, b.Seq });
        Assert.Equal(1, c.Seq);
    }

    [Fact]
    public async Task A_system_message_has_no_sender_and_needs_no_membership()
    {
        var scene = await MessageScene.CreateAsync(db);

        var notice = await Messages.SendAsync(new NewMessage
        {
            ChatId = scene.ChatId,
            Type = MessageType.System,
            Content = "Budi joined",
            Metadata = """{"event": "joined"}""",
        });

        Assert.Null(notice.SenderId);
        Assert.Equal(MessageType.System, notice.Type);
        Assert.Equal(1, notice.Seq);
        Assert.Equal(notice.Id, (await scene.ChatAsync()).LastMessageId);
    }

    // A message needs content or media; a card carries its reference in the metadata instead.
    [Theory]
    [InlineData(MessageType.DocumentCard)]
    [InlineData(MessageType.SharedPost)]
    [InlineData(MessageType.Poll)]
    public async Task A_card_message_may_have_no_content(MessageType type)
    {
        var scene = await MessageScene.CreateAsync(db);

        var message = await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Type = type, Metadata = """{"ref": "x"}""" });

        Assert.Equal(type, message.Type);
        Assert.Null(message.Content);
        Assert.Equal(type, (await Messages.FindByIdUncheckedAsync(message.Id))!.Type);
    }

    [Theory]
    [InlineData(MessageType.Image)]
    [InlineData(MessageType.Video)]
    [InlineData(MessageType.Audio)]
    [InlineData(MessageType.Voice)]
    [InlineData(MessageType.File)]
    public async Task A_media_message_may_have_a_caption_and_no_attachments(MessageType type)
    {
        var scene = await MessageScene.CreateAsync(db);

        var message = await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Type = type, Content = "caption" });

        Assert.Equal((type, "caption"), (message.Type, message.Content));
    }

    [Fact]
    public async Task A_code_message_keeps_its_content_and_language()
    {
        var scene = await MessageScene.CreateAsync(db);

        var message = await Messages.SendAsync(new NewMessage
        {
            ChatId = scene.ChatId, SenderId = scene.Member, Type = MessageType.Code, Content = "SELECT 1;\n", Metadata = """{"language": "sql"}""",
        });

        Assert.Equal("SELECT 1;\n", message.Content);
        Assert.Equal("""{"language": "sql"}""", message.Metadata);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t ")]
    public async Task A_text_message_requires_non_blank_content_and_nothing_is_written(string? content)
    {
        var scene = await MessageScene.CreateAsync(db);

        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() =>
            Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = content }));

        Assert.Equal("Content", error.Field);
        Assert.Equal(0, (await scene.ChatAsync()).LastSeq);
    }

    [Fact]
    public async Task The_database_also_refuses_text_without_content_whoever_writes_it()
    {
        var scene = await MessageScene.CreateAsync(db);

        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => scene.ExecuteAsync(
            "INSERT INTO chat.messages (id, chat_id, seq, type, content) VALUES (gen_random_uuid(), @ChatId, 1, 'text', '  ')"));

        Assert.Equal("messages_text_content_check", error.ConstraintName);
    }

    [Fact]
    public async Task A_non_member_cannot_send_and_nothing_is_written()
    {
        var scene = await MessageScene.CreateAsync(db);
        var stranger = await scene.StrangerAsync();

        var error = await Assert.ThrowsAsync<NotAMemberException>(() => scene.SendAsync(stranger, "let me in"));

        Assert.Equal(scene.ChatId, error.ChatId);
        Assert.Equal(stranger, error.UserId);
        Assert.Equal(new ChatRow(0, 0, null, null, null), await scene.ChatAsync());
        Assert.Equal(0, await scene.CountMessagesAsync());
    }

    [Fact]
    public async Task A_member_who_left_cannot_send()
    {
        var scene = await MessageScene.CreateAsync(db);
        await scene.SendAsync(scene.Member);
        await scene.LeaveAsync(scene.Member);

        await Assert.ThrowsAsync<NotAMemberException>(() => scene.SendAsync(scene.Member, "still here?"));

        Assert.Equal(1, (await scene.ChatAsync()).LastSeq);
    }

    [Fact]
    public async Task Sending_to_a_chat_that_does_not_exist_names_the_chat()
    {
        var user = await db.Arrange.UserAsync();

        var error = await Assert.ThrowsAsync<ReferenceNotFoundException>(() =>
            Messages.SendAsync(new NewMessage { ChatId = Guid.CreateVersion7(), SenderId = user.Id, Content = "hi" }));

        Assert.Equal("ChatId", error.Field);
    }

    [Fact]
    public async Task Sending_to_a_soft_deleted_chat_is_refused_like_a_missing_one()
    {
        var scene = await MessageScene.CreateAsync(db);
        await scene.ExecuteAsync("UPDATE chat.chats SET deleted_at = now() WHERE id = @ChatId");

        var error = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => scene.SendAsync(scene.Member));

        Assert.Equal("ChatId", error.Field);
        Assert.Equal(0, (await scene.ChatAsync()).LastSeq);
    }

    [Fact]
    public async Task Replying_to_a_message_of_another_chat_is_refused_and_nothing_is_written()
    {
        var scene = await MessageScene.CreateAsync(db);
        var elsewhere = await MessageScene.CreateAsync(db);
        var foreign = await elsewhere.SendAsync(elsewhere.OwnerId, "secret");
        await scene.SendAsync(scene.Member);

        var reply = await Assert.ThrowsAsync<ChatDataValidationException>(() =>
            Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = "re", ReplyToId = foreign.Id }));
        var thread = await Assert.ThrowsAsync<ChatDataValidationException>(() =>
            Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = "re", ThreadRootId = foreign.Id }));
        var missing = await Assert.ThrowsAsync<ChatDataValidationException>(() =>
            Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = "re", ReplyToId = Guid.CreateVersion7() }));

        Assert.Equal("ReplyToId", reply.Field);
        Assert.Equal("ThreadRootId", thread.Field);
        Assert.Equal("ReplyToId", missing.Field);
        Assert.Equal(new MemberRow(1, 1, 0), await scene.MemberAsync(scene.Member));
        var chat = await scene.ChatAsync();
        Assert.Equal((1, 1), (chat.LastSeq, chat.MessageCount));
        Assert.Equal(0, (await Messages.FindByIdUncheckedAsync(foreign.Id))!.ReplyCount);
    }

    [Fact]
    public async Task The_first_failing_rule_is_reported_when_several_fail()
    {
        var scene = await MessageScene.CreateAsync(db);
        var stranger = await scene.StrangerAsync();

        await Assert.ThrowsAsync<NotAMemberException>(() =>
            Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = stranger, Content = "x", ReplyToId = Guid.CreateVersion7() }));
    }

    // A HOT update writes no index entry and is pruned in place; PostgreSQL makes one only when no
    // index (key, expression or predicate) names a column the update changes.
    [Fact]
    public async Task No_index_names_a_column_a_send_changes_so_its_updates_are_hot()
    {
        await using var connection = await db.OpenAsync();

        var indexes = await connection.QueryAsync<string>(
            """
            SELECT DISTINCT i.indexrelid::regclass::text
            FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid
            WHERE (a.attnum = ANY (i.indkey) OR EXISTS (
                      -- Columns named in an expression or the predicate.
                      SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                        AND d.refobjid = i.indrelid AND d.refobjsubid = a.attnum))
              AND (i.indrelid = 'chat.chats'::regclass
                   AND a.attname IN ('last_seq', 'message_count', 'last_message_id', 'last_message_at')
                OR i.indrelid = 'chat.chat_members'::regclass
                   AND a.attname IN ('last_read_seq', 'last_read_at', 'last_delivered_seq', 'last_delivered_at', 'unread_mention_count'))
            """);

        Assert.Empty(indexes);
    }
}
