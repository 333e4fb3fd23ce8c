using Chat.Data.Messages;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Data.Sample;

/// <summary>
/// Attachment metadata. The bytes live in the host's blob store (the sample has none): the client
/// uploads there, then records what it uploaded here.
/// </summary>
internal static class AttachmentEndpoints
{
    public static IEndpointRouteBuilder MapAttachmentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/messages/{messageId:guid}/attachments", AddAsync).WithTags("Attachments");
        endpoints.MapGet("/messages/{messageId:guid}/attachments", ListAsync).WithTags("Attachments");
        endpoints.MapGet("/chats/{chatId:guid}/gallery", GalleryAsync).WithTags("Attachments");
        return endpoints;
    }

    internal sealed record AddAttachmentsRequest(Guid UserId, NewAttachment[] Attachments);

    private static async Task<Ok<IReadOnlyList<MessageAttachment>>> AddAsync(
        Guid messageId, AddAttachmentsRequest request, IAttachmentRepository attachments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await attachments.AddAsync(messageId, request.UserId, request.Attachments, cancellationToken));

    private static async Task<Ok<IReadOnlyList<MessageAttachment>>> ListAsync(Guid messageId, Guid viewerId, IAttachmentRepository attachments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await attachments.ListAsync(messageId, viewerId, cancellationToken));

    /// <summary>The chat's media and files, newest first, as <c>viewerId</c> may see them; <c>kinds</c> narrows it (image, video, ...).</summary>
    private static async Task<Ok<Page<MessageAttachment>>> GalleryAsync(
        Guid chatId, Guid viewerId, AttachmentKind[]? kinds, string? cursor, int? limit, IAttachmentRepository attachments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await attachments.GetGalleryAsync(chatId, viewerId, kinds is { Length: > 0 } ? kinds : null, cursor, limit ?? 50, cancellationToken));
}
