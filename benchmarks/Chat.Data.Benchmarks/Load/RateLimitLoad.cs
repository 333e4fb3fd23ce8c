using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime;
using System.Security.Cryptography;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Redis.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Chat.Data.Benchmarks.Load;

/// <summary>
/// <c>./build.sh load ratelimit</c>: 64 concurrent callers check rate limits through the library's
/// <see cref="IDistributedRateLimiter"/> (from dependency injection, on its one multiplexer) for T seconds,
/// over 10,000 partitions, in turns with the same script by plain StackExchange.Redis on a multiplexer of its own
/// (the client library's ceiling); then <c>redis-benchmark</c> (the C client) runs the same script at the same
/// concurrency for as many checks. Prints checks/s, p50 / p99 latency and this process's CPU time per check.
/// Target: the library at 50,000 checks/s or more, shown as a ratio to redis-benchmark.
/// </summary>
/// <remarks>
/// A missed target prints MISSED but does not fail the command: throughput on a shared 2-core machine moves
/// with whatever else runs, and a flapping exit code would say nothing about the code. The command fails
/// when a check fails, falls back (Redis not answering) or is denied, which no noise explains.
/// </remarks>
internal static class RateLimitLoad
{
    private const int Callers = 64;
    private const int Partitions = 10_000;
    private const double Target = 50_000;

    // 100 a second per partition: the callers spread over 10,000 partitions stay far below it, so every check
    // takes the allowed path, which writes (the common and the dearer one).
    private static readonly GcraPolicy Policy = RateLimitPolicy.Gcra("load", 100, TimeSpan.FromSeconds(1));

    public static async Task<bool> RunAsync(int seconds)
    {
        // A prefix per run: two runs never share keys, and the run removes what it wrote.
        var prefix = $"load-ratelimit-{Guid.NewGuid():N}:";
        var partitions = Enumerable.Range(0, Partitions).Select(i => $"user-{i}").ToArray();

        var services = new ServiceCollection();
        services.AddChatData(o => o.ConnectionString = BenchDatabase.ConnectionString).AddRedis(o =>
        {
            o.Configuration = BenchRedis.Configuration;
            o.KeyPrefix = prefix;
            o.Otp.HmacKey = RandomNumberGenerator.GetBytes(32); // required of every host, unused here
        });
        var byHand = await ConnectionMultiplexer.ConnectAsync(BenchRedis.Configuration);
        var provider = services.BuildServiceProvider();
        try
        {
            var limiter = provider.GetRequiredService<IDistributedRateLimiter>();
            Func<int, long, Task<RateLimitDecision>> throughLibrary = (caller, n) => limiter.AcquireAsync(Policy, partitions[Partition(caller, n)]);

            // Plain StackExchange.Redis: EVALSHA of the same script with keys built once, on a multiplexer of its own.
            var db = byHand.GetDatabase();
            var keys = partitions.Select(p => (RedisKey)$"{prefix}by-hand:rate:{{{p}}}:gcra").ToArray();
            var arguments = Policy.Arguments(1);
            var sha1 = await byHand.GetServer(byHand.GetEndPoints()[0]).ScriptLoadAsync(Policy.Script.Source);
            Func<int, long, Task<RateLimitDecision>> byHandCheck = async (caller, n) =>
            {
                var reply = await db.ScriptEvaluateAsync(sha1, [keys[Partition(caller, n)]], arguments);
                return new RateLimitDecision((long)reply[0] == 1, (long)reply[1], TimeSpan.Zero, TimeSpan.Zero);
            };

            // Both warmed up (connections, the script cache, the JIT) before either is measured, then measured in turns,
            // half the time each turn, so a change in the machine's other load falls on both alike.
            await WarmUpAsync(throughLibrary, byHandCheck);
            var half = TimeSpan.FromSeconds(seconds / 2.0);
            var library = await RunCallersAsync(half, throughLibrary);
            var plain = await RunCallersAsync(half, byHandCheck);
            library = library.Add(await RunCallersAsync(half, throughLibrary));
            plain = plain.Add(await RunCallersAsync(half, byHandCheck));

            Print("Chat.Data (IDistributedRateLimiter)", library);
            Print("StackExchange.Redis by hand, EVALSHA", plain);
            var benchmark = await RedisBenchmarkAsync(prefix, sha1, Math.Max(library.Checks, 10_000));
            if (benchmark is { } c)
            {
                Console.WriteLine($"  {"redis-benchmark -c 64, EVALSHA",-38} {c.PerSecond,9:N0} checks/s   p50 {c.P50Ms,6:F2} ms   p99 {c.P99Ms,6:F2} ms");
                Console.WriteLine($"  ratio library / redis-benchmark: {library.PerSecond / c.PerSecond:F2}   (by hand / redis-benchmark: {plain.PerSecond / c.PerSecond:F2})");
            }
            Console.WriteLine($"  ratio library / by hand: {library.PerSecond / plain.PerSecond:F2}");
            Console.WriteLine(library.PerSecond >= Target
                ? $"  target >= {Target:N0} checks/s through the library: MET ({library.PerSecond:N0}/s)"
                : $"  target >= {Target:N0} checks/s through the library: MISSED ({library.PerSecond:N0}/s; not a failure, see RateLimitLoad)");

            var failures = library.Failures + plain.Failures;
            if (failures > 0)
                Console.WriteLine($"  FAILED: {failures:N0} checks failed, fell back or were denied (first: {library.FirstFailure ?? plain.FirstFailure})");
            return failures == 0;
        }
        finally
        {
            await provider.DisposeAsync();
            await DeleteKeysAsync(byHand, prefix);
            await byHand.DisposeAsync();
        }
    }

