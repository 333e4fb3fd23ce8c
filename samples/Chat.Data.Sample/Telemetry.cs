using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Chat.Data.Sample;

/// <summary>
/// OpenTelemetry for the sample: Chat.Data's and Npgsql's spans and metrics, and ASP.NET Core's own.
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, traces and metrics go over OTLP to that collector;
/// otherwise each span is one line on the console, unless <c>Telemetry:Console</c> is false.
/// </summary>
internal static partial class Telemetry
{
    /// <summary>The library's ActivitySource and Meter names.</summary>
    private static readonly string[] ChatDataSources = ["Chat.Data", "Chat.Data.Redis"];

    public static WebApplicationBuilder AddSampleTelemetry(this WebApplicationBuilder builder)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("Chat.Data.Sample"))
            .WithTracing(tracing => tracing
                .AddSource(ChatDataSources)
                .AddAspNetCoreInstrumentation()
                .AddNpgsql())
            .WithMetrics(metrics => metrics
                .AddMeter(ChatDataSources)
                .AddAspNetCoreInstrumentation()
                .AddNpgsqlInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            telemetry.UseOtlpExporter();
        else if (builder.Configuration.GetValue("Telemetry:Console", defaultValue: true))
            telemetry.WithTracing(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new OneLineConsoleExporter())));
        return builder;
    }

    /// <summary>
    /// A span per line: when, its trace (to match a request with its queries), name, HTTP status,
    /// duration, error, and the start of its SQL. Children end first, so a request's queries come
    /// just before its own line. The OTLP exporter carries every attribute.
    /// </summary>
    private sealed partial class OneLineConsoleExporter : BaseExporter<System.Diagnostics.Activity>
    {
        private const int SqlShown = 90;

        public override ExportResult Export(in Batch<System.Diagnostics.Activity> batch)
        {
            foreach (var span in batch)
            {
                var line = $"{span.StartTimeUtc:HH:mm:ss.fff} trace {span.TraceId.ToHexString()[..8]}  {span.Duration.TotalMilliseconds,8:0.0} ms  {span.DisplayName}";
                if (span.GetTagItem("http.response.status_code") is { } status)
                    line += $" -> {status}";
                if (span.Status == ActivityStatusCode.Error)
                    line += $"  ERROR {span.GetTagItem("error.type") ?? span.StatusDescription}";
                if (span.GetTagItem("db.query.text") is string sql)
                {
                    var flat = Whitespace().Replace(sql, " ").Trim();
                    line += "  " + (flat.Length > SqlShown ? flat[..SqlShown] + "..." : flat);
                }
                Console.WriteLine(line);
            }
            return ExportResult.Success;
        }

        [GeneratedRegex(@"\s+")]
        private static partial Regex Whitespace();
    }
}
