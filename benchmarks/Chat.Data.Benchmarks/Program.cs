using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Benchmarks.Load;
using Chat.Data.Benchmarks.Seeding;
using Chat.Data.Benchmarks.Suites;
using Npgsql;

// dotnet run -c Release --project benchmarks/Chat.Data.Benchmarks -- ...
//   [--ci] [--scale ci|full] [BenchmarkDotNet args]   seed the scale when missing, then run the suites
//   --seed ci|full                                     seed the scale (reporting rows per second), nothing else
//   [--scale ci|full] pairs                            library and hand-written calls in turn (InterleavedPairs)
//   load [what] [options]                              the load tests (LoadCommand says which and how)
if (!BenchDatabase.IsConfigured || !BenchRedis.IsConfigured)
{
    Console.Error.WriteLine(BenchDatabase.IsConfigured ? BenchRedis.NotConfiguredMessage : BenchDatabase.NotConfiguredMessage);
    return 2;
}

if (args is ["load", .. var loadArgs])
    return await LoadCommand.RunAsync(loadArgs);

var ci = args.Contains("--ci");
var seedOnly = TakeOption(ref args, "--seed");
var scale = seedOnly ?? TakeOption(ref args, "--scale") ?? "ci";
if (!SeedShape.TryParse(scale, out var shape))
{
    Console.Error.WriteLine($"Unknown scale '{scale}': use {string.Join(" or ", SeedShape.Names)}.");
    return 2;
}
var benchmarkArgs = args.Where(a => a != "--ci").ToArray();

// One run at a time on a server (released when the program ends).
await using var runLock = await BenchDatabase.LockServerAsync();

// Seed once, before any benchmark process starts, so every benchmark reads the same data.
await BenchDatabase.CreateAndMigrateAsync();
await using (var dataSource = NpgsqlDataSource.Create(BenchDatabase.ConnectionString))
    await new DataSeeder(dataSource, shape, Console.Out).SeedAsync();
if (seedOnly is not null)
    return 0;
if (benchmarkArgs is ["pairs"])
{
    await InterleavedPairs.RunAsync();
    return 0;
}

var switcher = BenchmarkSwitcher.FromAssembly(typeof(UserLookupBenchmarks).Assembly);
var config = BenchConfig.Create(ci);
// RunAll ignores --filter, and Run without one asks which to run: CI runs everything unless it names a filter.
var runAll = ci && !benchmarkArgs.Any(a => a.StartsWith("--filter", StringComparison.Ordinal));
var summaries = (runAll ? switcher.RunAll(config, benchmarkArgs) : switcher.Run(benchmarkArgs, config)).ToList();
return summaries.All(Succeeded) ? 0 : 1;

// A benchmark whose setup threw, or that measured nothing, fails the run (and so CI).
static bool Succeeded(Summary summary) =>
    !summary.HasCriticalValidationErrors && summary.Reports.Length > 0 && summary.Reports.All(r => r.Success && r.ResultStatistics is not null);

// The value after `name`, removed from args with it; null when args lack it.
static string? TakeOption(ref string[] args, string name)
{
    var at = Array.IndexOf(args, name);
    if (at < 0 || at + 1 >= args.Length)
        return null;
    var value = args[at + 1];
    args = [.. args[..at], .. args[(at + 2)..]];
    return value;
}
