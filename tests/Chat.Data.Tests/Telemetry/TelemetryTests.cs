using System.Diagnostics;
using Chat.Data.Chats;
using Chat.Data.Messages;
using Chat.Data.Migrations;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.Users;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Chat.Data.Tests.Telemetry;

/// <summary>
/// Spans and metrics as an OpenTelemetry host collects them (the SDK with its in-memory exporter). Each
/// test runs under a parent span of its own and reads only that trace, since other test classes call the
/// library at the same time.
/// </summary>
public sealed class TelemetryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IDisposable
{
    private static readonly ActivitySource TestSource = new("Chat.Data.Tests.Telemetry");

    private readonly List<System.Diagnostics.Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private TracerProvider? _tracing;
    private MeterProvider? _metering;

    private TracerProvider Tracing => _tracing ??= Sdk.CreateTracerProviderBuilder()
        .AddSource("Chat.Data", TestSource.Name).AddInMemoryExporter(_spans).Build()!;

    private MeterProvider Metering => _metering ??= Sdk.CreateMeterProviderBuilder()
        .AddMeter("Chat.Data").AddInMemoryExporter(_metrics).Build()!;

    [Fact]
    public async Task Every_repository_call_is_a_client_span_named_after_its_operation_with_database_attributes()
    {
        _ = Tracing;
        User user;
        using (var test = TestSource.StartActivity("test"))
        {
            user = await db.Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Ana" });
            await db.Users.FindByIdAsync(user.Id);
        }
        StopCollecting();

        var spans = SpansOf("test");
        Assert.Equal(["users.create", "users.find_by_id"], spans.Select(s => s.DisplayName));
        Assert.All(spans, span =>
        {
            Assert.Equal(ActivityKind.Client, span.Kind);
            Assert.Equal("postgresql", span.GetTagItem("db.system.name"));
            Assert.Equal(span.DisplayName, span.GetTagItem("db.operation.name"));
            Assert.Equal(db.Database.Name, span.GetTagItem("db.namespace"));
            Assert.Equal(ActivityStatusCode.Unset, span.Status);
        });
    }

    [Fact]
    public async Task A_failed_call_has_an_error_status_and_the_error_type_it_threw()
    {
        _ = Tracing;
        var phone = TestData.Phone();
        await db.Users.CreateAsync(new NewUser { Phone = phone, DisplayName = "Ana" });
        using (var test = TestSource.StartActivity("failing"))
            await Assert.ThrowsAsync<DuplicateException>(() => db.Users.CreateAsync(new NewUser { Phone = phone, DisplayName = "Ana again" }));
        StopCollecting();

        var span = Assert.Single(SpansOf("failing"));
        Assert.Equal("users.create", span.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(DuplicateException).FullName, span.GetTagItem("error.type"));
        Assert.Contains(span.Events, e => e.Name == "exception");
    }

    [Fact]
    public async Task History_and_search_are_timed_by_operation_in_the_duration_histogram()
    {
        _ = Metering;
        var alice = await db.Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Alice" });
        var group = await db.Chats.CreateGroupAsync(new NewGroupChat { Name = "Metrics", CreatedBy = alice.Id });
        await db.Messages.SendAsync(new NewMessage { ChatId = group.Id, SenderId = alice.Id, Content = "hello telemetry" });

        await db.Messages.GetHistoryAsync(group.Id, alice.Id, HistoryAnchor.Latest);
        await db.Messages.SearchAsync(alice.Id, "telemetry", chatId: group.Id);
        StopCollecting();

        var operations = _metrics.Where(m => m.Name == "db.client.operation.duration").SelectMany(Points)
            .Select(p => (Operation: Tag(p, "db.operation.name"), System: Tag(p, "db.system.name"), Count: p.GetHistogramCount())).ToList();
        Assert.Contains(operations, o => o is { Operation: "messages.get_history", System: "postgresql", Count: >= 1 });
        Assert.Contains(operations, o => o is { Operation: "messages.search", System: "postgresql", Count: >= 1 });
        Assert.Equal("s", _metrics.First(m => m.Name == "db.client.operation.duration").Unit);
    }

