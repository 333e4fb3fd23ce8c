using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.Social;

/// <summary>Real parallel calls and raw reads, for the social, activity and maintenance tests.</summary>
internal static class SocialTestKit
{
    /// <summary>Starts every call at once and waits for all; each result is the value or the exception it ended with.</summary>
    public static async Task<List<(T? Value, Exception? Error)>> RaceAsync<T>(int count, Func<int, Task<T>> call)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task;
            try
            {
                return ((T?)await call(i), (Exception?)null);
            }
            catch (Exception ex)
            {
                return (default(T), ex);
            }
        })).ToArray();
        start.SetResult();
        return (await Task.WhenAll(tasks)).ToList();
    }

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
