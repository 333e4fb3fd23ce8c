using System.Diagnostics;
using Chat.Data.Benchmarks.Host;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Data.Benchmarks.Seeding;

/// <summary>
/// Chats, members, messages and "delete for me" hides for the conversation benchmarks: planned by
/// <see cref="ConversationPlan"/>, written by binary COPY in one transaction (a run never finds half a seed).
/// Each table goes in through <see cref="BulkLoad"/> (its indexes, keys and foreign keys made after the COPY), and
/// the chats' denormalised columns (last seq, last message, message and member counts) are written from the plan.
/// </summary>
internal sealed class ConversationSeeder(NpgsqlDataSource dataSource, SeedShape shape, TextWriter log)
{
    // Users by number n, the user with phone DataSeeder.RegisteredPhone(n).
    /// <summary>In <see cref="SeedShape.BenchUserChats"/> chats: chat list, history, search, unread count.</summary>
    public const int BenchUser = 0;

    /// <summary>The member who sends in the send chats.</summary>
    public const int Sender = 1;

    /// <summary>Big-group members whose read marks only the mark-read benchmark moves, from this number on.</summary>
    public const int FirstReader = 2;

    /// <summary>How many readers: a third for each way.</summary>
    public const int Readers = 30;

    public const string BigChatSlug = "bench-big-group";

    /// <summary>One chat per way for the send benchmarks: each way's sends grow only its own chat.</summary>
    public static readonly string[] SendChatSlugs = ["bench-send-chat-data", "bench-send-ef-core", "bench-send-npgsql"];

    /// <summary>The bench user's read mark in the big group is this many messages behind.</summary>
    public const int BigChatUnread = 1_000;

    private const string Schema = BenchDatabase.Schema;

    // Hidden by the bench user in the big group: one in the newest page, none in the deepest.
    private static IEnumerable<long> HiddenSeqs(PlannedChat bigChat)
    {
        for (long seq = 990; seq <= bigChat.Messages; seq += 1_000)
            yield return seq;
    }

