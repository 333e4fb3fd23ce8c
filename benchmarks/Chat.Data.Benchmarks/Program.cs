using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Chat.Data.Benchmarks;
using Npgsql;

// dotnet run -c Release --project benchmarks/Chat.Data.Benchmarks -- [--ci] [BenchmarkDotNet args]
var ci = args.Contains("--ci");
var benchmarkArgs = args.Where(a => a != "--ci").ToArray();

if (!BenchDatabase.IsConfigured || !BenchRedis.IsConfigured)
{
    Console.Error.WriteLine(BenchDatabase.IsConfigured ? BenchRedis.NotConfiguredMessage : BenchDatabase.NotConfiguredMessage);
    return 2;
}

// One run at a time on a server (released when the program ends).
await using var runLock = await BenchDatabase.LockServerAsync();

// Seed once, before any benchmark process starts, so every benchmark reads the same data.
await BenchDatabase.CreateAndMigrateAsync();
await using (var dataSource = NpgsqlDataSource.Create(BenchDatabase.ConnectionString))
    await new DataSeeder(dataSource, SeedShape.Ci, Console.Out).SeedAsync();

var switcher = BenchmarkSwitcher.FromAssembly(typeof(UserLookupBenchmarks).Assembly);
var config = BenchConfig.Create(ci);
// RunAll ignores --filter, and Run without one asks which to run: CI runs everything unless it names a filter.
var runAll = ci && !benchmarkArgs.Any(a => a.StartsWith("--filter", StringComparison.Ordinal));
var summaries = (runAll ? switcher.RunAll(config, benchmarkArgs) : switcher.Run(benchmarkArgs, config)).ToList();
return summaries.All(Succeeded) ? 0 : 1;

// A benchmark whose setup threw, or that measured nothing, fails the run (and so CI).
static bool Succeeded(Summary summary) =>
    !summary.HasCriticalValidationErrors && summary.Reports.Length > 0 && summary.Reports.All(r => r.Success && r.ResultStatistics is not null);
