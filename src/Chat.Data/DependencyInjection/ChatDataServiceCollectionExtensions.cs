using Chat.Data;
using Chat.Data.Activity;
using Chat.Data.Chats;
using Chat.Data.DependencyInjection;
using Chat.Data.Internal;
using Chat.Data.Maintenance;
using Chat.Data.Messages;
using Chat.Data.ReadState;
using Chat.Data.Replicas;
using Chat.Data.Security;
using Chat.Data.Social;
using Chat.Data.Migrations;
using Chat.Data.Users;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Chat.Data in a host's service collection.</summary>
public static class ChatDataServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Chat.Data repositories, the migrator, a start-up migration service (active when
    /// <see cref="ChatDataOptions.RunMigrationsOnStartup"/> is set) and a health check named
    /// <c>chat-data</c>, and logging if the host has not added it. With <see cref="ChatDataOptions.ConnectionString"/>
    /// set, Chat.Data builds a data source of its own from it (logging to the host's <see cref="ILoggerFactory"/>,
    /// changed by <see cref="ChatDataOptions.ConfigureDataSource"/>) and leaves any registered
    /// <see cref="NpgsqlDataSource"/> to the host; without it, Chat.Data shares the registered
    /// <see cref="NpgsqlDataSource"/>. Options are validated when the host starts.
    /// Without a generic host (a plain <see cref="ServiceCollection"/>), nothing starts: options are
    /// validated on first use, and migrations run only when you call <see cref="IChatDataMigrator.MigrateUpAsync"/>.
    /// </summary>
    /// <returns>A builder for optional parts, such as <c>.AddRedis(...)</c> from Chat.Data.Redis and <c>.AddDocuments()</c> from Chat.Data.Documents.</returns>
    public static IChatDataBuilder AddChatData(this IServiceCollection services, Action<ChatDataOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        // Idempotent, and a host's own AddLogging (before or after) keeps its providers: a bare
        // ServiceCollection then builds with ValidateOnBuild, which the health check's logger needs.
        services.AddLogging();
        services.AddOptions<ChatDataOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatDataOptions>, ChatDataOptionsValidator>());

        services.TryAddSingleton(CreateDatabase);
        services.AddMigrationStream(MigrationStream.Chat);
        // Every stream registered, in the order registered: the chat core's here, then each package's.
        services.TryAddSingleton<IChatDataMigrator>(sp =>
        {
            var db = sp.GetRequiredService<ChatDatabase>();
            return new ChatDataMigrator(db.DataSource, db.Schema, sp.GetServices<MigrationStream>().ToList(), sp.GetService<ILogger<ChatDataMigrator>>());
        });
        services.TryAddSingleton<IUserRepository, UserRepository>();
        services.TryAddSingleton<IChatRepository, ChatRepository>();
        services.TryAddSingleton<IChatMemberRepository, ChatMemberRepository>();
        services.TryAddSingleton<IMessageRepository, MessageRepository>();
        services.TryAddSingleton<IReactionRepository, ReactionRepository>();
        services.TryAddSingleton<IAttachmentRepository, AttachmentRepository>();
        services.TryAddSingleton<IReadStateRepository, ReadStateRepository>();
        services.TryAddSingleton<IBlockRepository, BlockRepository>();
        services.TryAddSingleton<IContactRepository, ContactRepository>();
        services.TryAddSingleton<IMessageRequestRepository, MessageRequestRepository>();
        services.TryAddSingleton<IActivityFeedRepository, ActivityFeedRepository>();
        services.TryAddSingleton<IChatDataMaintenance, ChatDataMaintenance>();
        services.TryAddSingleton<IReadYourWrites, ReadYourWrites>();
        services.TryAddSingleton<IRowLevelSecurity, RowLevelSecurity>();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MigrateOnStartupService>());
        services.AddHealthChecks().AddCheck<ChatDataHealthCheck>("chat-data", tags: ["chat-data", "postgresql"]);

        return new ChatDataBuilder(services);
    }

    private static ChatDatabase CreateDatabase(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ChatDataOptions>>().Value;
        TimeSpan? standbyCatchUp = options.ReadFromStandbys ? options.StandbyCatchUpTimeout : null;
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var hostDataSource = services.GetRequiredService<NpgsqlDataSource>();
            if (options.ReadFromStandbys && hostDataSource is not NpgsqlMultiHostDataSource)
                throw new InvalidOperationException(
                    "ChatDataOptions.ReadFromStandbys needs the registered NpgsqlDataSource to be an NpgsqlMultiHostDataSource (built from a connection string naming the primary and its standbys).");
            return new ChatDatabase(hostDataSource, options.Schema, ownsDataSource: false, standbyCatchUp);
        }

        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        builder.UseLoggerFactory(services.GetRequiredService<ILoggerFactory>());
        // A lone statement is never prepared explicitly; Npgsql's auto-prepare does it for the hot ones.
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
            builder.ConnectionStringBuilder.MaxAutoPrepare = 128;
        // The library leaves no session state behind (its plan settings are transaction-local, the
        // migrator releases its advisory lock), so a pooled connection need not be reset between uses:
        // the reset is statements the server runs ahead of every command on a reopened connection. A
        // host that wants other settings changes them in ConfigureDataSource.
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        builder.ConnectionStringBuilder.ApplicationName ??= "Chat.Data";
        options.ConfigureDataSource?.Invoke(builder);
        return new ChatDatabase(builder.Build(), options.Schema, ownsDataSource: true, standbyCatchUp);
    }
}
