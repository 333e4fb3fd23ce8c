using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Chat.Data.Tests.Messages;

/// <summary>
/// A fresh group for one test (an owner and members), with short ways to send into it, to age what is in
/// it, and to read what the database holds, bypassing the repositories. The message, reaction, attachment
/// and maintenance tests share it.
/// </summary>
internal sealed class MessageScene
{
    private readonly DatabaseFixture _db;

    private MessageScene(DatabaseFixture db, Guid chatId, Guid ownerId, Guid[] memberIds)
    {
        _db = db;
        ChatId = chatId;
        OwnerId = ownerId;
        MemberIds = memberIds;
    }

    public Guid ChatId { get; }

    public Guid OwnerId { get; }

    public Guid[] MemberIds { get; }

    public Guid Member => MemberIds[0];

    public IEnumerable<Guid> Everyone => MemberIds.Prepend(OwnerId);

    public static async Task<MessageScene> CreateAsync(DatabaseFixture db, int members = 2)
    {
        var owner = await db.Arrange.UserAsync("Owner");
        var others = await db.Arrange.UsersAsync(members);
        var memberIds = others.Select(u => u.Id).ToArray();
        return new MessageScene(db, await db.Arrange.GroupAsync(owner.Id, memberIds), owner.Id, memberIds);
    }

    public Task<Message> SendAsync(Guid senderId, string content = "hello", string? clientMessageId = null, Guid? threadRootId = null) =>
        _db.Messages.SendAsync(new NewMessage { ChatId = ChatId, SenderId = senderId, Content = content, ClientMessageId = clientMessageId, ThreadRootId = threadRootId });

    public async Task<Message[]> SendManyAsync(Guid senderId, int count, string content = "message")
    {
        var sent = new Message[count];
        for (var i = 0; i < count; i++)
            sent[i] = await SendAsync(senderId, $"{content} {i + 1}");
        return sent;
    }

    /// <summary>Deletes the message for everyone (as the chat's owner) and dates the deletion <paramref name="daysAgo"/> days back.</summary>
    public async Task DeleteForEveryoneAsync(Message message, int daysAgo = 40)
    {
        Assert.NotNull(await _db.Messages.DeleteForEveryoneAsync(message.Id, OwnerId));
        await ExecuteAsync("UPDATE chat.messages SET deleted_at = now() - make_interval(days => @daysAgo) WHERE id = @Id", new { daysAgo, message.Id });
    }

    /// <summary>Every active member marks everything read.</summary>
    public async Task ReadAllAsync()
    {
        foreach (var user in Everyone)
            await _db.ReadState.MarkReadAsync(ChatId, user);
    }

    public async Task<ChatRow> ChatAsync()
    {
        await using var connection = await _db.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT last_seq, message_count, last_message_id, last_message_at, archived_at FROM chat.chats WHERE id = $1", connection)
        {
            Parameters = { new() { Value = ChatId } },
        };
        await using var r = await command.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        return new ChatRow(
            r.GetInt64(0),
            r.GetInt64(1),
            r.IsDBNull(2) ? null : r.GetGuid(2),
            r.IsDBNull(3) ? null : r.GetFieldValue<DateTimeOffset>(3),
            r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4));
    }

    public async Task<MemberRow> MemberAsync(Guid userId)
    {
        await using var connection = await _db.OpenAsync();
        var (read, delivered, mentions) = await connection.QuerySingleAsync<(long, long, int)>(
            "SELECT last_read_seq, last_delivered_seq, unread_mention_count FROM chat.chat_members WHERE chat_id = @ChatId AND user_id = @userId",
            new { ChatId, userId });
        return new MemberRow(read, delivered, mentions);
    }

    public async Task<long> CountMessagesAsync()
    {
        await using var connection = await _db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM chat.messages WHERE chat_id = @ChatId", new { ChatId });
    }

    public async Task<long[]> SeqsAsync()
    {
        await using var connection = await _db.OpenAsync();
        return (await connection.QueryAsync<long>("SELECT seq FROM chat.messages WHERE chat_id = @ChatId ORDER BY seq", new { ChatId })).ToArray();
    }

    /// <summary>Runs SQL against the scene's chat (parameter @ChatId) with the raw connection.</summary>
    public async Task ExecuteAsync(string sql, object? param = null)
    {
        await using var connection = await _db.OpenAsync();
        var parameters = new DynamicParameters(param);
        parameters.Add("ChatId", ChatId);
        await connection.ExecuteAsync(sql, parameters);
    }

    /// <summary>A user who is in no chat of this scene.</summary>
    public async Task<Guid> StrangerAsync() => (await _db.Arrange.UserAsync("Stranger")).Id;

    /// <summary>Adds <paramref name="userId"/> as an active member with <paramref name="role"/>.</summary>
    public Task AddMemberAsync(Guid userId, string role = "member") =>
        ExecuteAsync("INSERT INTO chat.chat_members (chat_id, user_id, role) VALUES (@ChatId, @userId, @role)", new { userId, role });

    public Task LeaveAsync(Guid userId) =>
        ExecuteAsync("UPDATE chat.chat_members SET left_at = now() WHERE chat_id = @ChatId AND user_id = @userId", new { userId });

    /// <summary>The counters the library keeps against what the rows say, and the unread count of each member.</summary>
    public async Task AssertExactAsync()
    {
        await using var connection = await _db.OpenAsync();
        var (messageCount, live, lastMessageId, newest, lastSeq, maxSeq) = await connection.QuerySingleAsync<(long, long, Guid?, Guid?, long, long?)>(
            """
            SELECT c.message_count,
                   (SELECT count(*) FROM chat.messages m WHERE m.chat_id = c.id AND m.deleted_at IS NULL),
                   c.last_message_id,
                   (SELECT m.id FROM chat.messages m WHERE m.chat_id = c.id ORDER BY m.seq DESC LIMIT 1),
                   c.last_seq,
                   (SELECT max(m.seq) FROM chat.messages m WHERE m.chat_id = c.id)
            FROM chat.chats c WHERE c.id = @ChatId
            """,
            new { ChatId });
        Assert.Equal(live, messageCount);
        Assert.Equal(newest, lastMessageId);
        Assert.True(lastSeq >= (maxSeq ?? 0));
        foreach (var user in Everyone)
        {
            var expected = await connection.ExecuteScalarAsync<long>(
                """
                SELECT count(*) FROM chat.messages m JOIN chat.chat_members cm ON cm.chat_id = m.chat_id
                WHERE m.chat_id = @ChatId AND cm.user_id = @user AND m.seq > cm.last_read_seq AND m.deleted_at IS NULL
                """,
                new { ChatId, user });
            Assert.Equal(expected, await _db.ReadState.GetUnreadCountAsync(ChatId, user));
        }
    }
}

internal sealed record ChatRow(long LastSeq, long MessageCount, Guid? LastMessageId, DateTimeOffset? LastMessageAt, DateTimeOffset? ArchivedAt)
{
    /// <summary>The three counters the library keeps on the chat row.</summary>
    public (long LastSeq, long MessageCount, Guid? LastMessageId) Counters => (LastSeq, MessageCount, LastMessageId);
}

internal sealed record MemberRow(long LastReadSeq, long LastDeliveredSeq, int UnreadMentionCount);

internal static class MessageAssert
{
    /// <summary>Records compare arrays by reference, so the mentions are compared apart.</summary>
    public static void Same(Message expected, Message? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Mentions = [] }, actual with { Mentions = [] });
        Assert.Equal(expected.Mentions, actual.Mentions);
    }
}
