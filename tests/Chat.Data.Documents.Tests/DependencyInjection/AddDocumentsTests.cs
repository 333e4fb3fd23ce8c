using Chat.Data.Entities;
using Chat.Data.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Documents.Tests.DependencyInjection;

/// <summary>AddChatData(...).AddDocuments(), composed as a host composes it, on the fixture's migrated database.</summary>
public sealed class AddDocumentsTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    [Fact]
    public async Task AddChatData_alone_registers_no_document_services_and_migrates_no_documents()
    {
        await using var services = TestDatabase.Compose(db.Database.ConnectionString, _ => { });

        Assert.Null(services.GetService<IDocumentRepository>());
        Assert.Null(services.GetService<IEntityRepository>());
        Assert.All(await services.GetRequiredService<IChatDataMigrator>().GetStatusAsync(), s => Assert.Equal("chat", s.Stream));
    }

    [Fact]
    public async Task AddDocuments_twice_registers_each_service_and_the_documents_migrations_once()
    {
        await using var services = TestDatabase.Compose(db.Database.ConnectionString, chatData => chatData.AddDocuments().AddDocuments());

        Assert.Equal(["chat", "documents"], services.GetServices<MigrationStream>().Select(s => s.Name));
        Assert.Single(services.GetServices<IDocumentRepository>());
        var statuses = await services.GetRequiredService<IChatDataMigrator>().GetStatusAsync();
        Assert.Equal(MigrationState.Applied, Assert.Single(statuses, s => s.Stream == "documents").State);
        var owner = await db.Arrange.UserAsync();
        var document = await services.GetRequiredService<IDocumentRepository>().CreateAsync(new NewDocument { Title = "Registered", OwnerId = owner.Id });
        Assert.Equal("Registered", (await db.Documents.FindByIdAsync(document.Id))!.Title);
    }
}
