using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Chat.Data.Benchmarks.Seeding;

namespace Chat.Data.Benchmarks.Host;

/// <summary>
/// How a benchmark's cost grows with a parameter: its mean (or median) over the same benchmark's at the parameter's
/// smallest value, in the same run (BenchmarkDotNet's Ratio compares methods at one value, not values of one method).
/// The median ratio is there for shared machines, where a burst of other work moves a mean but hardly a median.
/// </summary>
internal sealed class ScalingColumn(string parameter, int smallest, bool median) : IColumn
{
    public string Id => $"{nameof(ScalingColumn)}.{parameter}.{(median ? "Median" : "Mean")}";

    public string ColumnName => $"{(median ? "Median ratio" : "Ratio")} to {parameter}={smallest}";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => median
        ? $"Median / the same benchmark's median at {parameter}={smallest}"
        : $"Mean / the same benchmark's mean at {parameter}={smallest}";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var reference = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.WorkloadMethod == benchmarkCase.Descriptor.WorkloadMethod &&
            c.Job.DisplayInfo == benchmarkCase.Job.DisplayInfo &&
            Equals(c.Parameters[parameter], smallest));
        var value = Statistic(summary, benchmarkCase);
        var referenceValue = reference is null ? null : Statistic(summary, reference);
        return value is null || referenceValue is null or 0
            ? "?"
            : (value.Value / referenceValue.Value).ToString("0.00", style.CultureInfo ?? CultureInfo.InvariantCulture);
    }

    private double? Statistic(Summary summary, BenchmarkCase benchmarkCase) =>
        summary[benchmarkCase]?.ResultStatistics is { } statistics ? (median ? statistics.Median : statistics.Mean) : null;

    public override string ToString() => ColumnName;

    /// <summary>For [Config(typeof(...))]: the columns for the suites' Unread parameter.</summary>
    public sealed class ByUnread : ManualConfig
    {
        public ByUnread()
        {
            var smallest = ReadScalingData.UnreadCounts.Min();
            AddColumn(new ScalingColumn("Unread", smallest, median: false), new ScalingColumn("Unread", smallest, median: true));
        }
    }
}
