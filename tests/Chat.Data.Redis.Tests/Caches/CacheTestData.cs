using Chat.Data.Messages;

namespace Chat.Data.Redis.Tests.Caches;

/// <summary>Messages as the repositories return them, for the caches that need no database.</summary>
internal static class CacheTestData
{
    public static Message Message(Guid chatId, long seq, string? content = null) => new(
        Id: Guid.CreateVersion7(),
        ChatId: chatId,
        Seq: seq,
        SenderId: Guid.CreateVersion7(),
        ClientMessageId: $"client-{seq}",
        Type: MessageType.Text,
        Content: content ?? $"message {seq} ✓ 你好",
        Metadata: """{"color": "#ff5733"}""",
        ReplyToId: seq > 1 ? Guid.CreateVersion7() : null,
        ThreadRootId: null,
        ReplyCount: 0,
        LastReplyAt: null,
        Mentions: [Guid.CreateVersion7()],
        EditedAt: null,
        DeletedAt: null,
        DeletedBy: null,
        Flagged: false,
        CreatedAt: new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(seq * 1234567));

    /// <summary>Records compare lists by reference; this compares the mentions by value.</summary>
    public static void AssertSame(Message expected, Message actual)
    {
        Assert.Equal(expected.Mentions, actual.Mentions);
        Assert.Equal(expected with { Mentions = [] }, actual with { Mentions = [] });
    }
}