    public async Task SeedAsync()
    {
        var chats = ConversationPlan.Make(shape, DateTimeOffset.UtcNow);
        var memberRows = chats.Sum(c => (long)c.Members.Length);
        var messageRows = chats.Sum(c => (long)c.Messages);

        await using var connection = await dataSource.OpenConnectionAsync();
        long haveChats, haveMembers, haveMessages;
        await using (var count = new NpgsqlCommand(
            $"SELECT (SELECT count(*) FROM {Schema}.chats), (SELECT count(*) FROM {Schema}.chat_members), (SELECT count(*) FROM {Schema}.messages)", connection))
        await using (var reader = await count.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (haveChats, haveMembers, haveMessages) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        // Sends add messages to the send chats, so a seed to reuse has at least the planned messages.
        if (haveChats == chats.Count && haveMembers == memberRows && haveMessages >= messageRows)
        {
            log.WriteLine($"Seed: {haveChats:N0} chats, {haveMembers:N0} members and {haveMessages:N0} messages already there.");
            await ExecuteAsync(connection, $"ANALYZE {Schema}.chats, {Schema}.chat_members, {Schema}.messages, {Schema}.message_hides");
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        var users = await LoadParticipantsAsync(connection);
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            // Truncated in this transaction, so every COPY below may FREEZE: rows land already frozen and visible to all.
            await ExecuteAsync(connection, $"TRUNCATE {Schema}.chats CASCADE");
            await LoadAsync(connection, "chats", chats.Count, () => CopyChatsAsync(connection, chats, users));
            // The members' triggers would count each member into chats.member_count and check that a direct chat has
            // its two users, a statement per row; the chats COPY wrote the counts, and the plan makes direct chats so.
            await ExecuteAsync(connection, $"ALTER TABLE {Schema}.chat_members {MemberTriggers("DISABLE")}");
            await LoadAsync(connection, "chat_members", memberRows, () => CopyMembersAsync(connection, chats, users));
            await ExecuteAsync(connection, $"ALTER TABLE {Schema}.chat_members {MemberTriggers("ENABLE")}");
            await LoadAsync(connection, "messages", messageRows, () => CopyMessagesAsync(connection, chats, users));
            var hidden = HiddenSeqs(chats[0]).ToList();
            await LoadAsync(connection, "message_hides", hidden.Count, () => CopyHidesAsync(connection, chats[0], hidden, users[BenchUser]));
            await transaction.CommitAsync();
        }
        log.WriteLine($"Seed: conversations committed in {stopwatch.Elapsed.TotalSeconds:F1} s.");

        // The visibility map and the statistics once, so the first benchmark does not pay for them.
        stopwatch.Restart();
        await ExecuteAsync(connection, $"VACUUM (ANALYZE) {Schema}.chats, {Schema}.chat_members, {Schema}.messages, {Schema}.message_hides");
        log.WriteLine($"Seed: VACUUM ANALYZE in {stopwatch.Elapsed.TotalSeconds:F1} s.");
    }

    private static string MemberTriggers(string action) => $"{action} TRIGGER chat_members_count, {action} TRIGGER chat_members_check_rules";

    private Task LoadAsync(NpgsqlConnection connection, string table, long rows, Func<Task> copy) =>
        BulkLoad.CopyAsync(connection, $"{Schema}.{table}", rows, copy, log);

    // The bench user has unread messages in two chats of three (BigChatUnread in the big group); the others in one of four.
    private static long LastRead(int chat, int user, long lastSeq) => user switch
    {
        BenchUser when chat == 0 => lastSeq - BigChatUnread,
        BenchUser => chat % 3 == 0 ? lastSeq : Math.Max(0, lastSeq - 1 - chat % 25),
        _ => (chat + user) % 4 == 0 ? Math.Max(0, lastSeq - 1 - (chat + user) % 20) : lastSeq,
    };

    /// <summary>The participants by number: users are numbered in phone order.</summary>
    private async Task<Guid[]> LoadParticipantsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand($"SELECT id FROM {Schema}.users ORDER BY phone LIMIT $1", connection);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = shape.Participants });
        await using var reader = await command.ExecuteReaderAsync();
        var users = new List<Guid>(shape.Participants);
        while (await reader.ReadAsync())
            users.Add(reader.GetGuid(0));
        return [.. users];
    }

    private static async Task CopyChatsAsync(NpgsqlConnection connection, List<PlannedChat> chats, Guid[] users)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            $"""
            COPY {Schema}.chats (id, type, name, slug, created_by, direct_key, last_seq, last_message_id, last_message_at, message_count,
                member_count, created_at, updated_at) FROM STDIN (FORMAT BINARY, FREEZE)
            """);
        foreach (var chat in chats)
        {
            var any = chat.Messages > 0;
            await writer.StartRowAsync();
            await writer.WriteAsync(chat.Id, NpgsqlDbType.Uuid);
            await writer.WriteAsync(chat.Type, NpgsqlDbType.Text);
            await WriteOrNullAsync(writer, chat.Name, NpgsqlDbType.Varchar);
            await WriteOrNullAsync(writer, chat.Slug, NpgsqlDbType.Varchar);
            await writer.WriteAsync(users[chat.Members[0]], NpgsqlDbType.Uuid);
            await WriteOrNullAsync(writer, chat.Type == "direct" ? DirectKey(users[chat.Members[0]], users[chat.Members[1]]) : null, NpgsqlDbType.Text);
            await writer.WriteAsync((long)chat.Messages, NpgsqlDbType.Bigint);
            await WriteOrNullAsync<Guid>(writer, any ? chat.MessageId(chat.Messages) : null, NpgsqlDbType.Uuid);
            await WriteOrNullAsync<DateTimeOffset>(writer, any ? chat.LastActivity : null, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(chat.LiveMessages, NpgsqlDbType.Bigint);
            await writer.WriteAsync(chat.Members.Length, NpgsqlDbType.Integer);
            await writer.WriteAsync(chat.CreatedAt, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(chat.CreatedAt, NpgsqlDbType.TimestampTz);
        }
        await writer.CompleteAsync();
    }

    /// <summary>The library's key, least(a, b)::text || ':' || greatest(a, b)::text: uuid order is the order of its lower-case text.</summary>
    private static string DirectKey(Guid a, Guid b) =>
        string.CompareOrdinal(a.ToString(), b.ToString()) < 0 ? $"{a}:{b}" : $"{b}:{a}";

    private static async Task CopyMembersAsync(NpgsqlConnection connection, List<PlannedChat> chats, Guid[] users)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {Schema}.chat_members (chat_id, user_id, role, joined_at, last_read_seq, last_read_at, last_delivered_seq, last_delivered_at, pinned_at) FROM STDIN (FORMAT BINARY, FREEZE)");
        foreach (var chat in chats)
        {
            for (var j = 0; j < chat.Members.Length; j++)
            {
                var user = chat.Members[j];
                var lastRead = LastRead(chat.Index, user, chat.Messages);
                DateTimeOffset? markedAt = chat.Messages > 0 ? chat.LastActivity : null;
                await writer.StartRowAsync();
                await writer.WriteAsync(chat.Id, NpgsqlDbType.Uuid);
                await writer.WriteAsync(users[user], NpgsqlDbType.Uuid);
                await writer.WriteAsync(chat.Type == "group" && j == 0 ? "owner" : "member", NpgsqlDbType.Text);
                await writer.WriteAsync(chat.CreatedAt, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(lastRead, NpgsqlDbType.Bigint);
                await WriteOrNullAsync(writer, lastRead > 0 ? markedAt : null, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync((long)chat.Messages, NpgsqlDbType.Bigint);
                await WriteOrNullAsync(writer, markedAt, NpgsqlDbType.TimestampTz);
                // The bench user pins three chats, so the list's pinned-first order has something to do.
                await WriteOrNullAsync<DateTimeOffset>(writer, user == BenchUser && chat.Index is 7 or 23 or 61 ? chat.LastActivity.AddHours(-1) : null, NpgsqlDbType.TimestampTz);
            }
        }
        await writer.CompleteAsync();
    }

    /// <summary>Copies every chat's messages, oldest first.</summary>
    private static async Task CopyMessagesAsync(NpgsqlConnection connection, List<PlannedChat> chats, Guid[] users)
    {
        var random = new Random(7);
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {Schema}.messages (id, chat_id, seq, sender_id, content, deleted_at, deleted_by, created_at) FROM STDIN (FORMAT BINARY, FREEZE)");
        foreach (var chat in chats)
        {
            var (chatId, big) = (chat.Id, chat.Index == 0);
            for (long seq = 1; seq <= chat.Messages; seq++)
            {
                var at = chat.MessageAt(seq);
                var id = chat.MessageId(seq);
                var sender = users[chat.Members[random.Next(chat.Members.Length)]];
                var deleted = PlannedChat.IsDeleted(seq);
                await writer.StartRowAsync();
                await writer.WriteAsync(id, NpgsqlDbType.Uuid);
                await writer.WriteAsync(chatId, NpgsqlDbType.Uuid);
                await writer.WriteAsync(seq, NpgsqlDbType.Bigint);
                await writer.WriteAsync(sender, NpgsqlDbType.Uuid);
                // Deleted for everyone: content wiped, as the library leaves it.
                if (deleted)
                    await writer.WriteNullAsync();
                else
                    await writer.WriteAsync(big && SeedText.IsRare(seq) ? SeedText.Rare(random) : SeedText.Message(random), NpgsqlDbType.Text);
                await WriteOrNullAsync<DateTimeOffset>(writer, deleted ? at.AddMinutes(1) : null, NpgsqlDbType.TimestampTz);
                await WriteOrNullAsync<Guid>(writer, deleted ? sender : null, NpgsqlDbType.Uuid);
                await writer.WriteAsync(at, NpgsqlDbType.TimestampTz);
            }
        }
        await writer.CompleteAsync();
    }

    private static async Task CopyHidesAsync(NpgsqlConnection connection, PlannedChat bigChat, List<long> seqs, Guid userId)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {Schema}.message_hides (message_id, user_id) FROM STDIN (FORMAT BINARY, FREEZE)");
        foreach (var seq in seqs)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(bigChat.MessageId(seq), NpgsqlDbType.Uuid);
            await writer.WriteAsync(userId, NpgsqlDbType.Uuid);
        }
        await writer.CompleteAsync();
    }

    private static Task WriteOrNullAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type) where T : class =>
        value is null ? writer.WriteNullAsync() : writer.WriteAsync(value, type);

    private static Task WriteOrNullAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type) where T : struct =>
        value is { } v ? writer.WriteAsync(v, type) : writer.WriteNullAsync();

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}
