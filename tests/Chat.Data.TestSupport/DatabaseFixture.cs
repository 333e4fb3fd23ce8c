using Chat.Data.Activity;
using Chat.Data.Chats;
using Chat.Data.Maintenance;
using Chat.Data.Messages;
using Chat.Data.ReadState;
using Chat.Data.Social;
using Chat.Data.Users;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;

namespace Chat.Data.TestSupport;

/// <summary>
/// One migrated database per test class, with Chat.Data composed the way a host composes it:
/// a real <see cref="ServiceCollection"/> and <c>AddChatData</c>, and the packages <see cref="Compose"/> adds.
/// </summary>
public class DatabaseFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private ServiceProvider? _services;

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The fixture is not initialised.");

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("The fixture is not initialised.");

    public IUserRepository Users => Services.GetRequiredService<IUserRepository>();

    public IChatRepository Chats => Services.GetRequiredService<IChatRepository>();

    public IChatMemberRepository Members => Services.GetRequiredService<IChatMemberRepository>();

    public IMessageRepository Messages => Services.GetRequiredService<IMessageRepository>();

    public IReadStateRepository ReadState => Services.GetRequiredService<IReadStateRepository>();

    public IReactionRepository Reactions => Services.GetRequiredService<IReactionRepository>();

    public IAttachmentRepository Attachments => Services.GetRequiredService<IAttachmentRepository>();

    public IBlockRepository Blocks => Services.GetRequiredService<IBlockRepository>();

    public IContactRepository Contacts => Services.GetRequiredService<IContactRepository>();

    public IMessageRequestRepository MessageRequests => Services.GetRequiredService<IMessageRequestRepository>();

    public IActivityFeedRepository Activity => Services.GetRequiredService<IActivityFeedRepository>();

    public IChatDataMaintenance Maintenance => Services.GetRequiredService<IChatDataMaintenance>();

    /// <summary>Rows written straight to the database, for arranging a test without the repository under test.</summary>
    public Arrange Arrange => new(this);

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateMigratedAsync(Compose);
        _services = TestDatabase.Compose(_database.ConnectionString, Compose);
    }

    /// <summary>Adds packages to the registration (and their migrations to the database); the chat core alone by default.</summary>
    protected virtual void Compose(IChatDataBuilder chatData)
    {
    }

    /// <summary>A connection for reading what the library wrote, bypassing it.</summary>
    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
            await _services.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
    }
}
