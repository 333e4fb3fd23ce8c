using Chat.Data.Chats;
using Chat.Data.Messages;
using Chat.Data.ReadState;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Data.Sample;

/// <summary>
/// Chats, messages and read state. The sample has no authentication, so the acting user comes in
/// the request; a real host takes it from its auth and checks it.
/// </summary>
internal static class ChatEndpoints
{
    public static IEndpointRouteBuilder MapChatEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var chats = endpoints.MapGroup("/chats");
        chats.MapPost("/", CreateGroupAsync);
        chats.MapPost("/{chatId:guid}/messages", SendAsync).WithName(SendMessageEndpoint);
        chats.MapGet("/{chatId:guid}/messages", HistoryAsync);
        chats.MapPost("/{chatId:guid}/read", MarkReadAsync);
        endpoints.MapGet("/users/{userId:guid}/chats", ListForUserAsync);
        return endpoints;
    }

    /// <summary>The endpoint's name, so the rate limiter can be attached to it.</summary>
    public const string SendMessageEndpoint = "send-message";

    internal sealed record CreateGroupRequest(string Name, Guid CreatedBy, Guid[]? MemberIds, string? Description);

    internal sealed record SendRequest(Guid SenderId, string? Content, string? ClientMessageId, MessageType? Type, Guid? ReplyToId, Guid[]? Mentions);

    internal sealed record MarkReadRequest(Guid UserId, long? UpToSeq);

    private static async Task<Created<ChatRoom>> CreateGroupAsync(CreateGroupRequest request, IChatRepository chats, CancellationToken cancellationToken)
    {
        var chat = await chats.CreateGroupAsync(
            new NewGroupChat { Name = request.Name, CreatedBy = request.CreatedBy, MemberIds = request.MemberIds ?? [], Description = request.Description },
            cancellationToken);
        return TypedResults.Created($"/chats/{chat.Id}", chat);
    }

    private static async Task<Created<Message>> SendAsync(Guid chatId, SendRequest request, IMessageRepository messages, CancellationToken cancellationToken)
    {
        var message = await messages.SendAsync(new NewMessage
        {
            ChatId = chatId,
            SenderId = request.SenderId,
            Content = request.Content,
            ClientMessageId = request.ClientMessageId,
            Type = request.Type ?? MessageType.Text,
            ReplyToId = request.ReplyToId,
            Mentions = request.Mentions ?? [],
        }, cancellationToken);
        return TypedResults.Created($"/chats/{chatId}/messages?around={message.Seq}&viewerId={request.SenderId}", message);
    }

    /// <summary><c>?viewerId=...</c> and one of <c>before</c>, <c>after</c>, <c>around</c> (a seq); the newest page without one.</summary>
    private static async Task<Ok<MessagePage>> HistoryAsync(
        Guid chatId, Guid viewerId, long? before, long? after, long? around, int? limit, IMessageRepository messages, CancellationToken cancellationToken)
    {
        var anchor = (before, after, around) switch
        {
            ({ } seq, null, null) => HistoryAnchor.Before(seq),
            (null, { } seq, null) => HistoryAnchor.After(seq),
            (null, null, { } seq) => HistoryAnchor.Around(seq),
            (null, null, null) => HistoryAnchor.Latest,
            _ => throw new ChatDataValidationException("before", "give at most one of before, after and around."),
        };
        return TypedResults.Ok(await messages.GetHistoryAsync(chatId, viewerId, anchor, limit ?? 50, cancellationToken));
    }

    private static async Task<Ok<ReadWatermark>> MarkReadAsync(Guid chatId, MarkReadRequest request, IReadStateRepository readState, CancellationToken cancellationToken) =>
        TypedResults.Ok(await readState.MarkReadAsync(chatId, request.UserId, request.UpToSeq, cancellationToken));

    private static async Task<Ok<Page<ChatListItem>>> ListForUserAsync(Guid userId, string? cursor, int? limit, IChatRepository chats, CancellationToken cancellationToken) =>
        TypedResults.Ok(await chats.ListForUserAsync(userId, cursor, limit ?? 50, cancellationToken));
}
