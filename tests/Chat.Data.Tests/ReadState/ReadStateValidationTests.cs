using Chat.Data.ReadState;
using Chat.Data.Tests.Infrastructure;

namespace Chat.Data.Tests.ReadState;

/// <summary>Bad input is refused before the database, naming the parameter, and nothing is written.</summary>
public sealed class ReadStateValidationTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IReadStateRepository ReadState => db.ReadState;

    public static TheoryData<string, string> BadCalls => new()
    {
        { "MarkRead empty chat", "chatId" },
        { "MarkRead empty user", "userId" },
        { "MarkRead negative seq", "upToSeq" },
        { "MarkRead min seq", "upToSeq" },
        { "MarkDelivered empty chat", "chatId" },
        { "MarkDelivered empty user", "userId" },
        { "MarkDelivered negative seq", "upToSeq" },
        { "GetUnreadCount empty chat", "chatId" },
        { "GetUnreadCount empty user", "userId" },
        { "GetUnreadTotals empty user", "userId" },
        { "GetReceipts empty message", "messageId" },
    };

    private static Func<Task> Call(IReadStateRepository readState, string name, ReadScene s) => name switch
    {
        "MarkRead empty chat" => () => readState.MarkReadAsync(Guid.Empty, s.Reader),
        "MarkRead empty user" => () => readState.MarkReadAsync(s.ChatId, Guid.Empty, 1),
        "MarkRead negative seq" => () => readState.MarkReadAsync(s.ChatId, s.Reader, -1),
        "MarkRead min seq" => () => readState.MarkReadAsync(s.ChatId, s.Reader, long.MinValue),
        "MarkDelivered empty chat" => () => readState.MarkDeliveredAsync(Guid.Empty, s.Reader),
        "MarkDelivered empty user" => () => readState.MarkDeliveredAsync(s.ChatId, Guid.Empty),
        "MarkDelivered negative seq" => () => readState.MarkDeliveredAsync(s.ChatId, s.Reader, -5),
        "GetUnreadCount empty chat" => () => readState.GetUnreadCountAsync(Guid.Empty, s.Reader),
        "GetUnreadCount empty user" => () => readState.GetUnreadCountAsync(s.ChatId, Guid.Empty),
        "GetUnreadTotals empty user" => () => readState.GetUnreadTotalsAsync(Guid.Empty),
        "GetReceipts empty message" => () => readState.GetReceiptsUncheckedAsync(Guid.Empty),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task Bad_input_is_refused_naming_the_parameter_without_a_round_trip(string call, string field)
    {
        var scene = await db.GroupAsync(members: 1, messages: 3);

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var error = await Assert.ThrowsAsync<ChatDataValidationException>(Call(ReadState, call, scene));

        Assert.Equal(field, error.Field);
        Assert.Equal(0, roundTrips.Count);
        Assert.Empty(await db.MarksAsync(scene.ChatId, scene.Reader, "read"));
        Assert.Empty(await db.MarksAsync(scene.ChatId, scene.Reader, "delivered"));
    }
}
