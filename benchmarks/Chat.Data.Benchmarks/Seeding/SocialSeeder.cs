using System.Diagnostics;
using Chat.Data.Benchmarks.Host;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Data.Benchmarks.Seeding;

/// <summary>
/// The rows the social benchmarks read, on top of the conversations: reactions on a page of big-group
/// messages, a gallery of attachments in the big group, and blocks between the bench user and the users
/// whose phones the contact sync finds. Checked by its own tables' counts, so a database seeded before
/// these rows existed gets them added; written by binary COPY in one transaction.
/// </summary>
internal sealed class SocialSeeder(NpgsqlDataSource dataSource, TextWriter log)
{
    private const string Schema = BenchDatabase.Schema;

    /// <summary>
    /// The reacted page: big-group seqs from here, <see cref="ReactedMessages"/> of them. Mid-history on purpose:
    /// the history benchmarks' pages (the newest 50, and seq 51 to 100) stay without reactions, so the library's
    /// history pages still skip their extras round trip and their comparison with the other ways holds. Clear of
    /// the attached seqs (x50) and of messages deleted for everyone (seq % 97 = 13: 50,065 and 50,162).
    /// </summary>
    public const long FirstReactedSeq = 50_066;

    public const int ReactedMessages = 50;

    /// <summary>Reactions per reacted message, from distinct (user, emoji) pairs of big-group members.</summary>
    private const int ReactionsPerMessage = 12;

    private static readonly string[] Emojis = ["👍", "❤️", "😂", "🎉", "🙏"];

    // Attachments on big-group messages seq 1,050, 1,150, ..., 99,850 (none on the history benchmarks' pages):
    // three in five images (593), then a video and a file.
    private const long FirstAttachedSeq = 1_050;
    private const long LastAttachedSeq = 99_850;
    private const long AttachedEvery = 100;

    /// <summary>Users by number whose phones the contact sync sends as registered ones: <see cref="SyncedUsers"/> from here.</summary>
    public const int FirstSyncedUser = 1_000;

    public const int SyncedUsers = 500;

    /// <summary>Of the synced users, the first 10 even ones are blocked by the bench user and the first 10 odd ones block the bench user.</summary>
    public const int BlocksEachWay = 10;

    private static int AttachmentRows => (int)((LastAttachedSeq - FirstAttachedSeq) / AttachedEvery + 1);

    public static bool IsImage(long seq) => seq / AttachedEvery % 5 < 3;

    public async Task SeedAsync()
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var planned = (Reactions: (long)ReactedMessages * ReactionsPerMessage, Attachments: (long)AttachmentRows, Blocks: 2L * BlocksEachWay);
        (long, long, long) have;
        await using (var count = new NpgsqlCommand(
            $"SELECT (SELECT count(*) FROM {Schema}.message_reactions), (SELECT count(*) FROM {Schema}.message_attachments), (SELECT count(*) FROM {Schema}.user_blocks)", connection))
        await using (var reader = await count.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            have = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        if (have == planned)
        {
            log.WriteLine($"Seed: {have.Item1:N0} reactions, {have.Item2:N0} attachments and {have.Item3:N0} blocks already there.");
            await ExecuteAsync(connection, $"ANALYZE {Schema}.message_reactions, {Schema}.message_attachments, {Schema}.user_blocks");
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        var users = await LoadUsersAsync(connection);
        var chatId = await ScalarAsync<Guid>(connection, $"SELECT id FROM {Schema}.chats WHERE slug = '{ConversationSeeder.BigChatSlug}'");
        var messages = await LoadMessagesAsync(connection, chatId);
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await ExecuteAsync(connection, $"TRUNCATE {Schema}.message_reactions, {Schema}.message_attachments, {Schema}.user_blocks");
            await TimedAsync("reactions", planned.Reactions, () => CopyReactionsAsync(connection, chatId, messages, users));
            await TimedAsync("attachments", planned.Attachments, () => CopyAttachmentsAsync(connection, chatId, messages));
            await TimedAsync("blocks", planned.Blocks, () => CopyBlocksAsync(connection, users));
            await transaction.CommitAsync();
        }
        await ExecuteAsync(connection, $"VACUUM (ANALYZE) {Schema}.message_reactions, {Schema}.message_attachments, {Schema}.user_blocks");
        log.WriteLine($"Seed: reactions, attachments and blocks ready in {stopwatch.Elapsed.TotalSeconds:F2} s.");
    }

