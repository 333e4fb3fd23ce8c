using Chat.Data.Benchmarks.Baselines;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Benchmarks.Seeding;
using Chat.Data.Chats;
using Chat.Data.Messages;
using Chat.Data.ReadState;
using Chat.Data.Security;
using Chat.Data.Social;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chat.Data.Benchmarks.Suites;

/// <summary>
/// The three ways to run the conversation operations, over the benchmark database with the same settings:
/// the library as a host registers it, idiomatic EF Core, and hand-written Npgsql; plus the seeded rows.
/// </summary>
internal sealed class ConversationWays : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ConversationWays(ServiceProvider services, NpgsqlDataSource dataSource, ConversationSample sample)
    {
        _services = services;
        DataSource = dataSource;
        Sample = sample;
        ChatDataMessages = services.GetRequiredService<IMessageRepository>();
        ChatDataChats = services.GetRequiredService<IChatRepository>();
        ChatDataReadState = services.GetRequiredService<IReadStateRepository>();
        ChatDataReactions = services.GetRequiredService<IReactionRepository>();
        ChatDataAttachments = services.GetRequiredService<IAttachmentRepository>();
        ChatDataContacts = services.GetRequiredService<IContactRepository>();
        ChatDataRowLevelSecurity = services.GetRequiredService<IRowLevelSecurity>();
        var contexts = new PooledDbContextFactory<ConversationsDbContext>(
            new DbContextOptionsBuilder<ConversationsDbContext>().UseNpgsql(BenchDatabase.ConnectionString).Options);
        EfCoreMessages = new EfCoreMessages(contexts);
        EfCoreChats = new EfCoreChats(contexts);
        EfCoreReadState = new EfCoreReadState(contexts);
        EfCoreSocial = new EfCoreSocial(contexts);
        HandWrittenMessages = new HandWrittenMessages(dataSource);
        HandWrittenChats = new HandWrittenChats(dataSource);
        HandWrittenReadState = new HandWrittenReadState(dataSource);
        HandWrittenSocial = new HandWrittenSocial(dataSource);
    }

    /// <summary>The hand-written way's data source; also for setup statements.</summary>
    public NpgsqlDataSource DataSource { get; }

    public ConversationSample Sample { get; }

    public IMessageRepository ChatDataMessages { get; }

    public IChatRepository ChatDataChats { get; }

    public IReadStateRepository ChatDataReadState { get; }

    public IReactionRepository ChatDataReactions { get; }

    public IAttachmentRepository ChatDataAttachments { get; }

    public IContactRepository ChatDataContacts { get; }

    public IRowLevelSecurity ChatDataRowLevelSecurity { get; }

    public EfCoreMessages EfCoreMessages { get; }

    public EfCoreChats EfCoreChats { get; }

    public EfCoreReadState EfCoreReadState { get; }

    public EfCoreSocial EfCoreSocial { get; }

    public HandWrittenMessages HandWrittenMessages { get; }

    public HandWrittenChats HandWrittenChats { get; }

    public HandWrittenReadState HandWrittenReadState { get; }

    public HandWrittenSocial HandWrittenSocial { get; }

    public static async Task<ConversationWays> CreateAsync()
    {
        var connectionString = BenchDatabase.ConnectionString;
        var services = new ServiceCollection();
        services.AddChatData(o => { o.ConnectionString = connectionString; });
        var dataSource = NpgsqlDataSource.Create(connectionString);
        return new ConversationWays(services.BuildServiceProvider(), dataSource, await ConversationSample.LoadAsync(dataSource));
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await DataSource.DisposeAsync();
    }
}
