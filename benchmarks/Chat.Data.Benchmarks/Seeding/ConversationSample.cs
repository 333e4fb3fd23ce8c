using Chat.Data.Benchmarks.Host;
using Npgsql;

namespace Chat.Data.Benchmarks.Seeding;

/// <summary>The seeded rows the conversation benchmarks work on, found by the phones and slugs the seeder gave them.</summary>
/// <param name="BenchUser">The user in <see cref="SeedShape.BenchUserChats"/> chats.</param>
/// <param name="Sender">The member of the send chats.</param>
/// <param name="BigChat">The big group.</param>
/// <param name="SendChats">Chat.Data's, EF Core's and hand-written Npgsql's send chat, in that order.</param>
/// <param name="Readers">Big-group members for the mark-read benchmark, a third for each way.</param>
internal sealed record ConversationSample(Guid BenchUser, Guid Sender, Guid BigChat, Guid[] SendChats, Guid[] Readers)
{
    public static async Task<ConversationSample> LoadAsync(NpgsqlDataSource dataSource)
    {
        var users = await IdsAsync(dataSource, "users", "phone",
            [DataSeeder.RegisteredPhone(ConversationSeeder.BenchUser), DataSeeder.RegisteredPhone(ConversationSeeder.Sender),
             .. Enumerable.Range(ConversationSeeder.FirstReader, ConversationSeeder.Readers).Select(DataSeeder.RegisteredPhone)]);
        var chats = await IdsAsync(dataSource, "chats", "slug", [ConversationSeeder.BigChatSlug, .. ConversationSeeder.SendChatSlugs]);
        return new ConversationSample(users[0], users[1], chats[0], chats[1..], users[2..]);
    }

    /// <summary>The ids of the rows whose <paramref name="column"/> holds <paramref name="keys"/>, in the keys' order.</summary>
    private static async Task<Guid[]> IdsAsync(NpgsqlDataSource dataSource, string table, string column, string[] keys)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT k.ord, t.id FROM unnest($1) WITH ORDINALITY AS k (key, ord) JOIN {BenchDatabase.Schema}.{table} t ON t.{column} = k.key");
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys });
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new Guid[keys.Length];
        var found = 0;
        for (; await reader.ReadAsync(); found++)
            ids[reader.GetInt64(0) - 1] = reader.GetGuid(1);
        return found == keys.Length
            ? ids
            : throw new InvalidOperationException($"The benchmark database lacks seeded {table} ({found} of {keys.Length} found); the seeder should have made them.");
    }
}
