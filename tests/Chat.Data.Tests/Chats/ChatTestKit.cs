using Chat.Data.Chats;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Tests.Chats;

/// <summary>Raw reads of what the chat repositories wrote, and repositories with a small member limit.</summary>
internal static class ChatTestKit
{
    public static async Task<T> ScalarAsync<T>(this DatabaseFixture db, string sql, object? param = null)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, param))!;
    }

    public static async Task ExecuteAsync(this DatabaseFixture db, string sql, object? param = null)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(sql, param);
    }

    /// <summary>The chat's member_count and its active member rows counted, to check the counter is exact.</summary>
    public static async Task<(int Counter, int Counted)> MemberCountsAsync(this DatabaseFixture db, Guid chatId)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleAsync<(int, int)>(
            "SELECT member_count, (SELECT count(*)::int FROM chat.chat_members m WHERE m.chat_id = c.id AND m.left_at IS NULL) FROM chat.chats c WHERE c.id = @chatId",
            new { chatId });
    }

    public static async Task AssertMemberCountAsync(this DatabaseFixture db, Guid chatId, int expected)
    {
        var (counter, counted) = await db.MemberCountsAsync(chatId);
        Assert.Equal(expected, counted);
        Assert.Equal(expected, counter);
    }

    /// <summary>The active members of a chat with their roles, from the table.</summary>
    public static async Task<Dictionary<Guid, string>> ActiveRolesAsync(this DatabaseFixture db, Guid chatId)
    {
        await using var connection = await db.OpenAsync();
        var rows = await connection.QueryAsync<(Guid, string)>(
            "SELECT user_id, role FROM chat.chat_members WHERE chat_id = @chatId AND left_at IS NULL", new { chatId });
        return rows.ToDictionary(r => r.Item1, r => r.Item2);
    }

    /// <summary>Chat.Data on the fixture's database with another member limit, composed as a host would.</summary>
    public static ServiceProvider WithMaxGroupMembers(this DatabaseFixture db, int maxGroupMembers)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddChatData(o =>
        {
            o.ConnectionString = db.Database.ConnectionString;
            o.MaxGroupMembers = maxGroupMembers;
        });
        return services.BuildServiceProvider();
    }

    public static IChatRepository Chats(this ServiceProvider services) => services.GetRequiredService<IChatRepository>();

    public static IChatMemberRepository Members(this ServiceProvider services) => services.GetRequiredService<IChatMemberRepository>();
}
