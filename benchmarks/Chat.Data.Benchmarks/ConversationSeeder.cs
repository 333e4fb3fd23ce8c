using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Data.Benchmarks;

/// <summary>
/// Chats, members, messages and "delete for me" hides for the conversation benchmarks: planned from fixed
/// random seeds, written by binary COPY in one transaction (a run never finds half a seed), after which one
/// statement sets the chats' denormalised columns from the messages the COPY wrote.
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

    // Deleted for everyone: the unread counts subtract them; seq 13 of most small chats, and about 1% of the big group.
    private static bool IsDeleted(long seq) => seq % 97 == 13;

    // Hidden by the bench user in the big group: one in the newest page, none in the deepest.
    private static bool IsHidden(long seq) => seq % 1_000 == 990;

    private sealed record PlannedChat(string Type, string? Name, string? Slug, int[] Members, int Messages, DateTimeOffset LastActivity, TimeSpan Spacing)
    {
        public DateTimeOffset MessageAt(long seq) => LastActivity - Spacing * (Messages - seq);

        public DateTimeOffset CreatedAt => MessageAt(1).AddHours(-1);
    }

    public async Task SeedAsync()
    {
        var chats = Plan(DateTimeOffset.UtcNow);
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
        List<Guid> hidden;
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await ExecuteAsync(connection, $"TRUNCATE {Schema}.chats CASCADE");
            var chatIds = await CopyChatsAsync(connection, chats, users);
            await CopyMembersAsync(connection, chats, chatIds, users);
            hidden = await CopyMessagesAsync(connection, chats, chatIds, users);
            await CopyHidesAsync(connection, hidden, users[BenchUser]);
            // member_count is already right: the table's own trigger counted the members as they were copied.
            await ExecuteAsync(connection,
                $"""
                UPDATE {Schema}.chats c
                SET last_seq = a.last_seq, message_count = a.live, last_message_id = m.id, last_message_at = m.created_at
                FROM (SELECT chat_id, max(seq) AS last_seq, count(*) FILTER (WHERE deleted_at IS NULL) AS live
                      FROM {Schema}.messages GROUP BY chat_id) a
                JOIN {Schema}.messages m ON m.chat_id = a.chat_id AND m.seq = a.last_seq
                WHERE c.id = a.chat_id
                """);
            await transaction.CommitAsync();
        }
        stopwatch.Stop();
        var rows = chats.Count + memberRows + messageRows + hidden.Count;
        log.WriteLine(
            $"Seed: {chats.Count:N0} chats, {memberRows:N0} members, {messageRows:N0} messages and {hidden.Count:N0} hides in " +
            $"{stopwatch.Elapsed.TotalSeconds:F2} s ({rows / stopwatch.Elapsed.TotalSeconds:N0} rows/s, {messageRows / stopwatch.Elapsed.TotalSeconds:N0} messages/s).");

        // Visibility map and statistics once, so the first benchmark does not pay for them.
        stopwatch.Restart();
        await ExecuteAsync(connection, $"VACUUM (ANALYZE) {Schema}.chats, {Schema}.chat_members, {Schema}.messages, {Schema}.message_hides");
        log.WriteLine($"Seed: VACUUM ANALYZE in {stopwatch.Elapsed.TotalSeconds:F2} s.");
    }

    /// <summary>The big group, the send chats, the bench user's other chats, then chats among the other participants.</summary>
    private List<PlannedChat> Plan(DateTimeOffset now)
    {
        var random = new Random(2026);
        var chats = new List<PlannedChat>
        {
            // A message every 30 seconds for about five weeks.
            new("group", "Big group", BigChatSlug, [.. Enumerable.Range(0, shape.BigChatMembers)], shape.BigChatMessages, now.AddMinutes(-1), TimeSpan.FromSeconds(30)),
        };
        chats.AddRange(SendChatSlugs.Select(slug => new PlannedChat("group", slug, slug, [Sender], 0, now.AddDays(-1), TimeSpan.Zero)));

        // The bench user's: every fourth a small group, the others direct chats with distinct partners, active from minutes to days ago.
        for (var i = 1; i < shape.BenchUserChats; i++)
        {
            var group = i % 4 == 0;
            chats.Add(Small(random, group, group ? [BenchUser, .. Pick(random, 2, 11)] : [BenchUser, shape.Participants - 1 - i], now.AddMinutes(-45 * i - random.Next(45))));
        }

        var pairs = new HashSet<(int, int)>();
        for (var i = 0; i < shape.OtherChats; i++)
        {
            var group = i % 3 == 0;
            int[] members;
            do
                members = Pick(random, group ? 3 : 2, group ? 20 : 2);
            while (!group && !pairs.Add((Math.Min(members[0], members[1]), Math.Max(members[0], members[1]))));
            chats.Add(Small(random, group, members, now.AddMinutes(-random.Next(60 * 24 * 30))));
        }
        return chats;
    }

    private PlannedChat Small(Random random, bool group, int[] members, DateTimeOffset lastActivity) =>
        new(group ? "group" : "direct", group ? "Group" : null, null, members,
            random.Next(shape.MessagesPerChat / 2, shape.MessagesPerChat * 3 / 2 + 1), lastActivity, TimeSpan.FromMinutes(7));

    /// <summary>Distinct participants other than the bench user and the readers, between min and max of them.</summary>
    private int[] Pick(Random random, int min, int max)
    {
        var picked = new HashSet<int>();
        var count = random.Next(min, max + 1);
        while (picked.Count < count)
            picked.Add(random.Next(FirstReader + Readers, shape.Participants));
        return [.. picked];
    }

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

    private static async Task<Guid[]> CopyChatsAsync(NpgsqlConnection connection, List<PlannedChat> chats, Guid[] users)
    {
        var ids = new Guid[chats.Count];
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {Schema}.chats (id, type, name, slug, created_by, direct_key, created_at, updated_at) FROM STDIN (FORMAT BINARY)");
        for (var i = 0; i < chats.Count; i++)
        {
            var chat = chats[i];
            ids[i] = Guid.CreateVersion7(chat.CreatedAt);
            await writer.StartRowAsync();
            await writer.WriteAsync(ids[i], NpgsqlDbType.Uuid);
            await writer.WriteAsync(chat.Type, NpgsqlDbType.Text);
            await WriteOrNullAsync(writer, chat.Name, NpgsqlDbType.Varchar);
            await WriteOrNullAsync(writer, chat.Slug, NpgsqlDbType.Varchar);
            await writer.WriteAsync(users[chat.Members[0]], NpgsqlDbType.Uuid);
            await WriteOrNullAsync(writer, chat.Type == "direct" ? DirectKey(users[chat.Members[0]], users[chat.Members[1]]) : null, NpgsqlDbType.Text);
            await writer.WriteAsync(chat.CreatedAt, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(chat.CreatedAt, NpgsqlDbType.TimestampTz);
        }
        await writer.CompleteAsync();
        return ids;
    }

    /// <summary>The library's key, least(a, b)::text || ':' || greatest(a, b)::text: uuid order is the order of its lower-case text.</summary>
    private static string DirectKey(Guid a, Guid b) =>
        string.CompareOrdinal(a.ToString(), b.ToString()) < 0 ? $"{a}:{b}" : $"{b}:{a}";

    private static async Task CopyMembersAsync(NpgsqlConnection connection, List<PlannedChat> chats, Guid[] chatIds, Guid[] users)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {Schema}.chat_members (chat_id, user_id, role, joined_at, last_read_seq, last_read_at, last_delivered_seq, last_delivered_at, pinned_at) FROM STDIN (FORMAT BINARY)");
        for (var i = 0; i < chats.Count; i++)
        {
            var chat = chats[i];
            for (var j = 0; j < chat.Members.Length; j++)
            {
                var user = chat.Members[j];
                var lastRead = LastRead(i, user, chat.Messages);
                DateTimeOffset? markedAt = chat.Messages > 0 ? chat.LastActivity : null;
                await writer.StartRowAsync();
                await writer.WriteAsync(chatIds[i], NpgsqlDbType.Uuid);
                await writer.WriteAsync(users[user], NpgsqlDbType.Uuid);
                await writer.WriteAsync(chat.Type == "group" && j == 0 ? "owner" : "member", NpgsqlDbType.Text);
                await writer.WriteAsync(chat.CreatedAt, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(lastRead, NpgsqlDbType.Bigint);
                await WriteOrNullAsync(writer, lastRead > 0 ? markedAt : null, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync((long)chat.Messages, NpgsqlDbType.Bigint);
                await WriteOrNullAsync(writer, markedAt, NpgsqlDbType.TimestampTz);
                // The bench user pins three chats, so the list's pinned-first order has something to do.
                await WriteOrNullAsync<DateTimeOffset>(writer, user == BenchUser && i is 7 or 23 or 61 ? chat.LastActivity.AddHours(-1) : null, NpgsqlDbType.TimestampTz);
            }
        }
        await writer.CompleteAsync();
    }

    /// <summary>Copies every chat's messages, oldest first; returns the big-group messages the bench user hides.</summary>
    private static async Task<List<Guid>> CopyMessagesAsync(NpgsqlConnection connection, List<PlannedChat> chats, Guid[] chatIds, Guid[] users)
    {
        var random = new Random(7);
        var hidden = new List<Guid>();
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {Schema}.messages (id, chat_id, seq, sender_id, content, deleted_at, deleted_by, created_at) FROM STDIN (FORMAT BINARY)");
        for (var i = 0; i < chats.Count; i++)
        {
            var chat = chats[i];
            for (long seq = 1; seq <= chat.Messages; seq++)
            {
                var at = chat.MessageAt(seq);
                var id = Guid.CreateVersion7(at);
                var sender = users[chat.Members[random.Next(chat.Members.Length)]];
                var deleted = IsDeleted(seq);
                if (i == 0 && IsHidden(seq))
                    hidden.Add(id);
                await writer.StartRowAsync();
                await writer.WriteAsync(id, NpgsqlDbType.Uuid);
                await writer.WriteAsync(chatIds[i], NpgsqlDbType.Uuid);
                await writer.WriteAsync(seq, NpgsqlDbType.Bigint);
                await writer.WriteAsync(sender, NpgsqlDbType.Uuid);
                // Deleted for everyone: content wiped, as the library leaves it.
                await WriteOrNullAsync(writer, deleted ? null : SeedText.Message(random, seq), NpgsqlDbType.Text);
                await WriteOrNullAsync<DateTimeOffset>(writer, deleted ? at.AddMinutes(1) : null, NpgsqlDbType.TimestampTz);
                await WriteOrNullAsync<Guid>(writer, deleted ? sender : null, NpgsqlDbType.Uuid);
                await writer.WriteAsync(at, NpgsqlDbType.TimestampTz);
            }
        }
        await writer.CompleteAsync();
        return hidden;
    }

    private static async Task CopyHidesAsync(NpgsqlConnection connection, List<Guid> messageIds, Guid userId)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {Schema}.message_hides (message_id, user_id) FROM STDIN (FORMAT BINARY)");
        foreach (var messageId in messageIds)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(messageId, NpgsqlDbType.Uuid);
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
