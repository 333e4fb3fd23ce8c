using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.Social;

/// <summary>Raw reads and writes, and fresh pairs of users, for the social and activity tests.</summary>
internal static class SocialTestKit
{
    public static async Task<T> ScalarAsync<T>(this DatabaseFixture db, string sql, object? param = null)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, param))!;
    }

    public static async Task<int> ExecuteAsync(this DatabaseFixture db, string sql, object? param = null)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteAsync(sql, param);
    }

    /// <summary>Two fresh users.</summary>
    public static async Task<(Guid A, Guid B)> PairAsync(this DatabaseFixture db) =>
        ((await db.Arrange.UserAsync("A")).Id, (await db.Arrange.UserAsync("B")).Id);

    /// <summary>The constraint a raw write bypassing the library breaks.</summary>
    public static async Task<string?> ViolatedConstraintAsync(this DatabaseFixture db, string sql, object? param = null)
    {
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.ExecuteAsync(sql, param));
        return error.ConstraintName;
    }
}
