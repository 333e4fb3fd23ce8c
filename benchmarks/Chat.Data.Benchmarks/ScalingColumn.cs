using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Chat.Data.Benchmarks;

/// <summary>
/// How a benchmark's cost grows with a parameter: its mean over the same benchmark's mean at the parameter's
/// smallest value, in the same run (BenchmarkDotNet's Ratio compares methods at one value, not values of one method).
/// </summary>
internal sealed class ScalingColumn(string parameter, int smallest) : IColumn
{
    public string Id => $"{nameof(ScalingColumn)}.{parameter}";

    public string ColumnName => $"Ratio to {parameter}={smallest}";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Mean / the same benchmark's mean at {parameter}={smallest}";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var reference = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.WorkloadMethod == benchmarkCase.Descriptor.WorkloadMethod &&
            c.Job.DisplayInfo == benchmarkCase.Job.DisplayInfo &&
            Equals(c.Parameters[parameter], smallest));
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        var referenceMean = reference is null ? null : summary[reference]?.ResultStatistics?.Mean;
        return mean is null || referenceMean is null or 0
            ? "?"
            : (mean.Value / referenceMean.Value).ToString("0.00", style.CultureInfo ?? CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;

    /// <summary>For [Config(typeof(...))]: the column for the suites' Unread parameter.</summary>
    public sealed class ByUnread : ManualConfig
    {
        public ByUnread() => AddColumn(new ScalingColumn("Unread", ReadScalingData.UnreadCounts.Min()));
    }
}
