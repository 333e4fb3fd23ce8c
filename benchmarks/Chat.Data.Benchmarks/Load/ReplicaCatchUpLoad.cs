using System.Diagnostics;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Chats;
using Chat.Data.Messages;
using Chat.Data.Migrations;
using Chat.Data.Replicas;
using Chat.Data.Users;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chat.Data.Benchmarks.Load;

/// <summary>
/// <c>./build.sh load replicas</c>, with a standby from <c>./build.sh services standby up</c>: one user sends
/// and reads back in a read-your-writes scope, again and again. Reports how long after the send's commit the
/// standby had replayed its token (polled without pause), and the history read with the token beside the
/// same read without one, each as median and p99. Runs in a database of its own, dropped afterwards.
/// </summary>
internal static class ReplicaCatchUpLoad
{
    private const string Database = "chatdata_replica_load";

    public static async Task<bool> RunAsync(int seconds)
    {
        var standbyAdmin = Environment.GetEnvironmentVariable("CHATDATA_TEST_PG_STANDBY") is { Length: > 0 } s ? s : "Host=127.0.0.1;Port=55433;Username=postgres;Database=postgres";
        try
        {
            await using var check = new NpgsqlConnection(standbyAdmin);
            await check.OpenAsync();
        }
        catch (NpgsqlException ex)
        {
            Console.Error.WriteLine($"  needs a streaming standby at {standbyAdmin} ({ex.Message}): start one with ./build.sh services standby up, or set CHATDATA_TEST_PG_STANDBY.");
            return false;
        }
        var primary = new NpgsqlConnectionStringBuilder(BenchDatabase.ServerConnectionString);
        var standby = new NpgsqlConnectionStringBuilder(standbyAdmin);
        await using (var server = NpgsqlDataSource.Create(BenchDatabase.ServerConnectionString))
        {
            await server.CreateCommand($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)").ExecuteNonQueryAsync();
            await server.CreateCommand($"CREATE DATABASE {Database}").ExecuteNonQueryAsync();
        }
        try
        {
            var multiHost = new NpgsqlConnectionStringBuilder(BenchDatabase.ServerConnectionString)
            {
                Host = $"{primary.Host}:{primary.Port},{standby.Host}:{standby.Port}",
                Database = Database,
            }.ConnectionString;
            await using (var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(BenchDatabase.ServerConnectionString) { Database = Database }.ConnectionString))
                await new ChatDataMigrator(dataSource).MigrateUpAsync();

            var services = new ServiceCollection();
            services.AddLogging();
            services.AddChatData(o =>
            {
                o.ConnectionString = multiHost;
                o.ReadFromStandbys = true;
            });
            await using var provider = services.BuildServiceProvider();
            var users = provider.GetRequiredService<IUserRepository>();
            var messages = provider.GetRequiredService<IMessageRepository>();
            var readYourWrites = provider.GetRequiredService<IReadYourWrites>();
            var owner = await users.CreateAsync(new NewUser { Username = "replica_owner", DisplayName = "Owner" });
            var member = await users.CreateAsync(new NewUser { Username = "replica_member", DisplayName = "Member" });
            var chat = await provider.GetRequiredService<IChatRepository>().CreateGroupAsync(new NewGroupChat { Name = "Replica load", CreatedBy = owner.Id, MemberIds = [member.Id] });

            await using var standbyConnection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(standbyAdmin) { Database = Database }.ConnectionString);
            for (var attempt = 0; standbyConnection.State != System.Data.ConnectionState.Open; attempt++)
            {
                try { await standbyConnection.OpenAsync(); }
                catch (PostgresException) when (attempt < 100) { await Task.Delay(100); }
            }
            await using var replayed = new NpgsqlCommand("SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn", standbyConnection) { Parameters = { new NpgsqlParameter<string>() } };

            List<double> catchUp = [], withToken = [], withoutToken = [];
            var until = Stopwatch.GetTimestamp() + (long)(seconds * (double)Stopwatch.Frequency);
            for (var i = 0; Stopwatch.GetTimestamp() < until; i++)
            {
                using var scope = readYourWrites.Begin();
                await messages.SendAsync(new NewMessage { ChatId = chat.Id, SenderId = owner.Id, Content = $"message {i}" });
                var sent = Stopwatch.GetTimestamp();
                ((NpgsqlParameter<string>)replayed.Parameters[0]).TypedValue = scope.Token.ToString();
                while (await replayed.ExecuteScalarAsync() is not true) { }
                catchUp.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);

                var read = Stopwatch.GetTimestamp();
                await messages.GetHistoryAsync(chat.Id, member.Id, HistoryAnchor.Latest, 20);
                withToken.Add(Stopwatch.GetElapsedTime(read).TotalMilliseconds);
                using (readYourWrites.Begin())
                {
                    read = Stopwatch.GetTimestamp();
                    await messages.GetHistoryAsync(chat.Id, member.Id, HistoryAnchor.Latest, 20);
                    withoutToken.Add(Stopwatch.GetElapsedTime(read).TotalMilliseconds);
                }
            }
            Console.WriteLine($"  {catchUp.Count:N0} sends, each read back in its scope");
            Report("standby replayed the send's token after", catchUp);
            Report("history page, read with the token", withToken);
            Report("history page, read without a token", withoutToken);
            return true;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var server = NpgsqlDataSource.Create(BenchDatabase.ServerConnectionString);
            await server.CreateCommand($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)").ExecuteNonQueryAsync();
        }
    }

    private static void Report(string what, List<double> milliseconds)
    {
        milliseconds.Sort();
        double At(double p) => milliseconds[(int)Math.Min(milliseconds.Count - 1, p * milliseconds.Count)];
        Console.WriteLine($"  {what,-42} p50 {At(0.50),6:F3} ms   p99 {At(0.99),6:F3} ms");
    }
}