    private async Task TimedAsync(string table, long rows, Func<Task> copy)
    {
        var stopwatch = Stopwatch.StartNew();
        await copy();
        log.WriteLine($"Seed: {DataSeeder.Rate(rows, table, stopwatch.Elapsed)}.");
    }

    /// <summary>The first users by phone (users are numbered in phone order), enough for the big group and the synced ones.</summary>
    private static async Task<Guid[]> LoadUsersAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand($"SELECT id FROM {Schema}.users ORDER BY phone LIMIT $1", connection);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = FirstSyncedUser + SyncedUsers });
        await using var reader = await command.ExecuteReaderAsync();
        var users = new List<Guid>();
        while (await reader.ReadAsync())
            users.Add(reader.GetGuid(0));
        return [.. users];
    }

    /// <summary>The reacted and the attached big-group messages by seq: id and created_at as stored.</summary>
    private static async Task<Dictionary<long, (Guid Id, DateTimeOffset At)>> LoadMessagesAsync(NpgsqlConnection connection, Guid chatId)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT seq, id, created_at FROM {Schema}.messages
            WHERE chat_id = $1 AND (seq BETWEEN $2 AND $3 OR (seq BETWEEN $4 AND $5 AND seq % $6 = $4 % $6))
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = chatId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = FirstReactedSeq });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = FirstReactedSeq + ReactedMessages - 1 });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = FirstAttachedSeq });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LastAttachedSeq });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = AttachedEvery });
        await using var reader = await command.ExecuteReaderAsync();
        var messages = new Dictionary<long, (Guid, DateTimeOffset)>();
        while (await reader.ReadAsync())
            messages[reader.GetInt64(0)] = (reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(2));
        return messages.Count == ReactedMessages + AttachmentRows
            ? messages
            : throw new InvalidOperationException($"The big group lacks the messages to react to and attach to ({messages.Count} found).");
    }

    // Per message: 12 big-group members, each with one of five emoji, a second apart; the bench user on every other message.
    private static async Task CopyReactionsAsync(NpgsqlConnection connection, Guid chatId, Dictionary<long, (Guid Id, DateTimeOffset At)> messages, Guid[] users)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {Schema}.message_reactions (message_id, chat_id, user_id, emoji, created_at) FROM STDIN (FORMAT BINARY)");
        for (var k = 0; k < ReactedMessages; k++)
        {
            var (id, at) = messages[FirstReactedSeq + k];
            for (var j = 0; j < ReactionsPerMessage; j++)
            {
                // 13 * 11 < 200 members: distinct users; user 0 (the bench user) only where j = 0 and k is even.
                var user = j == 0 ? (k % 2 == 0 ? ConversationSeeder.BenchUser : 1 + k) : (k * 3 + j * 13) % 199 + 1;
                await writer.StartRowAsync();
                await writer.WriteAsync(id, NpgsqlDbType.Uuid);
                await writer.WriteAsync(chatId, NpgsqlDbType.Uuid);
                await writer.WriteAsync(users[user], NpgsqlDbType.Uuid);
                await writer.WriteAsync(Emojis[(j + k) % Emojis.Length], NpgsqlDbType.Varchar);
                await writer.WriteAsync(at.AddSeconds(j + 1), NpgsqlDbType.TimestampTz);
            }
        }
        await writer.CompleteAsync();
    }

    private static async Task CopyAttachmentsAsync(NpgsqlConnection connection, Guid chatId, Dictionary<long, (Guid Id, DateTimeOffset At)> messages)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            $"""
            COPY {Schema}.message_attachments (id, message_id, chat_id, kind, file_name, mime_type, size_bytes, storage_key,
                thumbnail_key, width, height, duration_ms, sort_order, scan_status, created_at) FROM STDIN (FORMAT BINARY)
            """);
        for (var seq = FirstAttachedSeq; seq <= LastAttachedSeq; seq += AttachedEvery)
        {
            var (messageId, messageAt) = messages[seq];
            var at = messageAt.AddSeconds(1);
            var (kind, name, mime) = IsImage(seq) ? ("image", $"IMG_{seq}.jpg", "image/jpeg")
                : seq / AttachedEvery % 5 == 3 ? ("video", $"VID_{seq}.mp4", "video/mp4")
                : ("file", $"report-{seq}.pdf", "application/pdf");
            var visual = kind != "file";
            var id = Guid.CreateVersion7(at);
            await writer.StartRowAsync();
            await writer.WriteAsync(id, NpgsqlDbType.Uuid);
            await writer.WriteAsync(messageId, NpgsqlDbType.Uuid);
            await writer.WriteAsync(chatId, NpgsqlDbType.Uuid);
            await writer.WriteAsync(kind, NpgsqlDbType.Text);
            await writer.WriteAsync(name, NpgsqlDbType.Varchar);
            await writer.WriteAsync(mime, NpgsqlDbType.Varchar);
            await writer.WriteAsync(100_000L + seq * 7, NpgsqlDbType.Bigint);
            await writer.WriteAsync($"chats/{chatId:N}/{id:N}", NpgsqlDbType.Varchar);
            await WriteOrNullAsync(writer, visual ? $"chats/{chatId:N}/{id:N}-thumb" : null);
            await WriteOrNullAsync(writer, visual ? 1280 : (int?)null);
            await WriteOrNullAsync(writer, visual ? 960 : (int?)null);
            await WriteOrNullAsync(writer, kind == "video" ? 15_000 + (int)(seq % 60) * 1_000 : (int?)null);
            await writer.WriteAsync(0, NpgsqlDbType.Integer);
            await writer.WriteAsync("clean", NpgsqlDbType.Text);
            await writer.WriteAsync(at, NpgsqlDbType.TimestampTz);
        }
        await writer.CompleteAsync();
    }

    private static async Task CopyBlocksAsync(NpgsqlConnection connection, Guid[] users)
    {
        var bench = users[ConversationSeeder.BenchUser];
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {Schema}.user_blocks (blocker_id, blocked_id) FROM STDIN (FORMAT BINARY)");
        for (var i = 0; i < BlocksEachWay; i++)
        {
            var (blocked, blocker) = (users[FirstSyncedUser + 2 * i], users[FirstSyncedUser + 2 * i + 1]);
            await writer.StartRowAsync();
            await writer.WriteAsync(bench, NpgsqlDbType.Uuid);
            await writer.WriteAsync(blocked, NpgsqlDbType.Uuid);
            await writer.StartRowAsync();
            await writer.WriteAsync(blocker, NpgsqlDbType.Uuid);
            await writer.WriteAsync(bench, NpgsqlDbType.Uuid);
        }
        await writer.CompleteAsync();
    }

    private static Task WriteOrNullAsync(NpgsqlBinaryImporter writer, string? value) =>
        value is null ? writer.WriteNullAsync() : writer.WriteAsync(value, NpgsqlDbType.Varchar);

    private static Task WriteOrNullAsync(NpgsqlBinaryImporter writer, int? value) =>
        value is { } v ? writer.WriteAsync(v, NpgsqlDbType.Integer) : writer.WriteNullAsync();

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync() ?? throw new InvalidOperationException($"No result for: {sql}"));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}
