using System.Diagnostics;
using Chat.Data.Benchmarks.Baselines;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Benchmarks.Suites;
using Chat.Data.Migrations;
using Chat.Data.ReadState;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Data.Benchmarks.Seeding;

/// <summary>
/// The data of the read-state scaling suites, in schemas of their own so that no seed shape changes it: the
/// library's tables in <see cref="LibrarySchema"/> holding one group of <see cref="Messages"/> messages, and the
/// naive design (<see cref="NaiveReadReceipts"/>) holding a status row per message per recipient of that group.
/// For each unread count N the group has a counter (the unread-count benchmarks read it), a checker (the mark-read
/// agreement check marks it and puts it back) and <see cref="PoolSize"/> readers (mark read: each invocation marks a
/// reader nobody has marked), all N messages behind. Written by binary COPY when missing or different, so runs reuse it.
/// </summary>
/// <remarks>
/// The naive table is copied frozen (all-visible from the start, whatever other transactions run on the server), the
/// counters' rows first and apart from the rows that marks change: marks clear the visibility of the pages they touch,
/// and a VACUUM cannot restore it while any older transaction runs, which would turn the naive counts' index-only scans
/// into heap visits. For the same reason the unread-count suite rewrites the table once any mark touched it.
/// </remarks>
internal sealed class ReadScalingData : IAsyncDisposable
{
    public const string LibrarySchema = "scaling";

    /// <summary>Messages in the group: the largest unread count.</summary>
    public const int Messages = 10_000;

    /// <summary>Readers per unread count for mark read: one per invocation of a mark-read benchmark.</summary>
    public const int PoolSize = MarkReadScalingBenchmarks.ReadersNeeded;

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

    /// <summary>The users whose rows are only read: how many messages behind they are.</summary>
    private static IEnumerable<(string Name, int Unread)> Counters() => UnreadCounts.Select(n => ($"counter_{n}", n));

    /// <summary>The users whose rows marks change: how many messages behind they start.</summary>
    private static IEnumerable<(string Name, int Unread)> Markers() =>
        UnreadCounts.SelectMany(n => Enumerable.Range(0, PoolSize).Select(i => (Reader(n, i), n)).Prepend(($"checker_{n}", n)));

    /// <summary>Every user but the sender: the recipients of every message.</summary>
    private static IEnumerable<(string Name, int Unread)> Recipients() => Counters().Concat(Markers());