    // Each caller walks its own stride through the partitions, so concurrent checks rarely hit one key.
    private static int Partition(int caller, long n) => (int)((caller + n * Callers) % Partitions);

    /// <summary>Checks done in some runs: their latencies (Stopwatch ticks), wall-clock and CPU time, failures.</summary>
    /// <remarks>CPU time is this process's: it moves less than throughput when other work shares the machine.</remarks>
    private sealed record Run(long[] Latencies, TimeSpan Elapsed, TimeSpan Cpu, long Failures, string? FirstFailure)
    {
        public long Checks => Latencies.Length;

        public double PerSecond => Checks / Elapsed.TotalSeconds;

        public double CpuUs => Cpu.TotalMicroseconds / Math.Max(1, Checks);

        public double PercentileMs(double p)
        {
            if (Checks == 0)
                return 0;
            var sorted = Latencies.Order().ToArray();
            return sorted[(int)Math.Min(sorted.Length - 1, p * sorted.Length)] * 1000.0 / Stopwatch.Frequency;
        }

        public Run Add(Run other) =>
            new([.. Latencies, .. other.Latencies], Elapsed + other.Elapsed, Cpu + other.Cpu, Failures + other.Failures, FirstFailure ?? other.FirstFailure);
    }

    /// <summary>
    /// Runs both ways in one-second turns until the JIT is done with them (tiered compilation recompiles hot code in the
    /// background, which takes seconds on a busy 2-core machine and would be counted against whichever way runs first).
    /// </summary>
    private static async Task WarmUpAsync(params Func<int, long, Task<RateLimitDecision>>[] ways)
    {
        var compiled = JitInfo.GetCompiledMethodCount();
        for (var turn = 0; turn < 15; turn++)
        {
            foreach (var way in ways)
                await RunCallersAsync(TimeSpan.FromSeconds(1), way);
            var now = JitInfo.GetCompiledMethodCount();
            if (turn >= 2 && now - compiled < 5)
                return;
            compiled = now;
        }
    }

