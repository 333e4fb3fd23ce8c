using System.Diagnostics;
using Chat.Data.Migrations;
using Chat.Data.ReadState;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Data.Benchmarks;

/// <summary>
/// The data of the read-state scaling suites, in schemas of their own so that no seed shape changes it: the
/// library's tables in <see cref="LibrarySchema"/> holding one group of <see cref="Messages"/> messages, and the
/// naive design (<see cref="NaiveReadReceipts"/>) holding a status row per message per recipient of that group.
/// For each unread count N the group has a counter (the unread-count benchmarks read it), a checker (the agreement
/// checks mark it and put it back) and <see cref="PoolSize"/> readers (mark read: each invocation marks a reader
/// nobody has marked), all N messages behind. Written by binary COPY when missing or different, so runs reuse it.
/// </summary>
internal sealed class ReadScalingData : IAsyncDisposable
{
    public const string LibrarySchema = "scaling";

    /// <summary>Messages in the group: the largest unread count.</summary>
    public const int Messages = 10_000;

    /// <summary>Readers per unread count for mark read: more than the mark-read suite's invocations of one benchmark.</summary>
    public const int PoolSize = 64;

    public static readonly int[] UnreadCounts = [10, 1_000, 10_000];

    private const string ChatSlug = "read-scaling";
    private const string Sender = "sender";
    private const string Naive = NaiveReadReceipts.Schema;

    private readonly ServiceProvider _services;
    private readonly Dictionary<string, Guid> _users;

    private ReadScalingData(ServiceProvider services, NpgsqlDataSource dataSource, Guid chat, Dictionary<string, Guid> users)
    {
        _services = services;
        _users = users;
        DataSource = dataSource;
        Chat = chat;
        Library = services.GetRequiredService<IReadStateRepository>();
        NaiveReceipts = new NaiveReadReceipts(dataSource);
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The group every benchmark of the suites works in.</summary>
    public Guid Chat { get; }

    /// <summary>The library as a host registers it, over <see cref="LibrarySchema"/>.</summary>
    public IReadStateRepository Library { get; }

    public NaiveReadReceipts NaiveReceipts { get; }

    public Guid Counter(int unread) => _users[$"counter_{unread}"];

    public Guid[] Readers(int unread) => [.. Enumerable.Range(0, PoolSize).Select(i => _users[Reader(unread, i)])];

    private Guid Checker(int unread) => _users[$"checker_{unread}"];

    private static string Reader(int unread, int i) => $"reader_{unread}_{i}";

    /// <summary>Every user but the sender (a recipient of every message), and how many messages behind they start.</summary>
    private static IEnumerable<(string Name, int Unread)> Recipients() =>
        UnreadCounts.SelectMany(n => new[] { ($"counter_{n}", n), ($"checker_{n}", n) }.Concat(Enumerable.Range(0, PoolSize).Select(i => (Reader(n, i), n))));

    /// <summary>
    /// Makes the data when missing, puts every library read mark back N behind, checks that both designs agree at
    /// <paramref name="unread"/>, and vacuums. With <paramref name="takeNaiveReaders"/> the naive rows of that unread
    /// count's readers are taken (rewritten first when an earlier run took them): mark read cannot undo itself.
    /// </summary>
    public static async Task<ReadScalingData> OpenAsync(int unread, bool takeNaiveReaders)
    {
        if (!UnreadCounts.Contains(unread))
            throw new ArgumentOutOfRangeException(nameof(unread), unread, $"The data has readers for {string.Join(", ", UnreadCounts)} unread only.");
        var dataSource = NpgsqlDataSource.Create(BenchDatabase.ConnectionString);
        await new ChatDataMigrator(dataSource, LibrarySchema).MigrateUpAsync();
        Guid chat;
        Dictionary<string, Guid> users;
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            chat = await FindChatAsync(connection) ?? await CopyLibraryDataAsync(connection);
            users = await LoadUsersAsync(connection);
            if (!await NaiveIsFreshAsync(connection, chat, takeNaiveReaders ? unread : null))
                await CopyNaiveDataAsync(connection, chat, users);
            if (takeNaiveReaders)
                await ExecuteAsync(connection, $"UPDATE {Naive}.pools SET taken = true WHERE unread = $1", unread);
        }

        var services = new ServiceCollection();
        services.AddChatData(o =>
        {
            o.ConnectionString = BenchDatabase.ConnectionString;
            o.Schema = LibrarySchema;
        });
        var data = new ReadScalingData(services.BuildServiceProvider(), dataSource, chat, users);
        await data.ResetLibraryMarksAsync();
        await data.CheckAgreementAsync(unread);
        await data.VacuumAsync();
        return data;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await DataSource.DisposeAsync();
    }

