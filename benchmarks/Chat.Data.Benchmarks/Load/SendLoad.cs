using System.Diagnostics;
using System.Text.RegularExpressions;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Messages;
using Chat.Data.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Data.Benchmarks.Load;

/// <summary>
/// Concurrent senders sending through the library for a while, into many chats or one hot chat, then
/// a check that every acknowledged message is stored once with contiguous seqs, then pgbench running
/// the library's own send statement at the same concurrency, one commit per message: the floor. Last,
/// the ceiling: a binary COPY of messages into the same tables, whose indexes, constraints and generated
/// column cost every row what they cost a send, with none of a statement's or a commit's overhead.
/// Each run gets a fresh database, so earlier runs' rows never slow it down.
/// </summary>
internal sealed partial class SendLoad(string name, int chats, int senders, double targetPerSecond)
{
    private const string Database = "chatdata_load";
    private const string Schema = "chat";
    private const string Content = "a message of about the length people type in a chat";

    // Messages already stored before the run, spread over the chats: statements are planned for tables
    // of a real size, not for the empty ones a fresh database starts with (where a scan beats an index).
    private const int History = 100_000;

    /// <summary>Each message to a random one of 1,000 chats every sender belongs to (the throughput target is for 32 senders).</summary>
    public static Task<bool> AcrossChatsAsync(int seconds, int senders) => new SendLoad("sends", chats: 1_000, senders, targetPerSecond: 5_000).RunAsync(seconds);

    /// <summary>Every sender into one chat: its row lock is the bottleneck (the throughput target is for 32 senders).</summary>
    public static Task<bool> HotChatAsync(int seconds, int senders) => new SendLoad("hot", chats: 1, senders, targetPerSecond: 1_500).RunAsync(seconds);

    // Ids the pgbench script can compute from a number: user n and chat n.
    private static Guid UserId(int n) => Guid.Parse($"00000000-0000-4000-8000-{n:D12}");

    private static Guid ChatId(int n) => Guid.Parse($"00000000-0000-4000-9000-{n:D12}");

    private async Task<bool> RunAsync(int seconds)
    {
        var connectionString = await CreateDatabaseAsync();
        var (warmUp, library) = await SendThroughLibraryAsync(connectionString, seconds);
        var verified = await VerifyAsync(connectionString, [.. warmUp.Acknowledged, .. library.Acknowledged]);
        var floor = await PgBenchAsync(connectionString, seconds);
        var ceiling = await CopyAsync(connectionString, seconds);

        var ratio = library.PerSecond / floor;
        var spin = Environment.GetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit") ?? "the default";
        Console.WriteLine($"{name}: {senders} senders, {chats:N0} chat(s), {seconds} s, client thread-pool spin limit {spin}");
        Console.WriteLine($"  Chat.Data  {library.PerSecond,9:N0} msg/s  p50 {library.P50:F2} ms  p99 {library.P99:F2} ms  ({library.Acknowledged.Count:N0} sent, {library.Errors} errors; {warmUp.Acknowledged.Count:N0} before, in a {WarmUp.TotalSeconds:N0} s warm-up)");
        Console.WriteLine($"  pgbench    {floor,9:N0} msg/s  (the library's send statement, one commit per message)");
        Console.WriteLine($"  ratio {ratio:F2} of pgbench (target >= 0.70): {(ratio >= 0.7 ? "met" : "MISSED")}; " +
                          $"{library.PerSecond:N0}/s (target >= {targetPerSecond:N0}/s): {(library.PerSecond >= targetPerSecond ? "met" : "MISSED")}");
        Console.WriteLine($"  COPY       {ceiling,9:N0} rows/s (one binary COPY into the same tables: the ceiling)");
        Console.WriteLine($"  ratio {library.PerSecond / ceiling:F2} of COPY (aim >= 0.30): {(library.PerSecond / ceiling >= 0.3 ? "met" : "MISSED")}");
        Console.WriteLine($"  verify: {verified.Report}");
        return verified.Ok && warmUp.Errors + library.Errors == 0;
    }

