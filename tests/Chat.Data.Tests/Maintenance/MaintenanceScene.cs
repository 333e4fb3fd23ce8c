using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.Tests.Social;
using Dapper;

namespace Chat.Data.Tests.Maintenance;

/// <summary>A fresh group (an owner and members) for one maintenance test, with ways to age what is in it.</summary>
internal sealed class MaintenanceScene
{
    private readonly DatabaseFixture _db;

    private MaintenanceScene(DatabaseFixture db, Guid chatId, Guid ownerId, Guid[] memberIds)
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

    public static async Task<MaintenanceScene> CreateAsync(DatabaseFixture db, int members = 2)
    {
        var owner = (await db.Arrange.UserAsync("Owner")).Id;
        var others = (await db.Arrange.UsersAsync(members)).Select(u => u.Id).ToArray();
        return new MaintenanceScene(db, await db.Arrange.GroupAsync(owner, others), owner, others);
    }

    public Task<Message> SendAsync(string content = "hello", Guid? threadRootId = null, Guid? senderId = null) =>
        _db.Messages.SendAsync(new NewMessage { ChatId = ChatId, SenderId = senderId ?? OwnerId, Content = content, ThreadRootId = threadRootId });

    public async Task<Message[]> SendManyAsync(int count)
    {
        var sent = new Message[count];
        for (var i = 0; i < count; i++)
            sent[i] = await SendAsync($"message {i + 1}");
        return sent;
    }

    /// <summary>Deletes the message for everyone (as its chat's owner) and dates the deletion <paramref name="daysAgo"/> days back.</summary>
    public async Task DeleteAsync(Message message, int daysAgo = 40)
    {
        Assert.NotNull(await _db.Messages.DeleteForEveryoneAsync(message.Id, OwnerId));
        await _db.ExecuteAsync("UPDATE chat.messages SET deleted_at = now() - make_interval(days => @daysAgo) WHERE id = @Id", new { daysAgo, message.Id });
    }

    /// <summary>Every active member marks everything read.</summary>
    public async Task ReadAllAsync()
    {
        foreach (var user in Everyone)
            await _db.ReadState.MarkReadAsync(ChatId, user);
    }

    public async Task<(long LastSeq, long MessageCount, Guid? LastMessageId)> ChatAsync()
    {
        await using var connection = await _db.OpenAsync();
        return await connection.QuerySingleAsync<(long, long, Guid?)>(
            "SELECT last_seq, message_count, last_message_id FROM chat.chats WHERE id = @ChatId", new { ChatId });
    }

    public async Task<long[]> SeqsAsync()
    {
        await using var connection = await _db.OpenAsync();
        return (await connection.QueryAsync<long>("SELECT seq FROM chat.messages WHERE chat_id = @ChatId ORDER BY seq", new { ChatId })).ToArray();
    }

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
