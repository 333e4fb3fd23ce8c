using System.Net.ServerSentEvents;
using Chat.Data.Redis.Presence;
using Chat.Data.Redis.Typing;
using Chat.Data.Sample.Live;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Data.Sample;

/// <summary>The live side: the page's event stream, presence heartbeats and typing.</summary>
internal static class LiveEndpoints
{
    /// <summary>How long a page counts as online after its last heartbeat; the page beats well within it.</summary>
    private static readonly TimeSpan PresenceTtl = TimeSpan.FromSeconds(60);

    public static IEndpointRouteBuilder MapLiveEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var users = endpoints.MapGroup("/users/{userId:guid}").WithTags("Live");
        users.MapGet("/events", Events);
        users.MapPost("/presence", HeartbeatAsync);
        users.MapGet("/presence", PresenceAsync);
        var typing = endpoints.MapGroup("/chats/{chatId:guid}/typing").WithTags("Live");
        typing.MapPost("/", TypingAsync);
        typing.MapGet("/", WhoIsTypingAsync);
        return endpoints;
    }

    internal sealed record HeartbeatRequest(string DeviceId);

    internal sealed record TypingRequest(Guid UserId, bool IsTyping);

    /// <summary>
    /// Server-Sent Events for one open page (<c>deviceId</c> names it): a <c>ready</c> event once it
    /// listens, then one JSON event per change in the user's chats. The page is online while it listens.
    /// </summary>
    private static ServerSentEventsResult<string> Events(Guid userId, string deviceId, LiveStream stream, HttpContext context) =>
        TypedResults.ServerSentEvents(stream.ReadAsync(userId, deviceId, PresenceTtl, context.RequestAborted));

    private static async Task<Ok<HeartbeatResult>> HeartbeatAsync(Guid userId, HeartbeatRequest request, IPresenceTracker presence, LiveEvents live, CancellationToken cancellationToken)
    {
        var result = await presence.HeartbeatAsync(userId, request.DeviceId, PresenceTtl, cancellationToken);
        if (result.WentOnline)
            await live.PresenceChangedAsync(userId, isOnline: true, cancellationToken);
        return TypedResults.Ok(result);
    }

    private static async Task<Ok<UserPresence>> PresenceAsync(Guid userId, IPresenceTracker presence, CancellationToken cancellationToken) =>
        TypedResults.Ok(await presence.GetAsync(userId, cancellationToken));

    /// <summary>The page calls it while the user types (the indicator throttles the events) and with false when the box is cleared.</summary>
    private static async Task<NoContent> TypingAsync(Guid chatId, TypingRequest request, ITypingIndicator typing, CancellationToken cancellationToken)
    {
        if (request.IsTyping)
            await typing.StartAsync(chatId, request.UserId, cancellationToken: cancellationToken);
        else
            await typing.StopAsync(chatId, request.UserId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<Guid>>> WhoIsTypingAsync(Guid chatId, ITypingIndicator typing, CancellationToken cancellationToken) =>
        TypedResults.Ok(await typing.GetTypingAsync(chatId, cancellationToken));
}
