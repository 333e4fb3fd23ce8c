using Chat.Data.Messages;
using Chat.Data.Replicas;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.Users;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Tests.Replicas;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StandbyCollection
{
    // Replay on the one standby is paused by some of these tests: none may run beside them.
    public const string Name = "standby";
}

/// <summary>
/// Reads that may lag served by a real streaming standby, writes by the primary, and read-your-writes
/// with a consistency token; which server ran each call is read from that server's own activity view.
/// </summary>
[Collection(StandbyCollection.Name)]
public sealed class ReadReplicaTests(StandbyFixture standby) : IClassFixture<StandbyFixture>
{
    private sealed record Scene(Guid ChatId, Guid OwnerId, Guid MemberId);

    private static async Task<Scene> SceneAsync(IServiceProvider services)
    {
        var users = services.GetRequiredService<IUserRepository>();
        var owner = await users.CreateAsync(new NewUser { Phone = TestData.Phone(), Username = TestData.Username(), DisplayName = "Owner" });
        var member = await users.CreateAsync(new NewUser { Phone = TestData.Phone(), Username = TestData.Username(), DisplayName = "Member" });
        var chat = await services.GetRequiredService<Chat.Data.Chats.IChatRepository>().CreateGroupAsync(
            new Chat.Data.Chats.NewGroupChat { Name = "Replicated", CreatedBy = owner.Id, MemberIds = [member.Id] });
        return new Scene(chat.Id, owner.Id, member.Id);
    }

