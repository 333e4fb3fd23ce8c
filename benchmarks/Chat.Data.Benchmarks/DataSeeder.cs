using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Data.Benchmarks;

/// <summary>
/// Fills the benchmark database with binary COPY, once before BenchmarkDotNet starts, so every benchmark
/// reads the same data: the users, then the conversations of <paramref name="shape"/>.
/// </summary>
internal sealed class DataSeeder(NpgsqlDataSource dataSource, SeedShape shape, TextWriter log)
{
    public const int UserCount = 100_000;

    // User n has phone +62811 and n in 7 digits, and username u and the same digits (3+ characters, as the table requires).
    public static string RegisteredPhone(int n) => $"+62811{n:D7}";

    /// <summary>A valid phone that no seeded user has (another prefix), for lookups that must miss.</summary>
    public static string UnregisteredPhone(int n) => $"+62812{n:D7}";

    private static string Username(int n) => $"u{n:D7}";

    /// <summary>Seeds what is missing (users, conversations, reactions, attachments and blocks), then refreshes the planner's statistics.</summary>
    public async Task SeedAsync()
    {
        await SeedUsersAsync();
        await new ConversationSeeder(dataSource, shape, log).SeedAsync();
        await new SocialSeeder(dataSource, log).SeedAsync();
    }

    private async Task SeedUsersAsync()
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var existing = (long)(await ExecuteAsync(connection, $"SELECT count(*) FROM {BenchDatabase.Schema}.users"))!;
        if (existing >= UserCount)
        {
            log.WriteLine($"Seed: {existing:N0} users already there.");
        }
        else
        {
            // A partial seed (an interrupted run) would break the phone scheme: start over.
            await ExecuteAsync(connection, $"TRUNCATE {BenchDatabase.Schema}.users CASCADE");
            var stopwatch = Stopwatch.StartNew();
            await CopyUsersAsync(connection);
            stopwatch.Stop();
            log.WriteLine($"Seed: {UserCount:N0} users in {stopwatch.Elapsed.TotalSeconds:F2} s ({UserCount / stopwatch.Elapsed.TotalSeconds:N0} rows/s).");
        }
        await ExecuteAsync(connection, $"ANALYZE {BenchDatabase.Schema}.users");
    }

    private static async Task CopyUsersAsync(NpgsqlConnection connection)
    {
        // A year of sign-ups, five minutes apart; ids are UUID v7 of the sign-up time, as the library makes them.
        var firstSignUp = DateTimeOffset.UtcNow.AddMinutes(-5.0 * UserCount);
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {BenchDatabase.Schema}.users (id, phone, username, display_name, about, presence, created_at, updated_at) FROM STDIN (FORMAT BINARY)");
        for (var n = 0; n < UserCount; n++)
        {
            var createdAt = firstSignUp.AddMinutes(5.0 * n);
            await writer.StartRowAsync();
            await writer.WriteAsync(Guid.CreateVersion7(createdAt), NpgsqlDbType.Uuid);
            await writer.WriteAsync(RegisteredPhone(n), NpgsqlDbType.Varchar);
            await writer.WriteAsync(Username(n), NpgsqlDbType.Varchar);
            await writer.WriteAsync($"User {n}", NpgsqlDbType.Varchar);
            await writer.WriteAsync(n % 4 == 0 ? "Hey there! I am using Chat.Data" : "", NpgsqlDbType.Varchar);
            await writer.WriteAsync((n % 10) switch { 0 => "online", 1 => "away", _ => "offline" }, NpgsqlDbType.Text);
            await writer.WriteAsync(createdAt, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(createdAt, NpgsqlDbType.TimestampTz);
        }
        await writer.CompleteAsync();
    }

    /// <summary>Runs one statement with no time limit (COPY-sized work), returning the first value it yields.</summary>
    private static async Task<object?> ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return await command.ExecuteScalarAsync();
    }
}
