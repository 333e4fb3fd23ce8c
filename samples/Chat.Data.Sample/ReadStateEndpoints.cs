using Chat.Data.ReadState;
using Chat.Data.Sample.Live;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Data.Sample;

/// <summary>Read and delivered marks, unread totals and receipts; a read is published as a receipt to the chat.</summary>
internal static class ReadStateEndpoints
{
    public static IEndpointRouteBuilder MapReadStateEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/chats/{chatId:guid}/read", MarkReadAsync).WithTags("Read state");
        endpoints.MapPost("/chats/{chatId:guid}/delivered", MarkDeliveredAsync).WithTags("Read state");
        endpoints.MapGet("/users/{userId:guid}/unread", UnreadTotalsAsync).WithTags("Read state");
        endpoints.MapGet("/messages/{messageId:guid}/receipts", ReceiptsAsync).WithTags("Read state");
        return endpoints;
    }

    /// <summary>Up to <paramref name="UpToSeq"/>, or everything when null.</summary>
    internal sealed record MarkRequest(Guid UserId, long? UpToSeq);

    private static async Task<Ok<ReadWatermark>> MarkReadAsync(Guid chatId, MarkRequest request, IReadStateRepository readState, LiveEvents live, CancellationToken cancellationToken)
    {
        var watermark = await readState.MarkReadAsync(chatId, request.UserId, request.UpToSeq, cancellationToken);
        await live.ReadAsync(chatId, request.UserId, watermark.LastReadSeq, cancellationToken);
        return TypedResults.Ok(watermark);
    }

    private static async Task<Ok<ReadWatermark>> MarkDeliveredAsync(Guid chatId, MarkRequest request, IReadStateRepository readState, CancellationToken cancellationToken) =>
        TypedResults.Ok(await readState.MarkDeliveredAsync(chatId, request.UserId, request.UpToSeq, cancellationToken));

    private static async Task<Ok<UnreadTotals>> UnreadTotalsAsync(Guid userId, IReadStateRepository readState, CancellationToken cancellationToken) =>
        TypedResults.Ok(await readState.GetUnreadTotalsAsync(userId, cancellationToken));

    private static async Task<Results<Ok<MessageReceipts>, NotFound>> ReceiptsAsync(Guid messageId, Guid viewerId, IReadStateRepository readState, CancellationToken cancellationToken) =>
        await readState.GetReceiptsAsync(messageId, viewerId, cancellationToken) is { } receipts ? TypedResults.Ok(receipts) : TypedResults.NotFound();
}