    private static async Task<Run> RunCallersAsync(TimeSpan duration, Func<int, long, Task<RateLimitDecision>> check)
    {
        var latencies = new List<long>[Callers];
        long failures = 0;
        string? firstFailure = null;
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var mine = latencies[caller] = new List<long>(1 << 16);
            for (long n = 0; ; n++)
            {
                var start = Stopwatch.GetTimestamp();
                if (start >= end)
                    return;
                string? failure;
                try
                {
                    var decision = await check(caller, n);
                    failure = decision.IsFallback ? "fell back: Redis did not answer" : decision.Allowed ? null : "denied";
                }
                catch (Exception ex)
                {
                    failure = ex.GetType().Name + ": " + ex.Message;
                }
                mine.Add(Stopwatch.GetTimestamp() - start);
                if (failure is not null && Interlocked.Increment(ref failures) == 1)
                    firstFailure = failure;
            }
        })));
        var elapsed = clock.Elapsed;
        process.Refresh();
        return new Run([.. latencies.SelectMany(l => l)], elapsed, process.TotalProcessorTime - cpu, failures, firstFailure);
    }

    private static void Print(string way, Run run) =>
        Console.WriteLine($"  {way,-38} {run.PerSecond,9:N0} checks/s   p50 {run.PercentileMs(0.50),6:F2} ms   p99 {run.PercentileMs(0.99),6:F2} ms   {run.CpuUs,5:F1} µs CPU/check   ({run.Checks:N0} checks)");

    private sealed record BenchmarkResult(double PerSecond, double P50Ms, double P99Ms);

    /// <summary>
    /// redis-benchmark at the same concurrency, running EVALSHA of the library's script with its key layout over
    /// as many partitions; null (and a note) when the tool is missing or fails.
    /// </summary>
    private static async Task<BenchmarkResult?> RedisBenchmarkAsync(string prefix, byte[] sha1, long requests)
    {
        var configuration = ConfigurationOptions.Parse(BenchRedis.Configuration);
        var (host, port) = configuration.EndPoints[0] switch
        {
            DnsEndPoint dns => (dns.Host, dns.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            var other => (other.ToString()!, 6379),
        };
        var arguments = Policy.Arguments(1).Select(a => (string)a!);
        var start = new ProcessStartInfo("redis-benchmark")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["-h", host, "-p", port.ToString(CultureInfo.InvariantCulture), "-c", Callers.ToString(CultureInfo.InvariantCulture),
            "-n", requests.ToString(CultureInfo.InvariantCulture), "-r", Partitions.ToString(CultureInfo.InvariantCulture), "--csv",
            "EVALSHA", Convert.ToHexStringLower(sha1), "1", $"{prefix}redis-benchmark:rate:{{__rand_int__}}:gcra", .. arguments])
            start.ArgumentList.Add(argument);
        if (configuration.Password is { Length: > 0 } password)
            start.Environment["REDISCLI_AUTH"] = password;
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            // --csv: a header line, then "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms".
            var row = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => line.Split(',').Select(f => f.Trim('"')).ToArray())
                .FirstOrDefault(f => f.Length >= 7 && double.TryParse(f[1], CultureInfo.InvariantCulture, out _));
            if (process.ExitCode != 0 || row is null)
            {
                Console.WriteLine($"  redis-benchmark failed (exit {process.ExitCode}): {(await errors).Trim()}");
                return null;
            }
            return new BenchmarkResult(Parse(row[1]), Parse(row[4]), Parse(row[6]));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.WriteLine("  redis-benchmark is not installed (Debian: redis-tools): no ratio to the C client.");
            return null;
        }
    }

    private static double Parse(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>Removes every key of the run (the library's, the hand-written way's and redis-benchmark's).</summary>
    private static async Task DeleteKeysAsync(ConnectionMultiplexer multiplexer, string prefix)
    {
        var db = multiplexer.GetDatabase();
        foreach (var endPoint in multiplexer.GetEndPoints())
        {
            var server = multiplexer.GetServer(endPoint);
            if (server.IsReplica)
                continue;
            foreach (var page in server.Keys(pattern: prefix + "*", pageSize: 1_000).Chunk(1_000))
                await db.KeyDeleteAsync(page);
        }
    }
}
