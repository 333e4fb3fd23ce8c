using System.Diagnostics;
using Chat.Data.Benchmarks.Host;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Data.Benchmarks.Seeding;

/// <summary>
/// Fills the benchmark database with binary COPY, once before BenchmarkDotNet starts, so every benchmark
/// reads the same data: the users, then the conversations of <paramref name="shape"/>, reporting rows per second.
/// </summary>
internal sealed class DataSeeder(NpgsqlDataSource dataSource, SeedShape shape, TextWriter log)
{
    // User n has phone +62811 and n in 7 digits, and username u and the same digits (3+ characters, as the table requires).
    public static string RegisteredPhone(int n) => $"+62811{n:D7}";

    /// <summary>A valid phone that no seeded user has (another prefix), for lookups that must miss.</summary>
    public static string UnregisteredPhone(int n) => $"+62812{n:D7}";

    private static string Username(int n) => $"u{n:D7}";

    /// <summary>"N what in S s (R rows/s)", the line every seeding step reports.</summary>
    public static string Rate(long rows, string what, TimeSpan took) =>
        $"{rows:N0} {what} in {took.TotalSeconds:F2} s ({rows / Math.Max(took.TotalSeconds, 1e-3):N0} rows/s)";

    /// <summary>Seeds what is missing (users, conversations, reactions, attachments and blocks), then refreshes the planner's statistics.</summary>
    public async Task SeedAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        await SeedUsersAsync();
        await new ConversationSeeder(dataSource, shape, log).SeedAsync();
        await new SocialSeeder(dataSource, log).SeedAsync();
        log.WriteLine($"Seed: ready in {stopwatch.Elapsed.TotalSeconds:F1} s.");
    }

    private async Task SeedUsersAsync()
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM {BenchDatabase.Schema}.users", connection))
        {
            var existing = (long)(await count.ExecuteScalarAsync())!;
            if (existing == shape.Users)
            {
                log.WriteLine($"Seed: {existing:N0} users already there.");
                await ExecuteAsync(connection, $"ANALYZE {BenchDatabase.Schema}.users");
                return;
            }
        }

        // Another scale's users (or none): start over, and so the conversations too (everything references users).
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await ExecuteAsync(connection, $"TRUNCATE {BenchDatabase.Schema}.users CASCADE");
            await BulkLoad.CopyAsync(connection, $"{BenchDatabase.Schema}.users", shape.Users, () => CopyUsersAsync(connection), log);
            await transaction.CommitAsync();
        }
        await ExecuteAsync(connection, $"VACUUM (ANALYZE) {BenchDatabase.Schema}.users");
    }

    private async Task CopyUsersAsync(NpgsqlConnection connection)
    {
        // Sign-ups five minutes apart, up to now; ids are UUID v7 of the sign-up time, as the library makes them.
        // Truncated in this transaction, so the COPY may FREEZE.
        var firstSignUp = DateTimeOffset.UtcNow.AddMinutes(-5.0 * shape.Users);
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {BenchDatabase.Schema}.users (id, phone, username, display_name, about, presence, created_at, updated_at) FROM STDIN (FORMAT BINARY, FREEZE)");
        for (var n = 0; n < shape.Users; n++)
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

    /// <summary>Runs one statement with no time limit (COPY-sized work).</summary>
    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}