    /// <summary>A fresh migrated database with the senders, the chats, every sender a member of every chat, and some history.</summary>
    private async Task<string> CreateDatabaseAsync()
    {
        await using (var server = NpgsqlDataSource.Create(BenchDatabase.ServerConnectionString))
        {
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
            await ExecuteAsync(server, $"CREATE DATABASE {Database}");
        }
        var connectionString = new NpgsqlConnectionStringBuilder(BenchDatabase.ServerConnectionString) { Database = Database }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new ChatDataMigrator(dataSource, Schema).MigrateUpAsync();
        await ExecuteAsync(dataSource,
            $"""
            INSERT INTO {Schema}.users (id, username, display_name)
            SELECT CAST('00000000-0000-4000-8000-' || lpad(n::text, 12, '0') AS uuid), 'load_sender_' || n, 'Sender ' || n
            FROM generate_series(1, {senders}) n;
            INSERT INTO {Schema}.chats (id, type, name, created_by)
            SELECT CAST('00000000-0000-4000-9000-' || lpad(n::text, 12, '0') AS uuid), 'group', 'Load ' || n, '{UserId(1)}'
            FROM generate_series(1, {chats}) n;
            INSERT INTO {Schema}.chat_members (chat_id, user_id, role)
            SELECT c.id, u.id, CASE WHEN u.id = c.created_by THEN 'owner' ELSE 'member' END
            FROM {Schema}.chats c CROSS JOIN {Schema}.users u;
            INSERT INTO {Schema}.messages (id, chat_id, seq, sender_id, type, content, created_at)
            SELECT gen_random_uuid(), c.id, s, CAST('00000000-0000-4000-8000-' || lpad((1 + s % {senders})::text, 12, '0') AS uuid),
                   'text', 'earlier message ' || s, now() - interval '1 day'
            FROM {Schema}.chats c CROSS JOIN generate_series(1, {History / chats}) s;
            UPDATE {Schema}.chats SET last_seq = {History / chats}, message_count = {History / chats};
            """);
        await ExecuteAsync(dataSource, "VACUUM ANALYZE");
        return connectionString;
    }

    private sealed record LibraryRun(List<Guid> Acknowledged, int Errors, double PerSecond, double P50, double P99);

    // Long enough for the JIT to reach its final tier: on 2 cores, the first seconds' compiling takes
    // CPU from the server and would be counted against the library.
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    private async Task<(LibraryRun WarmUp, LibraryRun Run)> SendThroughLibraryAsync(string connectionString, int seconds)
    {
        var services = new ServiceCollection();
        services.AddChatData(o => o.ConnectionString = connectionString);
        await using var provider = services.BuildServiceProvider();
        var messages = provider.GetRequiredService<IMessageRepository>();

        // Connections opened, statements prepared and code compiled before the clock starts; the
        // warm-up's messages are verified with the run's.
        var warmUp = await SendForAsync(messages, WarmUp, "warm-up");
        return (warmUp, await SendForAsync(messages, TimeSpan.FromSeconds(seconds), "load"));
    }

    /// <summary>Every sender sending to random chats, one message after another, for <paramref name="duration"/>.</summary>
    private async Task<LibraryRun> SendForAsync(IMessageRepository messages, TimeSpan duration, string clientIdPrefix)
    {
        var stopwatch = Stopwatch.StartNew();
        var runs = await Task.WhenAll(Enumerable.Range(1, senders).Select(s => Task.Run(async () =>
        {
            var random = new Random(s);
            var (acknowledged, latencies, errors) = (new List<Guid>(), new List<double>(), 0);
            for (var n = 0; stopwatch.Elapsed < duration; n++)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var message = await messages.SendAsync(new NewMessage
                    {
                        ChatId = ChatId(1 + random.Next(chats)), SenderId = UserId(s), Content = Content, ClientMessageId = $"{clientIdPrefix}-{n}",
                    });
                    acknowledged.Add(message.Id);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (ChatDataException e)
                {
                    errors++;
                    Console.Error.WriteLine($"  send failed: {e.Message}");
                }
            }
            return (acknowledged, latencies, errors);
        })));
        var elapsed = stopwatch.Elapsed.TotalSeconds;

