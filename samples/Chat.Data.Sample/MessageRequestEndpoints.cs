using Chat.Data.Sample.Live;
using Chat.Data.Social;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Data.Sample;

/// <summary>
/// Message requests between users who are not contacts. Accepting one opens the direct chat, which
/// then appears live in both users' chat lists.
/// </summary>
internal static class MessageRequestEndpoints
{
    public static IEndpointRouteBuilder MapMessageRequestEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var requests = endpoints.MapGroup("/message-requests").WithTags("Message requests");
        requests.MapPost("/", CreateAsync);
        requests.MapPost("/{requestId:guid}/accept", AcceptAsync);
        requests.MapPost("/{requestId:guid}/decline", DeclineAsync);
        endpoints.MapGet("/users/{userId:guid}/message-requests", ListPendingAsync).WithTags("Message requests");
        return endpoints;
    }

    internal sealed record CreateRequest(Guid RequesterId, Guid RecipientId);

    internal sealed record AnswerRequest(Guid RecipientId);

    private static async Task<Ok<MessageRequest>> CreateAsync(CreateRequest request, IMessageRequestRepository requests, CancellationToken cancellationToken) =>
        TypedResults.Ok(await requests.CreateAsync(request.RequesterId, request.RecipientId, cancellationToken));

    private static async Task<Results<Ok<MessageRequest>, NotFound>> AcceptAsync(
        Guid requestId, AnswerRequest request, IMessageRequestRepository requests, LiveEvents live, CancellationToken cancellationToken)
    {
        if (await requests.AcceptAsync(requestId, request.RecipientId, cancellationToken) is not { } accepted)
            return TypedResults.NotFound();
        if (accepted.ChatId is { } chatId)
            await live.JoinedChatAsync(chatId, [accepted.RequesterId, accepted.RecipientId], cancellationToken);
        return TypedResults.Ok(accepted);
    }

    private static async Task<Results<Ok<MessageRequest>, NotFound>> DeclineAsync(Guid requestId, AnswerRequest request, IMessageRequestRepository requests, CancellationToken cancellationToken) =>
        await requests.DeclineAsync(requestId, request.RecipientId, cancellationToken) is { } declined ? TypedResults.Ok(declined) : TypedResults.NotFound();

    private static async Task<Ok<Page<MessageRequest>>> ListPendingAsync(Guid userId, string? cursor, int? limit, IMessageRequestRepository requests, CancellationToken cancellationToken) =>
        TypedResults.Ok(await requests.ListPendingAsync(userId, cursor, limit ?? 50, cancellationToken));
}
