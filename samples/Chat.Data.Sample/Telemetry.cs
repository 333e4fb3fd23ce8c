using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Chat.Data.Sample;

/// <summary>
/// OpenTelemetry for the sample: Chat.Data's and Npgsql's spans and metrics, and ASP.NET Core's own.
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, traces and metrics go over OTLP to that collector;
/// otherwise spans are written to the console (metrics there would drown the log), unless
/// <c>Telemetry:Console</c> is false.
/// </summary>
internal static class Telemetry
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
            telemetry.WithTracing(tracing => tracing.AddConsoleExporter());
        return builder;
    }
}