    /// <summary>Both designs count the counter's N unread, and take the checker from N unread to none; then the checker is put back.</summary>
    private async Task CheckAgreementAsync(int unread)
    {
        var counter = Counter(unread);
        Agree.Require(
            await Library.GetUnreadCountAsync(Chat, counter) == unread && await NaiveReceipts.GetUnreadCountAsync(Chat, counter) == unread,
            $"Unread count at {unread} unread");

        var checker = Checker(unread);
        var mark = await Library.MarkReadAsync(Chat, checker);
        var rows = await NaiveReceipts.MarkReadAsync(Chat, checker);
        Agree.Require(
            mark is { LastReadSeq: Messages, UnreadCount: 0 } && rows == unread &&
            await Library.GetUnreadCountAsync(Chat, checker) == 0 && await NaiveReceipts.GetUnreadCountAsync(Chat, checker) == 0,
            $"Mark read from {unread} unread");

        await using var connection = await DataSource.OpenConnectionAsync();
        await ExecuteAsync(connection,
            $"""
            UPDATE {NaiveReadReceipts.Table} s SET status = 'sent'
            FROM {LibrarySchema}.messages m
            WHERE s.user_id = $1 AND m.id = s.message_id AND m.seq > $2
            """,
            checker, Messages - unread);
        await ResetLibraryMarksAsync();
    }

    /// <summary>Every recipient's read and delivered marks N messages behind, and no read_marks rows.</summary>
    private async Task ResetLibraryMarksAsync()
    {
        var recipients = Recipients().ToList();
        await using var connection = await DataSource.OpenConnectionAsync();
        await ExecuteAsync(connection,
            $"""
            WITH forgotten AS (
                DELETE FROM {LibrarySchema}.read_marks WHERE chat_id = $1
            )
            UPDATE {LibrarySchema}.chat_members m
            SET last_read_seq = c.last_seq - r.unread, last_read_at = NULL,
                last_delivered_seq = c.last_seq - r.unread, last_delivered_at = NULL, unread_mention_count = 0
            FROM {LibrarySchema}.chats c, unnest($2::uuid[], $3::int[]) AS r (user_id, unread)
            WHERE c.id = $1 AND m.chat_id = $1 AND m.user_id = r.user_id
            """,
            Chat, recipients.Select(r => _users[r.Name]).ToArray(), recipients.Select(r => r.Unread).ToArray());
    }