    [Fact]
    public async Task A_send_is_a_span_linked_from_the_batch_that_carried_it_and_sends_are_counted_and_timed()
    {
        _ = Tracing;
        _ = Metering;
        var alice = await db.Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Alice" });
        var group = await db.Chats.CreateGroupAsync(new NewGroupChat { Name = "Sends", CreatedBy = alice.Id });
        Message sent;
        using (TestSource.StartActivity("sending"))
            sent = await db.Messages.SendAsync(new NewMessage { ChatId = group.Id, SenderId = alice.Id, Content = "traced" });
        StopCollecting();

        var send = Assert.Single(SpansOf("sending"), s => s.DisplayName == "messages.send");
        Assert.Equal(group.Id, send.GetTagItem("chat_data.chat.id"));
        Assert.Equal(sent.Id, send.GetTagItem("chat_data.message.id"));
        var batch = Assert.Single(_spans, s => s.DisplayName == "messages.send_batch" && s.Links.Any(l => l.Context.SpanId == send.SpanId));
        Assert.NotEqual(send.TraceId, batch.TraceId); // a batch serves many callers: a trace of its own
        Assert.True((int)batch.GetTagItem("chat_data.send.batch.size")! >= 1);

        Assert.Contains(_metrics, m => m.Name == "chat_data.messages.sent" && m.Unit == "{message}" && Points(m).Sum(p => p.GetSumLong()) >= 1);
        Assert.Contains(_metrics, m => m.Name == "chat_data.send.batch.size" && Points(m).Sum(p => p.GetHistogramCount()) >= 1);
        Assert.Contains(_metrics, m => m.Name == "chat_data.send.batch.duration" && m.Unit == "s" && Points(m).Sum(p => p.GetHistogramCount()) >= 1);
    }

    [Fact]
    public async Task A_migration_run_is_a_span_and_each_migration_is_timed_by_version()
    {
        _ = Tracing;
        _ = Metering;
        await using var empty = await TestDatabase.CreateEmptyAsync();
        await using var dataSource = NpgsqlDataSource.Create(empty.ConnectionString);
        IReadOnlyList<MigrationRun> runs;
        using (TestSource.StartActivity("migrating"))
            runs = await new ChatDataMigrator(dataSource).MigrateUpAsync();
        StopCollecting();

        Assert.Contains(SpansOf("migrating"), s => s.DisplayName == "migrations.up");
        var timed = _metrics.Where(m => m.Name == "chat_data.migration.duration").SelectMany(Points)
            .Where(p => Tag(p, "chat_data.migration.direction") == "up")
            .Select(p => Version(p)).ToList();
        Assert.NotEmpty(runs);
        Assert.All(runs, run => Assert.Contains(run.Version, timed));
    }

    private List<System.Diagnostics.Activity> SpansOf(string parent)
    {
        var root = _spans.Single(s => s.Source == TestSource && s.DisplayName == parent);
        return _spans.Where(s => s.TraceId == root.TraceId && s.Source.Name == "Chat.Data").OrderBy(s => s.StartTimeUtc).ToList();
    }

    private static List<MetricPoint> Points(Metric metric)
    {
        var points = new List<MetricPoint>();
        foreach (var point in metric.GetMetricPoints())
            points.Add(point);
        return points;
    }

    private static long? Version(MetricPoint point)
    {
        foreach (var tag in point.Tags)
            if (tag.Key == "chat_data.migration.version")
                return (long?)tag.Value;
        return null;
    }

    private static string? Tag(MetricPoint point, string name)
    {
        foreach (var tag in point.Tags)
            if (tag.Key == name)
                return tag.Value as string;
        return null;
    }

    /// <summary>
    /// Flushes and ends collection, so the exporters' lists stop changing under the assertions (spans of other
    /// test classes keep ending on other threads).
    /// </summary>
    private void StopCollecting()
    {
        _tracing?.Dispose();
        _metering?.Dispose();
    }

    public void Dispose()
    {
        _tracing?.Dispose();
        _metering?.Dispose();
    }
}
