namespace Chat.Data.Benchmarks.Load;

/// <summary>
/// <c>./build.sh load [what] [--seconds T] [--senders N]</c>: the load tests, each measured beside its floor
/// in one run. Without <c>what</c> it runs them all, one after the other.
/// </summary>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        // The one argument that is neither an option nor an option's value.
        var what = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal))).FirstOrDefault();
        var seconds = IntOption(args, "--seconds") ?? 10;
        var senders = IntOption(args, "--senders") ?? 32;
        var tests = new Dictionary<string, Func<int, Task<bool>>>
        {
            ["sends"] = s => SendLoad.AcrossChatsAsync(s, senders),
            ["hot"] = s => SendLoad.HotChatAsync(s, senders),
            ["ratelimit"] = RateLimitLoad.RunAsync,
            ["replicas"] = ReplicaCatchUpLoad.RunAsync,
        };
        if (what is not null && !tests.ContainsKey(what))
        {
            Console.Error.WriteLine($"Unknown load test '{what}': use one of {string.Join(", ", tests.Keys)}, or none for all.");
            return 2;
        }
        var passed = true;
        foreach (var (name, run) in tests.Where(t => what is null || t.Key == what))
        {
            Console.WriteLine($"== load {name}, {seconds} s");
            passed &= await run(seconds);
        }
        return passed ? 0 : 1;
    }

    private static int? IntOption(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var value) ? value : null;
    }
}
