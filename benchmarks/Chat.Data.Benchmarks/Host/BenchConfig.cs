using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Chat.Data.Benchmarks.Host;

/// <summary>BenchmarkDotNet settings: a full default job for people, a short in-process one for CI.</summary>
internal static class BenchConfig
{
    public static IConfig Create(bool ci)
    {
        // The default config already exports GitHub markdown (with CSV and HTML) into results/ under the artifacts path.
        var config = DefaultConfig.Instance.WithArtifactsPath(ArtifactsPath());
        // In-process: no rebuild of a generated project per benchmark, which alone would take minutes on 2 cores.
        // Shorter than ShortRun (one warmup, 250 ms iterations) so every benchmark, seeding included, fits CI's five minutes.
        return ci
            ? config.AddJob(Job.ShortRun
                .WithWarmupCount(1)
                .WithIterationTime(TimeInterval.FromMilliseconds(250))
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithId("CI"))
            : config;
    }

    /// <summary>artifacts/benchmarks at the repo root, wherever the program runs from.</summary>
    private static string ArtifactsPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Chat.Data.sln")))
                return Path.Combine(dir.FullName, "artifacts", "benchmarks");
        }
        throw new InvalidOperationException($"No Chat.Data.sln above {AppContext.BaseDirectory}: run the benchmarks from the repo.");
    }
}
