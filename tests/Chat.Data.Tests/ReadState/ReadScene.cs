using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.ReadState;

/// <summary>A group whose owner sends the messages, and the members who read them.</summary>
internal sealed record ReadScene(Guid ChatId, Guid SenderId, Guid[] Members)
{
    public Guid Reader => Members[0];
}

/// <summary>Arrangement for read-state tests, as plain SQL on top of <see cref="Arrange"/>.</summary>
internal static class ReadSceneExtensions
{
    /// <summary>
    /// A group of a sender and <paramref name="members"/> readers, with <paramref name="messages"/>
    /// messages from the sender. Joins are moved an hour back so every member was in the chat when
    /// each message was sent (Arrange spaces joins a millisecond apart from the transaction's start).
    /// </summary>
    public static async Task<ReadScene> GroupAsync(this DatabaseFixture db, int members = 1, int messages = 0)
    {
        var users = await db.Arrange.UsersAsync(members + 1);
        var chatId = await db.Arrange.GroupAsync(users[0].Id, users[1..].Select(u => u.Id).ToArray());
        await db.ExecuteAsync(
            "UPDATE chat.chat_members SET joined_at = joined_at - interval '1 hour' WHERE chat_id = @chatId", new { chatId });
        if (messages > 0)
            await db.Arrange.MessagesAsync(chatId, users[0].Id, messages);
        return new ReadScene(chatId, users[0].Id, users[1..].Select(u => u.Id).ToArray());
    }

    public static async Task<int> ExecuteAsync(this DatabaseFixture db, string sql, object? param = null)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteAsync(sql, param);
    }

    public static async Task<T> ScalarAsync<T>(this DatabaseFixture db, string sql, object? param = null)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<T>(sql, param) ?? throw new InvalidOperationException("no value: " + sql);
    }

    /// <summary>The member's read_marks rows of one kind, in the order they were written.</summary>
    public static async Task<(long UpToSeq, DateTimeOffset At)[]> MarksAsync(this DatabaseFixture db, Guid chatId, Guid userId, string kind)
    {
        await using var connection = await db.OpenAsync();
        var rows = await connection.QueryAsync<(long, DateTime)>(
            "SELECT up_to_seq, at FROM chat.read_marks WHERE chat_id = @chatId AND user_id = @userId AND kind = @kind ORDER BY at, up_to_seq",
            new { chatId, userId, kind });
        return rows.Select(r => (r.Item1, new DateTimeOffset(r.Item2, TimeSpan.Zero))).ToArray();
    }

    /// <summary>Deletes messages for everyone the way the library does: content wiped, row kept.</summary>
    public static Task<int> DeleteForEveryoneAsync(this DatabaseFixture db, Guid chatId, params long[] seqs) =>
        db.ExecuteAsync(
            "UPDATE chat.messages SET deleted_at = now(), content = NULL WHERE chat_id = @chatId AND seq = ANY(@seqs)",
            new { chatId, seqs });

    public static Task<int> LeaveAsync(this DatabaseFixture db, Guid chatId, Guid userId) =>
        db.ExecuteAsync(
            "UPDATE chat.chat_members SET left_at = now() WHERE chat_id = @chatId AND user_id = @userId",
            new { chatId, userId });

    public static async Task<Guid> MessageIdAsync(this DatabaseFixture db, Guid chatId, long seq) =>
        await db.ScalarAsync<Guid>("SELECT id FROM chat.messages WHERE chat_id = @chatId AND seq = @seq", new { chatId, seq });
}
