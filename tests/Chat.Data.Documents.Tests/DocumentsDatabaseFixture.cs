using Chat.Data.Documents;
using Chat.Data.Entities;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Documents.Tests;

/// <summary>One migrated database per test class with Chat.Data and <c>.AddDocuments()</c>, as a host that wants documents composes it.</summary>
public sealed class DocumentsDatabaseFixture : DatabaseFixture
{
    public IDocumentRepository Documents => Services.GetRequiredService<IDocumentRepository>();

    public IDocumentCollaboratorRepository Collaborators => Services.GetRequiredService<IDocumentCollaboratorRepository>();

    public IDocumentSignatureRepository Signatures => Services.GetRequiredService<IDocumentSignatureRepository>();

    public IDocumentTagRepository Tags => Services.GetRequiredService<IDocumentTagRepository>();

    public IDocumentBlockRepository DocumentBlocks => Services.GetRequiredService<IDocumentBlockRepository>();

    public IDocumentHistoryRepository DocumentHistory => Services.GetRequiredService<IDocumentHistoryRepository>();

    public IEntityRepository Entities => Services.GetRequiredService<IEntityRepository>();

    protected override void Compose(IChatDataBuilder chatData) => chatData.AddDocuments();
}
