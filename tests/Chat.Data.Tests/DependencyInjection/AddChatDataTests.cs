using System.Collections;
using System.Reflection;
using Chat.Data.Internal;
using Chat.Data.Migrations;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.Users;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Chat.Data.Tests.DependencyInjection;

public sealed class AddChatDataTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static ServiceProvider Build(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configure(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>What a host does as it starts: run the options validators registered with ValidateOnStart.</summary>
    private static void StartHost(IServiceProvider services) => services.GetRequiredService<IStartupValidator>().Validate();

    [Fact]
    public async Task Every_public_service_resolves_and_runs_a_real_query()
    {
        await using var services = Build(s => s.AddChatData(o => o.ConnectionString = db.Database.ConnectionString));
        StartHost(services);

        var publicInterfaces = typeof(IUserRepository).Assembly.GetExportedTypes()
            .Where(t => t.IsInterface && t != typeof(IChatDataBuilder));
        foreach (var service in publicInterfaces)
            Assert.True(services.GetService(service) is not null, $"{service.Name} is not registered by AddChatData.");

        var users = services.GetRequiredService<IUserRepository>();
        var created = await users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Via DI" });
        Assert.Equal(created, await users.FindByIdAsync(created.Id));
        Assert.All(await services.GetRequiredService<IChatDataMigrator>().GetStatusAsync(), s => Assert.Equal(MigrationState.Applied, s.State));
    }

    [Fact]
    public void A_missing_connection_string_fails_at_start_saying_what_to_set()
    {
        using var services = Build(s => s.AddChatData(_ => { }));

        var error = Assert.Throws<OptionsValidationException>(() => StartHost(services));

        Assert.Contains("ChatDataOptions.ConnectionString", error.Message);
        Assert.Contains("NpgsqlDataSource", error.Message);
    }

    [Theory]
    [InlineData("Chat-Data")]
    [InlineData("")]
    public void A_bad_schema_fails_at_start_saying_what_to_set(string schema)
    {
        using var services = Build(s => s.AddChatData(o =>
        {
            o.ConnectionString = db.Database.ConnectionString;
            o.Schema = schema;
        }));

        var error = Assert.Throws<OptionsValidationException>(() => StartHost(services));

        Assert.Contains("ChatDataOptions.Schema", error.Message);
    }

    [Fact]
    public void A_malformed_connection_string_fails_at_start()
    {
        using var services = Build(s => s.AddChatData(o => o.ConnectionString = "Hots=nowhere;;=="));

        var error = Assert.Throws<OptionsValidationException>(() => StartHost(services));

        Assert.Contains("ConnectionString", error.Message);
    }

    [Fact]
    public async Task The_hosts_data_source_is_shared_when_registered()
    {
        await using var hostDataSource = NpgsqlDataSource.Create(db.Database.ConnectionString);
        await using var services = Build(s =>
        {
            s.AddSingleton(hostDataSource);
            s.AddChatData(_ => { });
        });
        StartHost(services);

        Assert.Same(hostDataSource, services.GetRequiredService<ChatDatabase>().DataSource);
        var user = await services.GetRequiredService<IUserRepository>().CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Shared" });
        Assert.NotNull(user);
    }

    [Fact]
    public async Task A_connection_string_wins_over_a_registered_data_source_which_stays_the_hosts()
    {
        var hostConnectionString = new NpgsqlConnectionStringBuilder(db.Database.ConnectionString) { ApplicationName = "host" }.ConnectionString;
        await using var hostDataSource = NpgsqlDataSource.Create(hostConnectionString);
        var services = Build(s =>
        {
            s.AddSingleton(hostDataSource);
            s.AddChatData(o => o.ConnectionString = db.Database.ConnectionString);
        });
        StartHost(services);
        var chatDatabase = services.GetRequiredService<ChatDatabase>();

        Assert.NotSame(hostDataSource, chatDatabase.DataSource);
        Assert.Equal("Chat.Data", await chatDatabase.ExecuteScalarAsync<string>("SELECT current_setting('application_name')", null, CancellationToken.None));
        await services.DisposeAsync();
        await using var stillOpen = await hostDataSource.OpenConnectionAsync();
    }

    [Fact]
    public async Task ConfigureDataSource_changes_the_own_data_source_after_the_librarys_settings()
    {
        await using var services = Build(s => s.AddChatData(o =>
        {
            o.ConnectionString = db.Database.ConnectionString;
            o.ConfigureDataSource = builder => builder.ConnectionStringBuilder.ApplicationName = "configured-by-host";
        }));
        StartHost(services);

        var applicationName = await services.GetRequiredService<ChatDatabase>()
            .ExecuteScalarAsync<string>("SELECT current_setting('application_name')", null, CancellationToken.None);

        Assert.Equal("configured-by-host", applicationName);
    }

    [Fact]
    public async Task ConfigureDataSource_with_only_a_registered_data_source_fails_at_start_naming_both()
    {
        await using var hostDataSource = NpgsqlDataSource.Create(db.Database.ConnectionString);
        await using var services = Build(s =>
        {
            s.AddSingleton(hostDataSource);
            s.AddChatData(o => o.ConfigureDataSource = builder => builder.ConnectionStringBuilder.ApplicationName = "never");
        });

        var error = Assert.Throws<OptionsValidationException>(() => StartHost(services));

        Assert.Contains("ChatDataOptions.ConfigureDataSource", error.Message);
        Assert.Contains("registered NpgsqlDataSource", error.Message);
        Assert.Contains("set ChatDataOptions.ConnectionString", error.Message);
    }

    [Fact]
    public async Task An_own_data_source_logs_through_the_hosts_logger_factory()
    {
        var provider = new RecordingLoggerProvider();
        await using var services = Build(s =>
        {
            s.AddLogging(logging => logging.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));
            s.AddChatData(o => o.ConnectionString = db.Database.ConnectionString);
        });

        await services.GetRequiredService<IUserRepository>().FindByIdAsync(Guid.CreateVersion7());

        Assert.Contains(provider.Categories, c => c.StartsWith("Npgsql.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_own_data_source_turns_on_auto_prepare_and_is_disposed_with_the_container()
    {
        var services = Build(s => s.AddChatData(o => o.ConnectionString = db.Database.ConnectionString));
        var dataSource = services.GetRequiredService<ChatDatabase>().DataSource;

        Assert.Equal(128, new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxAutoPrepare);
        await services.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await dataSource.OpenConnectionAsync());
    }

    [Fact]
    public async Task An_own_data_source_skips_the_pool_reset()
    {
        await using var services = Build(s => s.AddChatData(o => o.ConnectionString = db.Database.ConnectionString));

        Assert.True(new NpgsqlConnectionStringBuilder(services.GetRequiredService<ChatDatabase>().DataSource.ConnectionString).NoResetOnClose);
    }

    [Fact]
    public async Task The_schema_option_is_honoured()
    {
        await using var services = Build(s => s.AddChatData(o =>
        {
            o.ConnectionString = db.Database.ConnectionString;
            o.Schema = "tenant_di";
        }));
        await services.GetRequiredService<IChatDataMigrator>().MigrateUpAsync();

        var user = await services.GetRequiredService<IUserRepository>().CreateAsync(new NewUser { Username = TestData.Username() });

        await using var connection = await db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM tenant_di.users WHERE id = @Id", new { user.Id }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM chat.users WHERE id = @Id", new { user.Id }));
    }

    [Fact]
    public async Task Migrations_run_at_start_only_when_asked()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();
        foreach (var runOnStartup in new[] { false, true })
        {
            await using var services = Build(s => s.AddChatData(o =>
            {
                o.ConnectionString = database.ConnectionString;
                o.RunMigrationsOnStartup = runOnStartup;
            }));
            foreach (var hosted in services.GetServices<IHostedService>())
                await hosted.StartAsync(CancellationToken.None);

            var states = (await services.GetRequiredService<IChatDataMigrator>().GetStatusAsync()).Select(s => s.State).Distinct();
            Assert.Equal(runOnStartup ? MigrationState.Applied : MigrationState.Pending, Assert.Single(states));
        }
    }

    [Fact]
    public async Task Migrating_at_start_adds_nothing_of_fluentmigrator_to_the_hosts_services()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();
        var collection = new ServiceCollection().AddLogging();
        collection.AddChatData(o =>
        {
            o.ConnectionString = database.ConnectionString;
            o.RunMigrationsOnStartup = true;
        });
        await using var services = collection.BuildServiceProvider();
        foreach (var hosted in services.GetServices<IHostedService>())
            await hosted.StartAsync(CancellationToken.None);

        Assert.All(await services.GetRequiredService<IChatDataMigrator>().GetStatusAsync(), s => Assert.Equal(MigrationState.Applied, s.State));
        Assert.DoesNotContain(collection, d => IsFluentMigrators(d.ServiceType) || IsFluentMigrators(d.ImplementationType));
        Assert.Null(services.GetService<FluentMigrator.Runner.IMigrationRunner>());

        static bool IsFluentMigrators(Type? type) => type?.Assembly.GetName().Name?.StartsWith("FluentMigrator", StringComparison.Ordinal) == true;
    }

    [Fact]
    public async Task A_bare_service_collection_builds_with_validation_and_runs_a_query()
    {
        var services = new ServiceCollection();
        services.AddChatData(o => o.ConnectionString = db.Database.ConnectionString);

        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var users = provider.GetRequiredService<IUserRepository>();
        var created = await users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Bare" });
        Assert.Equal(created, await users.FindByIdAsync(created.Id));
        Assert.Equal(HealthStatus.Healthy, (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
    }

    [Fact]
    public void Logging_added_after_chat_data_keeps_its_providers()
    {
        var services = new ServiceCollection();
        services.AddChatData(o => o.ConnectionString = db.Database.ConnectionString);
        var provider = new RecordingLoggerProvider();
        services.AddLogging(logging => logging.AddProvider(provider));

        using var built = services.BuildServiceProvider();
        built.GetRequiredService<ILogger<AddChatDataTests>>().LogWarning("heard");

        Assert.Equal(["heard"], provider.Messages);
    }

    [Fact]
    public async Task Without_a_host_a_query_on_an_unmigrated_database_says_to_migrate()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();
        var services = new ServiceCollection();
        services.AddChatData(o =>
        {
            o.ConnectionString = database.ConnectionString;
            o.RunMigrationsOnStartup = true;
        });
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<MigrationException>(() => provider.GetRequiredService<IUserRepository>().FindByIdAsync(Guid.CreateVersion7()));

        Assert.Contains("MigrateUpAsync", error.Message);
        Assert.Contains("ServiceCollection", error.Message);
        await provider.GetRequiredService<IChatDataMigrator>().MigrateUpAsync();
        Assert.Null(await provider.GetRequiredService<IUserRepository>().FindByIdAsync(Guid.CreateVersion7()));
    }

    /// <summary>Keeps what was logged, and under which categories.</summary>
    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        private readonly Lock _lock = new();
        private readonly List<string> _messages = [];
        private readonly List<string> _categories = [];

        public string[] Messages
        {
            get { lock (_lock) return [.. _messages]; }
        }

        public string[] Categories
        {
            get { lock (_lock) return [.. _categories]; }
        }

        public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Recorder(RecordingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (provider._lock)
                {
                    provider._messages.Add(formatter(state, exception));
                    provider._categories.Add(category);
                }
            }
        }
    }

    [Fact]
    public async Task The_health_check_reports_healthy_and_unhealthy()
    {
        await using var healthy = Build(s => s.AddChatData(o => o.ConnectionString = db.Database.ConnectionString));
        await using var unreachable = Build(s => s.AddChatData(o => o.ConnectionString = "Host=127.0.0.1;Port=1;Username=nobody;Timeout=2"));

        Assert.Equal(HealthStatus.Healthy, (await healthy.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
        var report = await unreachable.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["chat-data"].Status);
    }

    [Fact]
    public async Task Two_hundred_concurrent_calls_share_a_pool_of_four_connections_without_leaking_one()
    {
        var pooled = new NpgsqlConnectionStringBuilder(db.Database.ConnectionString) { MaxPoolSize = 4, Timeout = 10 }.ConnectionString;
        await using var services = Build(s => s.AddChatData(o => o.ConnectionString = pooled));
        var users = services.GetRequiredService<IUserRepository>();

        var created = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = $"Pool {i}" })));
        var found = await Task.WhenAll(created.Select(u => users.FindByIdAsync(u.Id)));

        Assert.Equal(created, found);
        await Assert.ThrowsAsync<DuplicateException>(() => users.CreateAsync(new NewUser { Phone = created[0].Phone, DisplayName = "Again" }));
        Assert.NotNull(await users.FindByIdAsync(created[0].Id));
    }

    [Fact]
    public async Task An_unreachable_database_raises_a_transient_typed_error()
    {
        await using var services = Build(s => s.AddChatData(o => o.ConnectionString = "Host=127.0.0.1;Port=1;Username=nobody;Timeout=2"));

        var error = await Assert.ThrowsAsync<DatabaseUnavailableException>(() => services.GetRequiredService<IUserRepository>().FindByIdAsync(Guid.CreateVersion7()));

        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Using_the_library_leaves_dappers_global_state_untouched()
    {
        var before = DapperGlobalState();
        await using (var services = Build(s => s.AddChatData(o => o.ConnectionString = db.Database.ConnectionString)))
        {
            var users = services.GetRequiredService<IUserRepository>();
            var user = await users.CreateAsync(new NewUser { Phone = TestData.Phone(), Username = TestData.Username(), DisplayName = "Global" });
            await users.FindByIdAsync(user.Id);
            await users.FindByPhoneAsync(user.Phone!);
            await users.FindByUsernameAsync(user.Username!);
            await users.FindByPhonesAsync([user.Phone!]);
            await users.UpdateAsync(user.Id, new UserUpdate { About = "x" });
            await users.SetPresenceAsync(user.Id, Presence.Online);
            await users.UpdateLastSeenAsync(user.Id);
            await users.GetPasswordHashAsync(user.Id);
            await users.DeleteAsync(user.Id);
            await services.GetRequiredService<IChatDataMigrator>().GetStatusAsync();
        }

        Assert.Equal(before, DapperGlobalState());
    }

    /// <summary>
    /// Dapper's host-visible settings: type handlers and DbType maps (read from its private tables,
    /// since it has no public list), custom type maps (its type-map table also caches default maps,
    /// so only the others count), DefaultTypeMap.MatchNamesWithUnderscores and SqlMapper.Settings.
    /// </summary>
    private static string DapperGlobalState()
    {
        var state = new List<string> { $"MatchNamesWithUnderscores={DefaultTypeMap.MatchNamesWithUnderscores}" };
        foreach (var property in typeof(SqlMapper.Settings).GetProperties(BindingFlags.Public | BindingFlags.Static))
            state.Add($"Settings.{property.Name}={property.GetValue(null)}");
        state.Add($"typeHandlers=[{string.Join(", ", Keys(DapperTable("typeHandlers")))}]");
        state.Add($"typeMap=[{string.Join(", ", Keys(DapperTable("typeMap")))}]");
        var typeMaps = DapperTable("_typeMaps");
        lock (typeMaps.SyncRoot)
            state.Add($"custom type maps=[{string.Join(", ", Keys(typeMaps).Where(k => typeMaps[k] is not DefaultTypeMap))}]");
        return string.Join('\n', state);

        static IDictionary DapperTable(string name) =>
            typeof(SqlMapper).GetField(name, BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) as IDictionary
            ?? throw new InvalidOperationException($"Dapper no longer has the table SqlMapper.{name}; update this test.");

        static List<object> Keys(IDictionary table) => table.Keys.Cast<object>().OrderBy(k => k.ToString()).ToList();
    }
}
