using Chat.Data.Benchmarks.Host;
using Chat.Data.Internal;
using Chat.Data.Users;
using Npgsql;

namespace Chat.Data.Benchmarks.Baselines;

/// <summary>
/// The floor: plain Npgsql with positional parameters, typed parameter objects and reads by ordinal.
/// Nothing a data-access library can do is faster, so it is every group's baseline.
/// </summary>
internal sealed class HandWrittenUsers(NpgsqlDataSource dataSource)
{
    private const string Select =
        $"SELECT id, external_id, phone, username, display_name, avatar, about, presence, last_seen_at, created_at, updated_at FROM {BenchDatabase.Schema}.users";

    public async Task<User?> FindByIdAsync(Guid id)
    {
        await using var command = dataSource.CreateCommand(Select + " WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? Read(reader) : null;
    }

    public async Task<List<User>> FindByPhonesAsync(string[] phones)
    {
        await using var command = dataSource.CreateCommand(Select + " WHERE phone = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = phones });
        await using var reader = await command.ExecuteReaderAsync();
        var users = new List<User>();
        while (await reader.ReadAsync())
            users.Add(Read(reader));
        return users;
    }

    private static User Read(NpgsqlDataReader r) => new(
        Id: r.GetGuid(0),
        ExternalId: r.IsDBNull(1) ? null : r.GetString(1),
        Phone: r.IsDBNull(2) ? null : r.GetString(2),
        Username: r.IsDBNull(3) ? null : r.GetString(3),
        DisplayName: r.GetString(4),
        Avatar: r.IsDBNull(5) ? null : r.GetString(5),
        About: r.GetString(6),
        Presence: DbEnum<Presence>.FromDb(r.GetString(7)),
        LastSeenAt: r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(9),
        UpdatedAt: r.GetFieldValue<DateTimeOffset>(10));
}
