using System.Text.Json;
using Chat.Data.Chats;
using Chat.Data.Messages;
using Chat.Data.Redis.Events;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Chat.Data.Sample.Live;

/// <summary>
/// What the endpoints tell open pages, published on the Redis event bus so it reaches pages held by
/// any instance of the app. Chat events go to the chat's channel; "you are in a new chat" goes to
/// each member's own channel, so their open pages start listening to that chat.
/// </summary>
internal sealed class LiveEvents(IChatEventBus bus, IChatRepository chats, IOptions<JsonOptions> json)
{
    public Task MessageSentAsync(Message message, CancellationToken cancellationToken) =>
        PublishToChatAsync(message.ChatId, new { type = "message", chatId = message.ChatId, message }, cancellationToken);

    public Task MessageEditedAsync(Message message, CancellationToken cancellationToken) =>
        PublishToChatAsync(message.ChatId, new { type = "edited", chatId = message.ChatId, message }, cancellationToken);

    public Task MessageDeletedAsync(Message message, CancellationToken cancellationToken) =>
        PublishToChatAsync(message.ChatId, new { type = "deleted", chatId = message.ChatId, messageId = message.Id }, cancellationToken);

    /// <summary>Who reacted with what; pages fetch the new totals, since "reacted by me" differs per viewer.</summary>
    public Task ReactionChangedAsync(Guid chatId, Guid messageId, Guid userId, CancellationToken cancellationToken) =>
        PublishToChatAsync(chatId, new { type = "reaction", chatId, messageId, userId }, cancellationToken);

    public Task ReadAsync(Guid chatId, Guid userId, long lastReadSeq, CancellationToken cancellationToken) =>
        PublishToChatAsync(chatId, new { type = "read", chatId, userId, lastReadSeq }, cancellationToken);

    /// <summary>Tells the members of every chat of <paramref name="userId"/> that the user went on- or offline.</summary>
    public async Task PresenceChangedAsync(Guid userId, bool isOnline, CancellationToken cancellationToken)
    {
        await foreach (var chatId in ChatIdsOfAsync(chats, userId, cancellationToken))
            await PublishToChatAsync(chatId, new { type = "presence", chatId, userId, isOnline }, cancellationToken);
    }

    public async Task JoinedChatAsync(Guid chatId, IEnumerable<Guid> userIds, CancellationToken cancellationToken)
    {
        var payload = Serialize(new { type = "chat", chatId });
        foreach (var userId in userIds.Distinct())
            await bus.PublishToUserAsync(userId, payload, cancellationToken);
    }

    /// <summary>Every chat in the user's chat list, page by page.</summary>
    public static async IAsyncEnumerable<Guid> ChatIdsOfAsync(
        IChatRepository chats, Guid userId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await chats.ListForUserAsync(userId, cursor, 100, cancellationToken);
            foreach (var item in page.Items)
                yield return item.Chat.Id;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    public string Serialize(object value) => JsonSerializer.Serialize(value, json.Value.SerializerOptions);

    private Task PublishToChatAsync(Guid chatId, object value, CancellationToken cancellationToken) =>
        bus.PublishToChatAsync(chatId, Serialize(value), cancellationToken);
}
