using Chat.Data.Documents;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Data.Sample;

/// <summary>
/// Documents with their blocks, signers and signatures. The sample has no authentication, so the
/// acting user comes in the request; a real host takes it from its auth.
/// </summary>
internal static class DocumentEndpoints
{
    public static IEndpointRouteBuilder MapDocumentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var documents = endpoints.MapGroup("/documents").WithTags("Documents");
        documents.MapPost("/", CreateAsync);
        documents.MapGet("/{documentId:guid}", GetAsync);
        documents.MapPost("/{documentId:guid}/blocks", AddBlockAsync);
        documents.MapPost("/{documentId:guid}/signers", AddSignerAsync);
        documents.MapPost("/{documentId:guid}/sign", SignAsync);
        return endpoints;
    }

    internal sealed record CreateDocumentRequest(string Title, Guid OwnerId, Guid? ChatId, string? Icon, string? Cover, bool RequireSignatures);

    internal sealed record AddBlockRequest(Guid ActorId, BlockType Type, string? Content, Guid? ParentBlockId, int? Position, bool? Checked);

    internal sealed record AddSignerRequest(Guid ActorId, Guid UserId);

    internal sealed record SignRequest(Guid UserId, string SignerName);

    /// <summary>A document with its blocks as a tree.</summary>
    internal sealed record DocumentWithBlocks(Document Document, IReadOnlyList<DocumentBlockNode> Blocks);

    private static async Task<Created<Document>> CreateAsync(CreateDocumentRequest request, IDocumentRepository documents, CancellationToken cancellationToken)
    {
        var newDocument = new NewDocument
        {
            Title = request.Title,
            OwnerId = request.OwnerId,
            ChatId = request.ChatId,
            Cover = request.Cover,
            RequireSignatures = request.RequireSignatures,
        };
        var document = await documents.CreateAsync(request.Icon is null ? newDocument : newDocument with { Icon = request.Icon }, cancellationToken);
        return TypedResults.Created($"/documents/{document.Id}", document);
    }

    private static async Task<Results<Ok<DocumentWithBlocks>, NotFound>> GetAsync(
        Guid documentId, IDocumentRepository documents, IDocumentBlockRepository blocks, CancellationToken cancellationToken)
    {
        var document = await documents.FindByIdAsync(documentId, cancellationToken);
        if (document is null)
            return TypedResults.NotFound();
        return TypedResults.Ok(new DocumentWithBlocks(document, await blocks.ListTreeAsync(documentId, cancellationToken)));
    }

    private static async Task<Created<DocumentBlock>> AddBlockAsync(Guid documentId, AddBlockRequest request, IDocumentBlockRepository blocks, CancellationToken cancellationToken)
    {
        var block = await blocks.CreateAsync(new NewBlock
        {
            DocumentId = documentId,
            Type = request.Type,
            Content = request.Content,
            ParentBlockId = request.ParentBlockId,
            Position = request.Position,
            Checked = request.Checked,
        }, request.ActorId, cancellationToken);
        return TypedResults.Created($"/documents/{documentId}", block);
    }

    private static async Task<Created<DocumentSigner>> AddSignerAsync(Guid documentId, AddSignerRequest request, IDocumentSignatureRepository signatures, CancellationToken cancellationToken)
    {
        var signer = await signatures.AddSignerAsync(documentId, request.UserId, request.ActorId, cancellationToken);
        return TypedResults.Created($"/documents/{documentId}", signer);
    }

    private static async Task<Results<Ok<SignatureStatus>, NotFound>> SignAsync(
        Guid documentId, SignRequest request, IDocumentSignatureRepository signatures, CancellationToken cancellationToken) =>
        await signatures.SignAsync(documentId, request.UserId, request.SignerName, cancellationToken) is { } status
            ? TypedResults.Ok(status)
            : TypedResults.NotFound();
}
