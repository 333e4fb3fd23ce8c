using Chat.Data.Activity;
using Chat.Data.Chats;
using Chat.Data.Messages;
using Chat.Data.Security;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chat.Data.Tests.Security;

/// <summary>
/// Row-level security: scoped calls and raw SQL under the restricted role see and change only chats the
/// acting user is an active member of. Each read is made with the ids of a member (so the library's own
/// checks pass) while acting as an outsider: only the database's policies stand between them.
/// </summary>
public sealed class RowLevelSecurityTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IRowLevelSecurity Rls => db.Services.GetRequiredService<IRowLevelSecurity>();

    private sealed record Scene(Guid Member, Guid Other, Guid Outsider, Guid ChatId, Guid TopicId, Guid OtherChatId, Guid MessageId, Guid HiddenId, Guid AttachmentId);

    private async Task<Scene> SceneAsync()
    {
        var member = (await db.Arrange.UserAsync("Member")).Id;
        var other = (await db.Arrange.UserAsync("Other member")).Id;
        var outsider = (await db.Arrange.UserAsync("Outsider")).Id;
        var chat = await db.Chats.CreateGroupAsync(new NewGroupChat { Name = "Private", CreatedBy = member, MemberIds = [other] });
        var topic = await db.Chats.CreateTopicAsync(new NewTopic { Name = "Private topic", CreatedBy = member, ParentChatId = chat.Id });
        var otherChat = await db.Chats.CreateGroupAsync(new NewGroupChat { Name = "Outsider's own", CreatedBy = outsider });
        var message = await db.Messages.SendAsync(new NewMessage { ChatId = chat.Id, SenderId = member, Content = "secret plan", Mentions = [other] });
        var reply = await db.Messages.SendAsync(new NewMessage { ChatId = chat.Id, SenderId = other, Content = "secret reply", ThreadRootId = message.Id });
        await db.Messages.EditAsync(message.Id, member, "secret plan, edited");
        await db.Reactions.AddAsync(message.Id, other, "👍");
        var attachment = (await db.Attachments.AddAsync(message.Id, member,
            [new NewAttachment { Kind = AttachmentKind.Image, MimeType = "image/png", SizeBytes = 10, StorageKey = "k/1.png" }]))[0];
        var hidden = await db.Messages.SendAsync(new NewMessage { ChatId = chat.Id, SenderId = other, Content = "secret, hidden" });
        await db.Messages.HideForMeAsync(hidden.Id, member);
        await db.ReadState.MarkReadAsync(chat.Id, member);
        await db.Messages.SendAsync(new NewMessage { ChatId = chat.Id, SenderId = member, Content = "secret, unread by the other member" });
        await db.Activity.AddAsync(member, new NewActivity { ActionType = "mention", Description = "secret", ChatId = chat.Id, MessageId = message.Id });
        await db.Messages.SendAsync(new NewMessage { ChatId = otherChat.Id, SenderId = outsider, Content = "outsider's secret" });
        return new Scene(member, other, outsider, chat.Id, topic.Id, otherChat.Id, message.Id, hidden.Id, attachment.Id);
    }

    /// <summary>What each read returns, as a count of rows, made with the member's ids.</summary>
    private static IEnumerable<(string Name, Func<Task<long>> Read)> Reads(DatabaseFixture db, Scene s) =>
    [
        ("history", async () => (await db.Messages.GetHistoryAsync(s.ChatId, s.Member, HistoryAnchor.Latest)).Messages.Count),
        ("thread", async () => (await db.Messages.GetThreadAsync(s.MessageId, s.Member)).Messages.Count),
        ("message by id", async () => await db.Messages.FindByIdAsync(s.MessageId, s.Member) is null ? 0 : 1),
        ("edits", async () => (await db.Messages.ListEditsAsync(s.MessageId, s.Member)).Count),
        ("search", async () => (await db.Messages.SearchAsync(s.Member, "secret")).Count),
        ("mentions", async () => (await db.Messages.ListMentionsAsync(s.Other)).Items.Count),
        ("chat by id", async () => await db.Chats.FindByIdAsync(s.ChatId, s.Member) is null ? 0 : 1),
        ("topic by id", async () => await db.Chats.FindByIdAsync(s.TopicId, s.Member) is null ? 0 : 1),
        ("topics", async () => (await db.Chats.ListTopicsAsync(s.ChatId)).Count),
        ("chat list", async () => (await db.Chats.ListForUserAsync(s.Member)).Items.Count),
        ("member", async () => await db.Members.FindAsync(s.ChatId, s.Member) is null ? 0 : 1),
        ("members", async () => (await db.Members.ListActiveAsync(s.ChatId, s.Member)).Items.Count),
        ("reactions", async () => (await db.Reactions.ListAsync(s.MessageId, s.Member)).Items.Count),
        ("reaction summaries", async () => (await db.Reactions.GetSummariesAsync([s.MessageId], s.Member)).Count),
        ("attachment by id", async () => await db.Attachments.FindByIdAsync(s.AttachmentId, s.Member) is null ? 0 : 1),
        ("attachments", async () => (await db.Attachments.ListAsync(s.MessageId, s.Member)).Count),
        ("gallery", async () => (await db.Attachments.GetGalleryAsync(s.ChatId, s.Member)).Items.Count),
        ("unread count", () => db.ReadState.GetUnreadCountAsync(s.ChatId, s.Other)),
        ("unread totals", async () => (await db.ReadState.GetUnreadTotalsAsync(s.Other)).Chats),
        ("receipts", async () => await db.ReadState.GetReceiptsAsync(s.MessageId, s.Member) is null ? 0 : 1),
        ("activity feed", async () => (await db.Activity.ListAsync(s.Member)).Items.Count),
        ("unread activity", () => db.Activity.CountUnreadAsync(s.Member)),
    ];

    // A read the library refuses because the database hid the viewer's membership, or the row it names, returns no rows either.
    private static async Task<long> RowsAsync(Func<Task<long>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (e is NotAMemberException or ReferenceNotFoundException)
        {
            return 0;
        }
    }

    [Fact]
    public async Task An_outsider_reads_zero_rows_of_a_chat_through_every_read_method_a_member_reads_them()
    {
        var s = await SceneAsync();
        foreach (var (name, read) in Reads(db, s))
        {
            long asMember, asOutsider;
            using (Rls.ActAs(s.Member))
                asMember = await RowsAsync(read);
            Assert.True(asMember > 0, $"{name}: the member reads nothing, so this check proves nothing");
            using (Rls.ActAs(s.Outsider))
                asOutsider = await RowsAsync(read);
            Assert.True(asOutsider == 0, $"{name}: the outsider read {asOutsider} row(s)");
        }
    }

    /// <summary>Raw SQL on a connection switched to the restricted role, as user-facing code given that role would run it.</summary>
    private async Task<T> AsRestrictedRoleAsync<T>(Guid userId, Func<NpgsqlConnection, Task<T>> run)
    {
        await using var connection = await db.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // act_as sets the user, their chats and the role for this transaction, as the library's scoped calls do.
        await connection.ExecuteAsync("CALL chat.act_as(@userId)", new { userId });
        Assert.Equal("chat_user", await connection.ExecuteScalarAsync<string>("SELECT current_user"));
        return await run(connection);
    }

    private static readonly string[] ContentTables =
        ["chats", "chat_members", "messages", "message_edits", "message_hides", "message_reactions", "message_attachments", "read_marks", "activity_feed"];

    [Fact]
    public async Task Raw_sql_under_the_restricted_role_returns_only_rows_of_the_users_own_chats()
    {
        var s = await SceneAsync();
        foreach (var table in ContentTables)
        {
            // Rows of the member's chat: by chat id, or for edits and hides by the chat's messages.
            var ofTheChat = table switch
            {
                "chats" => $"id = '{s.ChatId}'",
                "message_edits" or "message_hides" => $"message_id IN ('{s.MessageId}', '{s.HiddenId}')",
                _ => $"chat_id = '{s.ChatId}'",
            };
            var asMember = await AsRestrictedRoleAsync(s.Member, c => c.ExecuteScalarAsync<long>($"SELECT count(*) FROM chat.{table} WHERE {ofTheChat}"));
            Assert.True(asMember > 0, $"{table}: the member sees no row, so this check proves nothing");
            var asOutsider = await AsRestrictedRoleAsync(s.Outsider, c => c.ExecuteScalarAsync<long>($"SELECT count(*) FROM chat.{table} WHERE {ofTheChat}"));
            Assert.True(asOutsider == 0, $"{table}: the outsider sees {asOutsider} row(s) of the member's chat");
        }
        // select * from messages: the outsider's own message only.
        var contents = await AsRestrictedRoleAsync(s.Outsider, async c => (await c.QueryAsync<string>("SELECT content FROM chat.messages")).ToList());
        Assert.Equal(["outsider's secret"], contents);
        // A password hash is never readable under the role.
        var denied = await Assert.ThrowsAsync<PostgresException>(() => AsRestrictedRoleAsync(s.Outsider, c => c.ExecuteScalarAsync<string>("SELECT password_hash FROM chat.users LIMIT 1")));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }

    [Fact]
    public async Task A_removed_member_loses_access_at_once()
    {
        var s = await SceneAsync();
        using (Rls.ActAs(s.Other))
            Assert.NotEmpty((await db.Messages.GetHistoryAsync(s.ChatId, s.Other, HistoryAnchor.Latest)).Messages);

        Assert.True(await db.Members.RemoveAsync(s.ChatId, s.Other, s.Member));

        using (Rls.ActAs(s.Other))
        {
            Assert.Equal(0, await RowsAsync(async () => (await db.Messages.GetHistoryAsync(s.ChatId, s.Member, HistoryAnchor.Latest)).Messages.Count));
            Assert.Null(await db.Messages.FindByIdAsync(s.MessageId, s.Member));
        }
        var raw = await AsRestrictedRoleAsync(s.Other, c => c.ExecuteScalarAsync<long>($"SELECT count(*) FROM chat.messages WHERE chat_id = '{s.ChatId}'"));
        Assert.Equal(0, raw);
    }

    [Fact]
    public async Task No_write_reaches_a_chat_the_user_is_not_in()
    {
        var s = await SceneAsync();
        var insert = await Assert.ThrowsAsync<PostgresException>(() => AsRestrictedRoleAsync(s.Outsider, c => c.ExecuteAsync(
            "INSERT INTO chat.messages (id, chat_id, seq, sender_id, content) VALUES (gen_random_uuid(), @ChatId, 1000, @Outsider, 'injected')", new { s.ChatId, s.Outsider })));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, insert.SqlState);
        var reaction = await Assert.ThrowsAsync<PostgresException>(() => AsRestrictedRoleAsync(s.Outsider, c => c.ExecuteAsync(
            "INSERT INTO chat.message_reactions (message_id, chat_id, user_id, emoji) VALUES (@MessageId, @ChatId, @Outsider, 'x')", new { s.MessageId, s.ChatId, s.Outsider })));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, reaction.SqlState);
        var joined = await Assert.ThrowsAsync<PostgresException>(() => AsRestrictedRoleAsync(s.Outsider, c => c.ExecuteAsync(
            "INSERT INTO chat.chat_members (chat_id, user_id, role) VALUES (@ChatId, @Outsider, 'owner')", new { s.ChatId, s.Outsider })));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, joined.SqlState);

        // Updates and deletes find no row to change.
        Assert.Equal(0, await AsRestrictedRoleAsync(s.Outsider, c => c.ExecuteAsync("UPDATE chat.messages SET content = 'defaced' WHERE chat_id = @ChatId", new { s.ChatId })));
        Assert.Equal(0, await AsRestrictedRoleAsync(s.Outsider, c => c.ExecuteAsync("UPDATE chat.chats SET name = 'taken' WHERE id = @ChatId", new { s.ChatId })));
        Assert.Equal(0, await AsRestrictedRoleAsync(s.Outsider, c => c.ExecuteAsync("DELETE FROM chat.chat_members WHERE chat_id = @ChatId", new { s.ChatId })));
        // Moving one's own message into the chat is refused too.
        var moved = await Assert.ThrowsAsync<PostgresException>(() => AsRestrictedRoleAsync(s.Outsider, c => c.ExecuteAsync(
            "UPDATE chat.messages SET chat_id = @ChatId WHERE chat_id = @OtherChatId", new { s.ChatId, s.OtherChatId })));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, moved.SqlState);

        // Through the library, acting as the outsider with the member's ids: the database refuses the send.
        using (Rls.ActAs(s.Outsider))
            await Assert.ThrowsAnyAsync<ChatDataException>(() => db.Messages.SendAsync(new NewMessage { ChatId = s.ChatId, SenderId = s.Member, Content = "forged" }));
        Assert.DoesNotContain("forged", (await db.Messages.GetHistoryAsync(s.ChatId, s.Member, HistoryAnchor.Latest)).Messages.Select(m => m.Content));
    }

    [Fact]
    public async Task A_member_acting_as_themself_sends_reacts_and_marks_read()
    {
        var s = await SceneAsync();
        using (Rls.ActAs(s.Other))
        {
            var sent = await db.Messages.SendAsync(new NewMessage { ChatId = s.ChatId, SenderId = s.Other, Content = "scoped send" });
            await db.Reactions.AddAsync(sent.Id, s.Other, "🎉");
            await db.ReadState.MarkReadAsync(s.ChatId, s.Other);
            Assert.Equal("scoped send", (await db.Messages.GetHistoryAsync(s.ChatId, s.Other, HistoryAnchor.Latest)).Messages[^1].Content);
        }
        Assert.Null(Rls.Current);
    }
}