        var all = runs.SelectMany(r => r.latencies).Order().ToArray();
        var acked = runs.SelectMany(r => r.acknowledged).ToList();
        return new LibraryRun(acked, runs.Sum(r => r.errors), acked.Count / elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, p * sorted.Length)];

    /// <summary>Every acknowledged message stored once, no other message with a client id, and each chat's seqs 1..n with its last_seq at n.</summary>
    private async Task<(bool Ok, string Report)> VerifyAsync(string connectionString, List<Guid> acknowledged)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT (SELECT count(*) FROM {Schema}.messages WHERE client_msg_id IS NOT NULL),
                   (SELECT count(*) FROM {Schema}.messages WHERE id = ANY($1)),
                   (SELECT count(*) FROM (
                       SELECT c.id FROM {Schema}.chats c LEFT JOIN {Schema}.messages m ON m.chat_id = c.id
                       GROUP BY c.id, c.last_seq
                       HAVING count(m.id) <> c.last_seq OR count(DISTINCT m.seq) <> c.last_seq OR coalesce(max(m.seq), 0) <> c.last_seq) broken)
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. acknowledged] });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (stored, found, brokenChats) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        var distinct = acknowledged.Distinct().Count();
        var ok = stored == acknowledged.Count && found == acknowledged.Count && distinct == acknowledged.Count && brokenChats == 0;
        return (ok, $"{acknowledged.Count:N0} acknowledged, {distinct:N0} distinct, {found:N0} of them stored, {stored:N0} stored in all, " +
                    $"{brokenChats} chats with a seq gap or duplicate: {(ok ? "nothing lost or duplicated" : "FAILED")}");
    }

    /// <summary>Messages per second pgbench manages with the library's send statement at the same concurrency.</summary>
    private async Task<double> PgBenchAsync(string connectionString, int seconds)
    {
        var script = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(script, PgBenchScript());
            var server = new NpgsqlConnectionStringBuilder(connectionString);
            var start = new ProcessStartInfo("pgbench")
            {
                ArgumentList =
                {
                    "-h", server.Host!, "-p", server.Port.ToString(), "-U", server.Username ?? "postgres", "-n", "-M", "prepared",
                    "-c", senders.ToString(), "-j", Environment.ProcessorCount.ToString(), "-T", seconds.ToString(),
                    "-D", $"content={Content}", "-f", script, Database,
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            // The plan the library runs the statement with (ChatDatabase.PlanOnce).
            start.Environment["PGOPTIONS"] = "-c plan_cache_mode=force_generic_plan";
            if (server.Password is { } password)
                start.Environment["PGPASSWORD"] = password;
            using var pgbench = Process.Start(start) ?? throw new InvalidOperationException("pgbench did not start.");
            var output = await pgbench.StandardOutput.ReadToEndAsync();
            var errors = await pgbench.StandardError.ReadToEndAsync();
            await pgbench.WaitForExitAsync();
            var tps = Tps().Match(output);
            return pgbench.ExitCode == 0 && tps.Success
                ? double.Parse(tps.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"pgbench failed (exit {pgbench.ExitCode}):\n{output}\n{errors}");
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>
    /// Messages per second one binary COPY stores in the run's tables for <paramref name="seconds"/>: text messages from
    /// the senders to random chats, numbered past each chat's last seq so they take no seq a send took.
    /// </summary>
    private async Task<double> CopyAsync(string connectionString, int seconds)
    {
        const long FirstSeq = 1_000_000_000;
        // A pool of its own, closed with it: the next run drops this database, which would kill a pooled connection.
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        var random = new Random(1);
        var rows = 0;
        var stopwatch = Stopwatch.StartNew();
        await using (var writer = await connection.BeginBinaryImportAsync(
            $"COPY {Schema}.messages (id, chat_id, seq, sender_id, client_msg_id, type, content) FROM STDIN (FORMAT BINARY)"))
        {
            for (; stopwatch.Elapsed.TotalSeconds < seconds; rows++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await writer.WriteAsync(ChatId(1 + random.Next(chats)), NpgsqlDbType.Uuid);
                await writer.WriteAsync(FirstSeq + rows, NpgsqlDbType.Bigint);
                await writer.WriteAsync(UserId(1 + random.Next(senders)), NpgsqlDbType.Uuid);
                await writer.WriteAsync($"copy-{rows}", NpgsqlDbType.Text);
                await writer.WriteAsync("text", NpgsqlDbType.Text);
                await writer.WriteAsync(Content, NpgsqlDbType.Text);
            }
            await writer.CompleteAsync();
        }
        return rows / stopwatch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The library's send statement for one message, each array of one element a pgbench variable: chat and
    /// sender numbers drawn at random, the message id from two random 64-bit numbers (one id per transaction, used twice).
    /// </summary>
    private string PgBenchScript()
    {
        var values = new Dictionary<string, string>
        {
            ["Ids"] = "ARRAY[CAST(lpad(to_hex(CAST(:r1 AS bigint)), 16, '0') || lpad(to_hex(CAST(:r2 AS bigint)), 16, '0') AS uuid)]",
            ["ChatIds"] = "ARRAY[CAST('00000000-0000-4000-9000-' || lpad(CAST(:chat AS text), 12, '0') AS uuid)]",
            ["SenderIds"] = "ARRAY[CAST('00000000-0000-4000-8000-' || lpad(CAST(:sender AS text), 12, '0') AS uuid)]",
            ["ClientMsgIds"] = "ARRAY[CAST(:r1 AS text)]",
            ["Types"] = "ARRAY['text']",
            ["Contents"] = "ARRAY[CAST(:content AS text)]",
            ["Metadata"] = "CAST(ARRAY[NULL] AS text[])",
            ["ReplyToIds"] = "CAST(ARRAY[NULL] AS uuid[])",
            ["ThreadRootIds"] = "CAST(ARRAY[NULL] AS uuid[])",
            ["Mentions"] = "ARRAY['{}']",
            ["Flagged"] = "ARRAY[false]",
        };
        var sql = SendStatement.Sql.Replace("{schema}", Schema, StringComparison.Ordinal);
        sql = string.Join('\n', sql.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        sql = Parameter().Replace(sql, m => values[m.Groups[1].Value]);
        return $"""
            \set chat random(1, {chats})
            \set sender random(1, {senders})
            \set r1 random(1, 9223372036854775806)
            \set r2 random(1, 9223372036854775806)
            {sql};

            """;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }

    [GeneratedRegex(@"@(\w+)")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();
}
