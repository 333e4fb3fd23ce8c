using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Chat.Data.Tests.Messages;

/// <summary>
/// A fresh group for one test: an owner and members, arranged as plain SQL, with short ways to
/// send into it and to read what the database holds, bypassing the repository.
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

    public static async Task<MessageScene> CreateAsync(DatabaseFixture db, int members = 2)
    {
        var owner = await db.Arrange.UserAsync("Owner");
        var others = await db.Arrange.UsersAsync(members);
        var memberIds = others.Select(u => u.Id).ToArray();
        return new MessageScene(db, await db.Arrange.GroupAsync(owner.Id, memberIds), owner.Id, memberIds);
    }

    public Task<Message> SendAsync(Guid senderId, string content = "hello", string? clientMessageId = null) =>
        _db.Messages.SendAsync(new NewMessage { ChatId = ChatId, SenderId = senderId, Content = content, ClientMessageId = clientMessageId });

    public async Task<Message[]> SendManyAsync(Guid senderId, int count, string content = "message")
    {
        var sent = new Message[count];
        for (var i = 0; i < count; i++)
            sent[i] = await SendAsync(senderId, $"{content} {i + 1}");
        return sent;
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
}

internal sealed record ChatRow(long LastSeq, long MessageCount, Guid? LastMessageId, DateTimeOffset? LastMessageAt, DateTimeOffset? ArchivedAt);

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
