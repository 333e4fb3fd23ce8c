namespace Chat.Data.TestSupport;

/// <summary>Real parallel calls, each on its own pooled connection, released together.</summary>
public static class Race
{
    /// <summary>Starts every call at once and waits for all; each result is the value or the exception it ended with.</summary>
    public static async Task<List<(T? Value, Exception? Error)>> RunAsync<T>(int count, Func<int, Task<T>> call)
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
}