    /// <summary>
    /// Makes the data when missing (or, for <paramref name="use"/>, spent), puts every library read mark back N behind,
    /// checks that both designs agree on the operation the suite measures at <paramref name="unread"/>, and settles the
    /// server (<see cref="SettleAsync"/>).
    /// </summary>
    public static async Task<ReadScalingData> OpenAsync(int unread, ReadScalingUse use)
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
            if (!await NaiveIsReadyAsync(connection, chat, use, unread))
                await CopyNaiveDataAsync(connection, chat, users);
            if (use != ReadScalingUse.Count)
                await ExecuteAsync(connection, $"UPDATE {Naive}.pools SET marked = true, taken = taken OR $2 WHERE unread = $1", unread, use == ReadScalingUse.MarkNaive);
        }

        var services = new ServiceCollection();
        services.AddChatData(o =>
        {
            o.ConnectionString = BenchDatabase.ConnectionString;
            o.Schema = LibrarySchema;
        });
        var data = new ReadScalingData(services.BuildServiceProvider(), dataSource, chat, users);
        await data.ResetLibraryMarksAsync();
        if (use == ReadScalingUse.Count)
            await data.CheckCountsAgreeAsync(unread);
        else
            await data.CheckMarksAgreeAsync(unread);
        await data.SettleAsync();
        return data;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await DataSource.DisposeAsync();
    }

    /// <summary>Both designs count the counter's N unread.</summary>
    private async Task CheckCountsAgreeAsync(int unread)
    {
        var counter = Counter(unread);
        Agree.Require(
            await Library.GetUnreadCountAsync(Chat, counter) == unread && await NaiveReceipts.GetUnreadCountAsync(Chat, counter) == unread,
            $"Unread count at {unread} unread");
    }

    /// <summary>Both designs take the checker from N unread to none; then the checker is put back.</summary>
    private async Task CheckMarksAgreeAsync(int unread)
    {
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

    /// <summary>
    /// Every recipient's read and delivered marks N messages behind, and no read_marks rows. Rows already there are
    /// left alone: each rewrite adds a row version that only a VACUUM outside any older transaction can remove.
    /// </summary>
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
              AND (m.last_read_seq, m.last_delivered_seq, m.unread_mention_count) IS DISTINCT FROM (c.last_seq - r.unread, c.last_seq - r.unread, 0)
            """,
            Chat, recipients.Select(r => _users[r.Name]).ToArray(), recipients.Select(r => r.Unread).ToArray());
    }

    /// <summary>
    /// Before every benchmark: the dead rows of earlier ones vacuumed (as far as older transactions allow), and the pages
    /// they, a COPY or the checks dirtied written out, so that no benchmark pays for an earlier one's writes.
    /// </summary>
    private async Task SettleAsync()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await ExecuteAsync(connection,
            $"VACUUM (ANALYZE) {NaiveReadReceipts.Table}, {LibrarySchema}.chats, {LibrarySchema}.chat_members, {LibrarySchema}.read_marks");
        try
        {
            await ExecuteAsync(connection, "CHECKPOINT");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // CHECKPOINT takes a superuser or pg_checkpoint: without one, the benchmarks share the writes as they come.
        }
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
    /// Whether the naive table holds this group's rows as <see cref="CopyNaiveDataAsync"/> wrote them, as far as
    /// <paramref name="use"/> needs: untouched by marks for counts, with the readers of <paramref name="unread"/> not
    /// yet marked for naive marks.
    /// </summary>
    private static async Task<bool> NaiveIsReadyAsync(NpgsqlConnection connection, Guid chat, ReadScalingUse use, int unread)
    {
        if (await ExecuteAsync(connection, $"SELECT to_regclass('{Naive}.pools')::text") is DBNull)
            return false;
        var ready = (long)(await ExecuteAsync(connection,
            $"""
            SELECT count(*) FROM {Naive}.pools
            WHERE chat_id = $1 AND messages = $2 AND readers = $3 AND unread = ANY($4)
              AND NOT (marked AND $5) AND NOT (taken AND unread = $6)
              AND EXISTS (SELECT FROM {NaiveReadReceipts.Table} s WHERE s.chat_id = $1)
            """,
            chat, Messages, PoolSize, UnreadCounts, use == ReadScalingUse.Count, use == ReadScalingUse.MarkNaive ? unread : -1))!;
        return ready == UnreadCounts.Length;
    }

    /// <summary>
    /// The naive design's rows, the newest N of each recipient unread, in the order it writes them (a row per recipient
    /// as each message is sent, so a reader's rows are spread over the table as in production): the counters' rows,
    /// then the rows marks change. Copied frozen in the transaction that creates the table; then its indexes.
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
        var blocks = new[] { Counters(), Markers() }
            .Select(block => block.Select(r => (Id: users[r.Name], FirstUnread: Messages - r.Unread + 1)).ToList());

        long rows = 0;
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {Naive} CASCADE");
            await ExecuteAsync(connection, $"CREATE SCHEMA {Naive}");
            await ExecuteAsync(connection, NaiveReadReceipts.TableDdl);
            await using (var writer = await connection.BeginBinaryImportAsync(
                $"COPY {NaiveReadReceipts.Table} (message_id, user_id, chat_id, status, updated_at) FROM STDIN (FORMAT BINARY, FREEZE)"))
            {
                foreach (var recipients in blocks)
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
                }
                await writer.CompleteAsync();
            }
            await transaction.CommitAsync();
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
                -- A mark changed rows of this count's checker or readers; its readers were marked.
                marked   boolean NOT NULL DEFAULT false,
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

/// <summary>What a suite's setup needs of <see cref="ReadScalingData"/>.</summary>
internal enum ReadScalingUse
{
    /// <summary>Unread counts: a naive table no mark has touched (rewritten otherwise); the ways' counts checked.</summary>
    Count,

    /// <summary>The library's marks (every setup puts them back); the ways' marks checked.</summary>
    MarkChatData,

    /// <summary>The naive marks: readers nobody has marked (rewritten otherwise), taken; the ways' marks checked.</summary>
    MarkNaive,
}
