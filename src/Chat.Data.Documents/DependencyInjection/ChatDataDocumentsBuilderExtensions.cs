using Chat.Data.DependencyInjection;
using Chat.Data.Documents;
using Chat.Data.Documents.Migrations;
using Chat.Data.Entities;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Chat.Data.Documents to a Chat.Data registration.</summary>
public static class ChatDataDocumentsBuilderExtensions
{
    /// <summary>
    /// Adds the document repositories (<see cref="IDocumentRepository"/>, <see cref="IDocumentBlockRepository"/>,
    /// <see cref="IDocumentCollaboratorRepository"/>, <see cref="IDocumentSignatureRepository"/>,
    /// <see cref="IDocumentTagRepository"/>, <see cref="IDocumentHistoryRepository"/>) and
    /// <see cref="IEntityRepository"/> as singletons on the Chat.Data database, and the documents migrations
    /// to the registered <c>IChatDataMigrator</c>: they run after the chat core's, with their own version
    /// table (<c>documents_version_info</c>). Calling it twice adds nothing more.
    /// </summary>
    /// <param name="builder">What <c>services.AddChatData(...)</c> returned.</param>
    /// <returns>The same builder.</returns>
    public static IChatDataBuilder AddDocuments(this IChatDataBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        services.AddMigrationStream(DocumentsMigrationStream.Instance);
        services.TryAddSingleton<IDocumentRepository, DocumentRepository>();
        services.TryAddSingleton<IDocumentCollaboratorRepository, DocumentCollaboratorRepository>();
        services.TryAddSingleton<IDocumentSignatureRepository, DocumentSignatureRepository>();
        services.TryAddSingleton<IDocumentTagRepository, DocumentTagRepository>();
        services.TryAddSingleton<IDocumentBlockRepository, DocumentBlockRepository>();
        services.TryAddSingleton<IDocumentHistoryRepository, DocumentHistoryRepository>();
        services.TryAddSingleton<IEntityRepository, EntityRepository>();
        return builder;
    }
}
