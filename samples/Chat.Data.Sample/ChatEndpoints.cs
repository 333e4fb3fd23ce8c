using Chat.Data.Chats;
using Chat.Data.Redis.Presence;
using Chat.Data.Sample.Live;
using Chat.Data.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Data.Sample;

/// <summary>
/// Direct and group chats, topics, members and the chat list. The sample has no authentication, so
/// the acting user comes in the request; a real host takes it from its auth and checks it.
/// </summary>
internal static class ChatEndpoints
{
    public static IEndpointRouteBuilder MapChatEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var chats = endpoints.MapGroup("/chats").WithTags("Chats");
        chats.MapPost("/", CreateGroupAsync);
        chats.MapPost("/direct", GetOrCreateDirectAsync);
        chats.MapGet("/{chatId:guid}", GetAsync);
        chats.MapGet("/{chatId:guid}/members", ListMembersAsync);
        chats.MapPost("/{chatId:guid}/members", AddMembersAsync);
        chats.MapPost("/{chatId:guid}/topics", CreateTopicAsync);
        chats.MapGet("/{chatId:guid}/topics", ListTopicsAsync);
        endpoints.MapGet("/users/{userId:guid}/chats", ListForUserAsync).WithTags("Chats");
        return endpoints;
    }

    internal sealed record CreateGroupRequest(string Name, Guid CreatedBy, Guid[]? MemberIds, string? Description);

    internal sealed record DirectRequest(Guid UserId, Guid OtherUserId);

    internal sealed record AddMembersRequest(Guid[] UserIds);

    internal sealed record CreateTopicRequest(string Name, Guid CreatedBy, Guid[]? MemberIds);

    /// <summary>A member with the profile and presence a chat header shows.</summary>
    internal sealed record MemberView(ChatMember Member, User? User, UserPresence Presence);

    private static async Task<Created<ChatRoom>> CreateGroupAsync(CreateGroupRequest request, IChatRepository chats, LiveEvents live, CancellationToken cancellationToken)
    {
        var memberIds = request.MemberIds ?? [];
        var chat = await chats.CreateGroupAsync(
            new NewGroupChat { Name = request.Name, CreatedBy = request.CreatedBy, MemberIds = memberIds, Description = request.Description },
            cancellationToken);
        await live.JoinedChatAsync(chat.Id, [request.CreatedBy, .. memberIds], cancellationToken);
        return TypedResults.Created($"/chats/{chat.Id}", chat);
    }

    /// <summary>The one direct chat between two users, created on first use.</summary>
    private static async Task<Ok<ChatRoom>> GetOrCreateDirectAsync(DirectRequest request, IChatRepository chats, LiveEvents live, CancellationToken cancellationToken)
    {
        var chat = await chats.GetOrCreateDirectAsync(request.UserId, request.OtherUserId, cancellationToken);
        await live.JoinedChatAsync(chat.Id, [request.UserId, request.OtherUserId], cancellationToken);
        return TypedResults.Ok(chat);
    }

    private static async Task<Results<Ok<ChatRoom>, NotFound>> GetAsync(Guid chatId, Guid viewerId, IChatRepository chats, CancellationToken cancellationToken) =>
        await chats.FindByIdAsync(chatId, viewerId, cancellationToken) is { } chat ? TypedResults.Ok(chat) : TypedResults.NotFound();

    /// <summary>The first 100 active members, with their profiles and presence.</summary>
    private static async Task<Ok<IReadOnlyList<MemberView>>> ListMembersAsync(
        Guid chatId, Guid viewerId, IChatMemberRepository members, IUserRepository users, IPresenceTracker presence, CancellationToken cancellationToken)
    {
        var page = await members.ListActiveAsync(chatId, viewerId, limit: 100, cancellationToken: cancellationToken);
        var online = await presence.GetManyAsync(page.Items.Select(m => m.UserId), cancellationToken);
        var views = new List<MemberView>(page.Items.Count);
        foreach (var member in page.Items)
            views.Add(new MemberView(member, await users.FindByIdAsync(member.UserId, cancellationToken), online[member.UserId]));
        return TypedResults.Ok<IReadOnlyList<MemberView>>(views);
    }

    private static async Task<Ok<IReadOnlyList<ChatMember>>> AddMembersAsync(
        Guid chatId, AddMembersRequest request, IChatMemberRepository members, LiveEvents live, CancellationToken cancellationToken)
    {
        var added = await members.AddManyAsync(chatId, request.UserIds, cancellationToken: cancellationToken);
        await live.JoinedChatAsync(chatId, added.Select(m => m.UserId), cancellationToken);
        return TypedResults.Ok(added);
    }

    private static async Task<Created<ChatRoom>> CreateTopicAsync(Guid chatId, CreateTopicRequest request, IChatRepository chats, LiveEvents live, CancellationToken cancellationToken)
    {
        var memberIds = request.MemberIds ?? [];
        var topic = await chats.CreateTopicAsync(
            new NewTopic { Name = request.Name, CreatedBy = request.CreatedBy, ParentChatId = chatId, MemberIds = memberIds },
            cancellationToken);
        await live.JoinedChatAsync(topic.Id, [request.CreatedBy, .. memberIds], cancellationToken);
        return TypedResults.Created($"/chats/{topic.Id}", topic);
    }

    private static async Task<Ok<IReadOnlyList<ChatRoom>>> ListTopicsAsync(Guid chatId, IChatRepository chats, CancellationToken cancellationToken) =>
        TypedResults.Ok(await chats.ListTopicsAsync(chatId, cancellationToken));

    private static async Task<Ok<Page<ChatListItem>>> ListForUserAsync(Guid userId, string? cursor, int? limit, IChatRepository chats, CancellationToken cancellationToken) =>
        TypedResults.Ok(await chats.ListForUserAsync(userId, cursor, limit ?? 50, cancellationToken));
}
