using Chat.Data.Messages;
using Chat.Data.Redis.Typing;
using Chat.Data.Sample.Live;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Data.Sample;

/// <summary>
/// Send, history, threads, edit, delete and search. Every change is published to the chat's open
/// pages. The sample has no authentication, so the acting user comes in the request.
/// </summary>
internal static class MessageEndpoints
{
    /// <summary>The send endpoint's name, so the rate limiter can be attached to it.</summary>
    public const string SendMessageEndpoint = "send-message";

    public static IEndpointRouteBuilder MapMessageEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var chat = endpoints.MapGroup("/chats/{chatId:guid}/messages").WithTags("Messages");
        chat.MapPost("/", SendAsync).WithName(SendMessageEndpoint);
        chat.MapGet("/", HistoryAsync);
        var messages = endpoints.MapGroup("/messages/{messageId:guid}").WithTags("Messages");
        messages.MapGet("/thread", ThreadAsync);
        messages.MapPatch("/", EditAsync);
        messages.MapDelete("/", DeleteAsync);
        endpoints.MapGet("/users/{userId:guid}/search", SearchAsync).WithTags("Messages");
        return endpoints;
    }

    /// <summary>
    /// A retry with the same <paramref name="ClientMessageId"/> returns the first message instead of
    /// sending it twice. <paramref name="ThreadRootId"/> makes it a reply in that message's thread.
    /// </summary>
    internal sealed record SendRequest(Guid SenderId, string? Content, string? ClientMessageId, MessageType? Type, Guid? ReplyToId, Guid? ThreadRootId, Guid[]? Mentions);

    internal sealed record EditRequest(Guid EditorId, string Content);

    private static async Task<Created<Message>> SendAsync(
        Guid chatId, SendRequest request, IMessageRepository messages, ITypingIndicator typing, LiveEvents live, CancellationToken cancellationToken)
    {
        var message = await messages.SendAsync(new NewMessage
        {
            ChatId = chatId,
            SenderId = request.SenderId,
            Content = request.Content,
            ClientMessageId = request.ClientMessageId,
            Type = request.Type ?? MessageType.Text,
            ReplyToId = request.ReplyToId,
            ThreadRootId = request.ThreadRootId,
            Mentions = request.Mentions ?? [],
        }, cancellationToken);
        await live.MessageSentAsync(message, cancellationToken);
        await typing.StopAsync(chatId, request.SenderId, cancellationToken);
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

    /// <summary>The replies in a message's thread, oldest first, after <c>after</c> (a seq) when given.</summary>
    private static async Task<Ok<MessagePage>> ThreadAsync(Guid messageId, Guid viewerId, long? after, int? limit, IMessageRepository messages, CancellationToken cancellationToken) =>
        TypedResults.Ok(await messages.GetThreadAsync(messageId, viewerId, after, limit ?? 50, cancellationToken));

    private static async Task<Results<Ok<Message>, NotFound>> EditAsync(
        Guid messageId, EditRequest request, IMessageRepository messages, LiveEvents live, CancellationToken cancellationToken)
    {
        if (await messages.EditAsync(messageId, request.EditorId, request.Content, cancellationToken: cancellationToken) is not { } message)
            return TypedResults.NotFound();
        await live.MessageEditedAsync(message, cancellationToken);
        return TypedResults.Ok(message);
    }

    /// <summary>Deletes for everyone; <c>?userId=...</c> is who deletes.</summary>
    private static async Task<Results<NoContent, NotFound>> DeleteAsync(Guid messageId, Guid userId, IMessageRepository messages, LiveEvents live, CancellationToken cancellationToken)
    {
        // The storage keys of its attachments would go to the host's blob store for removal; the sample stores no blobs.
        if (await messages.DeleteForEveryoneAsync(messageId, userId, cancellationToken) is not { } deleted)
            return TypedResults.NotFound();
        await live.MessageDeletedAsync(deleted.Message, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary><c>?q=...</c> across the user's chats, or in one with <c>chatId</c>.</summary>
    private static async Task<Ok<IReadOnlyList<MessageSearchHit>>> SearchAsync(
        Guid userId, string q, Guid? chatId, int? limit, IMessageRepository messages, CancellationToken cancellationToken) =>
        TypedResults.Ok(await messages.SearchAsync(userId, q, chatId, limit ?? 50, cancellationToken));
}
