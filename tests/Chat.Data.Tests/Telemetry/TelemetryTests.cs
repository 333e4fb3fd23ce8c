using System.Diagnostics;
using Chat.Data.Chats;
using Chat.Data.Messages;
using Chat.Data.Migrations;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.TestSupport;
using Chat.Data.Users;
using Npgsql;

namespace Chat.Data.Tests.Telemetry;

/// <summary>
/// Spans and metrics as an OpenTelemetry host collects them (the SDK with its in-memory exporter). Each
/// test runs under a parent span of its own and reads only that trace, since other test classes call the
/// library at the same time. Cross-cutting: every area reports through the same instruments, so these
/// tests sit apart from any one area's.
/// </summary>
public sealed class TelemetryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly TelemetryCollector _telemetry = new("Chat.Data");

    [Fact]
    public async Task Every_repository_call_is_a_client_span_named_after_its_operation_with_database_attributes()
    {
        User user;
        using (var test = _telemetry.StartTest("test"))
        {
            user = await db.Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Ana" });
            await db.Users.FindByIdAsync(user.Id);
        }
        _telemetry.Stop();

        var spans = _telemetry.SpansOf("test");
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
        var phone = TestData.Phone();
        await db.Users.CreateAsync(new NewUser { Phone = phone, DisplayName = "Ana" });
        using (var test = _telemetry.StartTest("failing"))
            await Assert.ThrowsAsync<DuplicateException>(() => db.Users.CreateAsync(new NewUser { Phone = phone, DisplayName = "Ana again" }));
        _telemetry.Stop();

        var span = Assert.Single(_telemetry.SpansOf("failing"));
        Assert.Equal("users.create", span.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(DuplicateException).FullName, span.GetTagItem("error.type"));
        Assert.Contains(span.Events, e => e.Name == "exception");
    }

    [Fact]
    public async Task History_and_search_are_timed_by_operation_in_the_duration_histogram()
    {
        var alice = await db.Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Alice" });
        var group = await db.Chats.CreateGroupAsync(new NewGroupChat { Name = "Metrics", CreatedBy = alice.Id });
        await db.Messages.SendAsync(new NewMessage { ChatId = group.Id, SenderId = alice.Id, Content = "hello telemetry" });

        await db.Messages.GetHistoryAsync(group.Id, alice.Id, HistoryAnchor.Latest);
        await db.Messages.SearchAsync(alice.Id, "telemetry", chatId: group.Id);
        _telemetry.Stop();

        var operations = _telemetry.Points("db.client.operation.duration")
            .Select(p => (Operation: TelemetryCollector.Tag(p, "db.operation.name") as string, System: TelemetryCollector.Tag(p, "db.system.name") as string, Count: p.GetHistogramCount())).ToList();
        Assert.Contains(operations, o => o is { Operation: "messages.get_history", System: "postgresql", Count: >= 1 });
        Assert.Contains(operations, o => o is { Operation: "messages.search", System: "postgresql", Count: >= 1 });
        Assert.Equal("s", _telemetry.Metrics.First(m => m.Name == "db.client.operation.duration").Unit);
    }

    [Fact]
    public async Task A_send_is_a_span_linked_from_the_batch_that_carried_it_and_sends_are_counted_and_timed()
    {
        var alice = await db.Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Alice" });
        var group = await db.Chats.CreateGroupAsync(new NewGroupChat { Name = "Sends", CreatedBy = alice.Id });
        Message sent;
        using (_telemetry.StartTest("sending"))
            sent = await db.Messages.SendAsync(new NewMessage { ChatId = group.Id, SenderId = alice.Id, Content = "traced" });
        _telemetry.Stop();

        var send = Assert.Single(_telemetry.SpansOf("sending"), s => s.DisplayName == "messages.send");
        Assert.Equal(group.Id, send.GetTagItem("chat_data.chat.id"));
        Assert.Equal(sent.Id, send.GetTagItem("chat_data.message.id"));
        var batch = Assert.Single(_telemetry.Spans, s => s.DisplayName == "messages.send_batch" && s.Links.Any(l => l.Context.SpanId == send.SpanId));
        Assert.NotEqual(send.TraceId, batch.TraceId); // a batch serves many callers: a trace of its own
        Assert.True((int)batch.GetTagItem("chat_data.send.batch.size")! >= 1);

        Assert.Contains(_telemetry.Metrics, m => m.Name == "chat_data.messages.sent" && m.Unit == "{message}");
        Assert.True(_telemetry.Points("chat_data.messages.sent").Sum(p => p.GetSumLong()) >= 1);
        Assert.True(_telemetry.Points("chat_data.send.batch.size").Sum(p => p.GetHistogramCount()) >= 1);
        Assert.Contains(_telemetry.Metrics, m => m.Name == "chat_data.send.batch.duration" && m.Unit == "s");
        Assert.True(_telemetry.Points("chat_data.send.batch.duration").Sum(p => p.GetHistogramCount()) >= 1);
    }

    [Fact]
    public async Task A_migration_run_is_a_span_and_each_migration_is_timed_by_version()
    {
        await using var empty = await TestDatabase.CreateEmptyAsync();
        await using var dataSource = NpgsqlDataSource.Create(empty.ConnectionString);
        IReadOnlyList<MigrationRun> runs;
        using (_telemetry.StartTest("migrating"))
            runs = await new ChatDataMigrator(dataSource).MigrateUpAsync();
        _telemetry.Stop();

        Assert.Contains(_telemetry.SpansOf("migrating"), s => s.DisplayName == "migrations.up");
        var timed = _telemetry.Points("chat_data.migration.duration")
            .Where(p => TelemetryCollector.Tag(p, "chat_data.migration.direction") as string == "up")
            .Select(p => (long?)TelemetryCollector.Tag(p, "chat_data.migration.version")).ToList();
        Assert.NotEmpty(runs);
        Assert.All(runs, run => Assert.Contains(run.Version, timed));
    }

    public void Dispose() => _telemetry.Dispose();
}
