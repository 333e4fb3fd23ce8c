using Chat.Data.Users;
using Dapper;

namespace Chat.Data.TestSupport;

/// <summary>
/// Test arrangement as plain SQL against the real database: users, a group with members, messages.
/// It lets a test of one repository set the scene without depending on another repository.
/// </summary>
public sealed class Arrange(DatabaseFixture db)
{
    /// <summary>A user with a unique phone and username.</summary>
    public Task<User> UserAsync(string displayName = "Test user") =>
        db.Users.CreateAsync(new NewUser { Phone = TestData.Phone(), Username = TestData.Username(), DisplayName = displayName });

    public async Task<User[]> UsersAsync(int count)
    {
        var users = new User[count];
        for (var i = 0; i < count; i++)
            users[i] = await UserAsync($"User {i}");
        return users;
    }

    /// <summary>A group owned by <paramref name="ownerId"/> with the other users as members, joined an hour ago in the order given (before any message arranged after it).</summary>
    public async Task<Guid> GroupAsync(Guid ownerId, params Guid[] memberIds)
    {
        var chatId = Guid.CreateVersion7();
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("""
            INSERT INTO chat.chats (id, type, name, created_by) VALUES (@chatId, 'group', 'Arranged group', @ownerId);
            INSERT INTO chat.chat_members (chat_id, user_id, role, joined_at)
            SELECT @chatId, m.user_id, CASE WHEN m.ord = 1 THEN 'owner' ELSE 'member' END, now() - interval '1 hour' + m.ord * interval '1 millisecond'
            FROM unnest(@users) WITH ORDINALITY AS m(user_id, ord);
            """, new { chatId, ownerId, users = memberIds.Prepend(ownerId).ToArray() });
        return chatId;
    }

    /// <summary>
    /// <paramref name="count"/> text messages from <paramref name="senderId"/>, with seqs following the
    /// chat's last_seq and the chat's counters kept as the library keeps them. Returns their seqs.
    /// </summary>
    public async Task<long[]> MessagesAsync(Guid chatId, Guid senderId, int count, string content = "arranged message")
    {
        await using var connection = await db.OpenAsync();
        var seqs = await connection.QueryAsync<long>("""
            WITH chat AS (
                UPDATE chat.chats SET last_seq = last_seq + @count, message_count = message_count + @count
                WHERE id = @chatId
                RETURNING last_seq - @count AS first_seq
            ), inserted AS (
                INSERT INTO chat.messages (id, chat_id, seq, sender_id, content, created_at)
                SELECT gen_random_uuid(), @chatId, chat.first_seq + n, @senderId, @content || ' ' || (chat.first_seq + n), clock_timestamp()
                FROM chat, generate_series(1, @count) AS n
                RETURNING id, seq, created_at
            )
            SELECT seq FROM inserted ORDER BY seq
            """, new { chatId, senderId, count, content });
        // A second statement: one statement cannot update the chat row twice (the second update is skipped).
        await connection.ExecuteAsync("""
            UPDATE chat.chats c SET last_message_id = n.id, last_message_at = n.created_at
            FROM (SELECT id, created_at FROM chat.messages WHERE chat_id = @chatId ORDER BY seq DESC LIMIT 1) n
            WHERE c.id = @chatId;
            UPDATE chat.chat_members m SET last_read_seq = c.last_seq FROM chat.chats c WHERE c.id = m.chat_id AND m.chat_id = @chatId AND m.user_id = @senderId;
            """, new { chatId, senderId });
        return seqs.ToArray();
    }
}