    /// <summary>Dead rows of earlier benchmarks and checks gone, and the visibility map set, before every suite measures.</summary>
    private async Task VacuumAsync()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await ExecuteAsync(connection,
            $"VACUUM (ANALYZE) {NaiveReadReceipts.Table}, {LibrarySchema}.chats, {LibrarySchema}.chat_members, {LibrarySchema}.read_marks");
    }

    /// <summary>The group, when the schema holds exactly the data this class makes.</summary>
    private static async Task<Guid?> FindChatAsync(NpgsqlConnection connection)
    {
        var users = 1 + Recipients().Count();
        return await ExecuteAsync(connection,
            $"""
            SELECT c.id FROM {LibrarySchema}.chats c
            WHERE c.slug = $1 AND c.last_seq = $2 AND c.message_count = $2 AND c.member_count = $3
              AND (SELECT count(*) FROM {LibrarySchema}.users) = $3 AND (SELECT count(*) FROM {LibrarySchema}.chats) = 1
            """,
            ChatSlug, (long)Messages, users) as Guid?;
    }

    private static async Task<Dictionary<string, Guid>> LoadUsersAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand($"SELECT username, id FROM {LibrarySchema}.users", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var users = new Dictionary<string, Guid>();
        while (await reader.ReadAsync())
            users.Add(reader.GetString(0), reader.GetGuid(1));
        return users;
    }

    /// <summary>The users, the group with all of them as members, and its messages, one a minute up to now, in one transaction.</summary>
    private static async Task<Guid> CopyLibraryDataAsync(NpgsqlConnection connection)
    {
        var stopwatch = Stopwatch.StartNew();
        var now = DateTimeOffset.UtcNow;
        var names = Recipients().Select(r => r.Name).Prepend(Sender).ToList();
        var users = names.Select(_ => Guid.CreateVersion7(now.AddDays(-30))).ToList();
        var chat = Guid.CreateVersion7(now.AddDays(-30));
        await using var transaction = await connection.BeginTransactionAsync();
        // Also empties the naive table (its foreign keys point here): it is rewritten for the new ids.
        await ExecuteAsync(connection, $"TRUNCATE {LibrarySchema}.users, {LibrarySchema}.chats CASCADE");

        await using (var writer = await connection.BeginBinaryImportAsync(
            $"COPY {LibrarySchema}.users (id, username, display_name) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < names.Count; i++)
                await writer.WriteRowAsync(default, users[i], names[i], names[i]);
            await writer.CompleteAsync();
        }

        await ExecuteAsync(connection,
            $"INSERT INTO {LibrarySchema}.chats (id, type, name, slug, created_by, created_at) VALUES ($1, 'group', 'Read-state scaling', $2, $3, $4)",
            chat, ChatSlug, users[0], now.AddDays(-30));

        await using (var writer = await connection.BeginBinaryImportAsync(
            $"COPY {LibrarySchema}.chat_members (chat_id, user_id, role) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < users.Count; i++)
                await writer.WriteRowAsync(default, chat, users[i], i == 0 ? "owner" : "member");
            await writer.CompleteAsync();
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            $"COPY {LibrarySchema}.messages (id, chat_id, seq, sender_id, content, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (long seq = 1; seq <= Messages; seq++)
            {
                var at = now.AddMinutes(seq - Messages);
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.CreateVersion7(at), NpgsqlDbType.Uuid);
                await writer.WriteAsync(chat, NpgsqlDbType.Uuid);
                await writer.WriteAsync(seq, NpgsqlDbType.Bigint);
                await writer.WriteAsync(users[0], NpgsqlDbType.Uuid);
                await writer.WriteAsync($"Message {seq}", NpgsqlDbType.Text);
                await writer.WriteAsync(at, NpgsqlDbType.TimestampTz);
            }
            await writer.CompleteAsync();
        }

        await ExecuteAsync(connection,
            $"""
            UPDATE {LibrarySchema}.chats c
            SET last_seq = m.seq, message_count = m.seq, last_message_id = m.id, last_message_at = m.created_at
            FROM {LibrarySchema}.messages m
            WHERE c.id = $1 AND m.chat_id = $1 AND m.seq = $2
            """,
            chat, (long)Messages);
        await transaction.CommitAsync();
        Console.WriteLine($"Read scaling: {users.Count:N0} users and {Messages:N0} messages in {stopwatch.Elapsed.TotalSeconds:F2} s.");
        return chat;
    }

    /// <summary>
    /// Whether the naive table holds this group's rows, written by <see cref="CopyNaiveDataAsync"/> and, for
    /// <paramref name="toTake"/>, with readers no earlier benchmark has marked.
    /// </summary>
    private static async Task<bool> NaiveIsFreshAsync(NpgsqlConnection connection, Guid chat, int? toTake)
    {
        if (await ExecuteAsync(connection, $"SELECT to_regclass('{Naive}.pools')::text") is DBNull)
            return false;
        var fresh = (long)(await ExecuteAsync(connection,
            $"""
            SELECT count(*) FROM {Naive}.pools
            WHERE chat_id = $1 AND messages = $2 AND readers = $3 AND unread = ANY($4) AND NOT (taken AND unread = $5)
              AND EXISTS (SELECT FROM {NaiveReadReceipts.Table} s WHERE s.chat_id = $1)
            """,
            chat, Messages, PoolSize, UnreadCounts, toTake ?? -1))!;
        return fresh == UnreadCounts.Length;
    }

    /// <summary>
    /// The naive design's rows in the order it writes them, a row per recipient as each message is sent (so a
    /// reader's rows are spread over the table as in production), the newest N unread; then its indexes.
    /// </summary>
    private static async Task CopyNaiveDataAsync(NpgsqlConnection connection, Guid chat, Dictionary<string, Guid> users)
    {
        var stopwatch = Stopwatch.StartNew();
        var messages = new List<(Guid Id, DateTimeOffset At)>(Messages);
        await using (var command = new NpgsqlCommand($"SELECT id, created_at FROM {LibrarySchema}.messages WHERE chat_id = $1 ORDER BY seq", connection))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = chat });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                messages.Add((reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1)));
        }
        var recipients = Recipients().Select(r => (Id: users[r.Name], FirstUnread: Messages - r.Unread + 1)).ToList();

        await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {Naive} CASCADE");
        await ExecuteAsync(connection, $"CREATE SCHEMA {Naive}");
        await ExecuteAsync(connection, NaiveReadReceipts.TableDdl);
        long rows = 0;
        await using (var writer = await connection.BeginBinaryImportAsync(
            $"COPY {NaiveReadReceipts.Table} (message_id, user_id, chat_id, status, updated_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var seq = 1; seq <= messages.Count; seq++)
            {
                var (message, at) = messages[seq - 1];
                foreach (var (user, firstUnread) in recipients)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(message, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(user, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(chat, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(seq >= firstUnread ? "sent" : "read", NpgsqlDbType.Varchar);
                    await writer.WriteAsync(at, NpgsqlDbType.TimestampTz);
                    rows++;
                }
            }
            await writer.CompleteAsync();
        }
        var copied = stopwatch.Elapsed;
        await ExecuteAsync(connection, NaiveReadReceipts.IndexesDdl);
        await ExecuteAsync(connection,
            $"""
            CREATE TABLE {Naive}.pools (
                unread   integer PRIMARY KEY,
                chat_id  uuid    NOT NULL,
                messages integer NOT NULL,
                readers  integer NOT NULL,
                taken    boolean NOT NULL DEFAULT false
            )
            """);
        await ExecuteAsync(connection,
            $"INSERT INTO {Naive}.pools (unread, chat_id, messages, readers) SELECT u, $1, $2, $3 FROM unnest($4::int[]) u",
            chat, Messages, PoolSize, UnreadCounts);
        Console.WriteLine(
            $"Read scaling: {rows:N0} naive receipt rows in {copied.TotalSeconds:F2} s ({rows / copied.TotalSeconds:N0} rows/s), " +
            $"indexed in {(stopwatch.Elapsed - copied).TotalSeconds:F2} s.");
    }

    /// <summary>Runs one statement with positional parameters and no time limit, returning the first value it yields.</summary>
    private static async Task<object?> ExecuteAsync(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        foreach (var parameter in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return await command.ExecuteScalarAsync();
    }
}