    private static Task<Message> SendAsync(IServiceProvider services, Scene scene, string content) =>
        services.GetRequiredService<IMessageRepository>().SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.OwnerId, Content = content });

    private static async Task<string[]> LatestAsync(IServiceProvider services, Scene scene) =>
        (await services.GetRequiredService<IMessageRepository>().GetHistoryAsync(scene.ChatId, scene.MemberId, HistoryAnchor.Latest))
        .Messages.Select(m => m.Content ?? "").ToArray();

    /// <summary>Runs the call and says which servers started its statements, each from its own pg_stat_activity.</summary>
    private async Task<(string[] Primary, string[] Standby)> ServersOfAsync(Func<Task> call)
    {
        var since = await standby.ClockAsync();
        await call();
        return (await standby.StatementsSinceAsync(Server.Primary, since), await standby.StatementsSinceAsync(Server.Standby, since));
    }

    [Fact]
    public async Task Reads_that_may_lag_run_on_the_standby_and_writes_on_the_primary()
    {
        await using var replay = await standby.ReplayRunningAsync();
        await using var services = standby.Services();
        var scene = await SceneAsync(services);
        await standby.CaughtUpAsync();

        var users = services.GetRequiredService<IUserRepository>();
        var reads = new (string Name, Func<Task> Call)[]
        {
            ("history", () => LatestAsync(services, scene)),
            ("chat list", () => services.GetRequiredService<Chat.Data.Chats.IChatRepository>().ListForUserAsync(scene.MemberId)),
            ("search", () => services.GetRequiredService<IMessageRepository>().SearchAsync(scene.MemberId, "hello")),
            ("user look-up", () => users.FindByIdAsync(scene.OwnerId)),
            ("activity feed", () => services.GetRequiredService<Chat.Data.Activity.IActivityFeedRepository>().ListAsync(scene.MemberId)),
        };
        foreach (var (name, call) in reads)
        {
            var (primary, standbyStatements) = await ServersOfAsync(call);
            Assert.True(standbyStatements.Length > 0, $"{name}: no statement ran on the standby");
            Assert.True(primary.Length == 0, $"{name}: ran on the primary: {string.Join(" | ", primary)}");
        }

        var (sendPrimary, sendStandby) = await ServersOfAsync(() => SendAsync(services, scene, "written"));
        Assert.NotEmpty(sendPrimary);
        Assert.Empty(sendStandby);
    }

    [Fact]
    public async Task With_replay_paused_a_read_without_a_token_is_stale_and_a_read_with_the_writes_token_is_not()
    {
        await using var services = standby.Services();
        var scene = await SceneAsync(services);
        await SendAsync(services, scene, "before the pause");
        await standby.CaughtUpAsync();
        var readYourWrites = services.GetRequiredService<IReadYourWrites>();

        await using (await standby.ReplayPausedAsync())
        {
            ConsistencyToken token;
            using (var writing = readYourWrites.Begin())
            {
                await SendAsync(services, scene, "after the pause");
                token = writing.Token;
            }
            Assert.False(token.IsNone);

            // No token: the standby serves the page, which lacks the new message.
            string[] stale = [];
            var (primary, standbyStatements) = await ServersOfAsync(async () => stale = await LatestAsync(services, scene));
            Assert.Equal(["before the pause"], stale);
            Assert.NotEmpty(standbyStatements);
            Assert.Empty(primary);

            // The write's token (as a cookie would carry it): the standby cannot catch up, so the primary serves it.
            Assert.True(ConsistencyToken.TryParse(token.ToString(), out var carried));
            string[] fresh = [];
            using (readYourWrites.Begin(carried))
                (primary, _) = await ServersOfAsync(async () => fresh = await LatestAsync(services, scene));
            Assert.Equal(["before the pause", "after the pause"], fresh);
            Assert.NotEmpty(primary);
        }
    }

    [Fact]
    public async Task With_replay_running_a_read_with_the_writes_token_waits_for_the_standby_and_sees_the_write()
    {
        await using var replay = await standby.ReplayRunningAsync();
        // A bound no replay on a busy test machine reaches, so the standby always serves the read.
        await using var services = standby.Services(o => o.StandbyCatchUpTimeout = TimeSpan.FromSeconds(10));
        var scene = await SceneAsync(services);
        var readYourWrites = services.GetRequiredService<IReadYourWrites>();

        using var scope = readYourWrites.Begin();
        for (var i = 1; i <= 20; i++)
        {
            await SendAsync(services, scene, $"message {i}");
            string[] page = [];
            var (primary, standbyStatements) = await ServersOfAsync(async () => page = await LatestAsync(services, scene));
            Assert.Equal($"message {i}", page[^1]);
            Assert.NotEmpty(standbyStatements);
            Assert.Empty(primary);
        }
    }

    [Fact]
    public async Task A_standby_that_does_not_answer_leaves_every_read_to_the_primary()
    {
        // Nothing listens on port 1 of the loopback: Npgsql finds no standby and connects to the primary.
        await using var services = standby.Services(standbyHostPort: "127.0.0.1:1");
        var scene = await SceneAsync(services);
        await SendAsync(services, scene, "still readable");

        string[] page = [];
        var (primary, standbyStatements) = await ServersOfAsync(async () => page = await LatestAsync(services, scene));
        Assert.Equal(["still readable"], page);
        Assert.NotEmpty(primary);
        Assert.Empty(standbyStatements);
    }

    [Fact]
    public async Task A_standby_that_drops_its_connections_fails_no_read()
    {
        await using var replay = await standby.ReplayRunningAsync();
        await using var services = standby.Services();
        var scene = await SceneAsync(services);
        await SendAsync(services, scene, "kept");
        await standby.CaughtUpAsync();
        Assert.Equal(["kept"], await LatestAsync(services, scene));

        // The standby ends every session of the library, as a restart or a crash would: the pooled connections are dead.
        await using (var admin = new Npgsql.NpgsqlConnection(StandbyFixture.StandbyAdmin))
        {
            await admin.OpenAsync();
            await admin.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @app", new { app = StandbyFixture.ApplicationName });
        }

        for (var i = 0; i < 5; i++)
            Assert.Equal(["kept"], await LatestAsync(services, scene));
    }

    [Fact]
    public async Task A_read_acting_as_a_user_runs_on_the_standby_under_row_level_security()
    {
        await using var replay = await standby.ReplayRunningAsync();
        await using var services = standby.Services();
        var scene = await SceneAsync(services);
        await SendAsync(services, scene, "members only");
        var outsider = await services.GetRequiredService<IUserRepository>().CreateAsync(
            new NewUser { Phone = TestData.Phone(), Username = TestData.Username(), DisplayName = "Outsider" });
        await standby.CaughtUpAsync();
        var rls = services.GetRequiredService<Chat.Data.Security.IRowLevelSecurity>();

        string[] page = [];
        (string[] Primary, string[] Standby) servers;
        using (rls.ActAs(scene.MemberId))
            servers = await ServersOfAsync(async () => page = await LatestAsync(services, scene));
        Assert.Equal(["members only"], page);
        Assert.NotEmpty(servers.Standby);
        Assert.Empty(servers.Primary);

        using (rls.ActAs(outsider.Id))
            await Assert.ThrowsAsync<NotAMemberException>(() => LatestAsync(services, scene));
    }

    [Fact]
    public async Task A_scope_records_its_writes_only_when_reads_go_to_standbys()
    {
        await using var services = standby.Services();
        var readYourWrites = services.GetRequiredService<IReadYourWrites>();
        Assert.Null(readYourWrites.Current);
        using (var scope = readYourWrites.Begin())
        {
            Assert.Same(scope, readYourWrites.Current);
            await SceneAsync(services);
            Assert.False(scope.Token.IsNone);
        }
        Assert.Null(readYourWrites.Current);

        // One server and the option off: nothing changes, and a scope learns no position.
        await using var plain = PlainServices(o => { });
        using var unused = plain.GetRequiredService<IReadYourWrites>().Begin();
        await SceneAsync(plain);
        Assert.True(unused.Token.IsNone);
    }

    [Fact]
    public void Reading_from_standbys_needs_a_multi_host_connection_string()
    {
        using var services = PlainServices(o => o.ReadFromStandbys = true);
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ChatDataOptions>>().Value);
        Assert.Contains("ReadFromStandbys", error.Message);
    }

    [Fact]
    public void A_token_survives_its_text_form_and_bad_text_is_no_token()
    {
        Assert.True(ConsistencyToken.TryParse("16/B374D848", out var token));
        Assert.Equal("16/B374D848", token.ToString());
        Assert.True(ConsistencyToken.TryParse("16/B374D849", out var later));
        Assert.Equal(later, ConsistencyToken.Max(token, later));
        Assert.False(ConsistencyToken.TryParse("not a position", out var bad));
        Assert.True(bad.IsNone);
        Assert.False(ConsistencyToken.TryParse(null, out _));
        Assert.Equal("", default(ConsistencyToken).ToString());
    }

    private ServiceProvider PlainServices(Action<ChatDataOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddChatData(o =>
        {
            o.ConnectionString = standby.Database.ConnectionString;
            configure(o);
        });
        return services.BuildServiceProvider();
    }
}
