using Chat.Data.Messages;
using Chat.Data.Sample.Live;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Data.Sample;

/// <summary>Reactions on a message; each change is published to the message's chat.</summary>
internal static class ReactionEndpoints
{
    public static IEndpointRouteBuilder MapReactionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var reactions = endpoints.MapGroup("/messages/{messageId:guid}/reactions").WithTags("Reactions");
        reactions.MapPost("/", AddAsync);
        reactions.MapDelete("/", RemoveAsync);
        reactions.MapGet("/", SummaryAsync);
        return endpoints;
    }

    internal sealed record ReactRequest(Guid UserId, string Emoji);

    private static async Task<Results<Ok<ReactionChange>, NotFound>> AddAsync(
        Guid messageId, ReactRequest request, IReactionRepository reactions, IMessageRepository messages, LiveEvents live, CancellationToken cancellationToken)
    {
        var change = await reactions.AddAsync(messageId, request.UserId, request.Emoji, cancellationToken);
        return await PublishAsync(messageId, request.UserId, messages, live, cancellationToken) ? TypedResults.Ok(change) : TypedResults.NotFound();
    }

    /// <summary><c>?userId=...&amp;emoji=...</c>.</summary>
    private static async Task<Results<NoContent, NotFound>> RemoveAsync(
        Guid messageId, Guid userId, string emoji, IReactionRepository reactions, IMessageRepository messages, LiveEvents live, CancellationToken cancellationToken)
    {
        if (!await reactions.RemoveAsync(messageId, userId, emoji, cancellationToken))
            return TypedResults.NotFound();
        await PublishAsync(messageId, userId, messages, live, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Counts per emoji as <c>viewerId</c> sees them (whether they reacted too).</summary>
    private static async Task<Ok<IEnumerable<ReactionSummary>>> SummaryAsync(Guid messageId, Guid viewerId, IReactionRepository reactions, CancellationToken cancellationToken) =>
        TypedResults.Ok((await reactions.GetSummariesAsync([messageId], viewerId, cancellationToken))[messageId]);

    private static async Task<bool> PublishAsync(Guid messageId, Guid userId, IMessageRepository messages, LiveEvents live, CancellationToken cancellationToken)
    {
        if (await messages.FindByIdAsync(messageId, userId, cancellationToken) is not { } message)
            return false;
        await live.ReactionChangedAsync(message.ChatId, messageId, userId, cancellationToken);
        return true;
    }
}
