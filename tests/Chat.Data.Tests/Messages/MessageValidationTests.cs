using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;

namespace Chat.Data.Tests.Messages;

/// <summary>Bad input is refused before the database with an error naming the field, and nothing is written.</summary>
public sealed class MessageValidationTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    // Stands for the scene's chat / an active member in the theory data below.
    private static readonly Guid Scene = Guid.Parse("00000000-0000-7000-8000-00000000000a");

    private static NewMessage Text(string? content = "hi") => new() { ChatId = Scene, SenderId = Scene, Content = content };

    private static readonly string Long = new('x', MessageFields.MaxContentLength + 1);

    public static TheoryData<string, NewMessage, string> InvalidSends => new()
    {
        { "empty chat id", Text() with { ChatId = Guid.Empty }, "ChatId" },
        { "empty sender id", Text() with { SenderId = Guid.Empty }, "SenderId" },
        { "no sender for text", Text() with { SenderId = null }, "SenderId" },
        { "system with a sender", Text() with { Type = MessageType.System }, "SenderId" },
        { "unknown type", Text() with { Type = (MessageType)99 }, "Type" },
        { "text without content", Text(null), "Content" },
        { "empty text", Text(""), "Content" },
        { "blank text", Text(" \t\n"), "Content" },
        { "NUL in text", Text("a\0b"), "Content" },
        { "text over 10,000", Text(Long), "Content" },
        { "image caption over 10,000", Text(Long) with { Type = MessageType.Image }, "Content" },
        { "NUL in a caption", Text("a\0") with { Type = MessageType.File }, "Content" },
        { "image with no caption or attachments", Text(null) with { Type = MessageType.Image }, "Attachments" },
        { "video with a blank caption and no attachments", Text(" ") with { Type = MessageType.Video }, "Attachments" },
        { "audio with no caption or attachments", Text(null) with { Type = MessageType.Audio }, "Attachments" },
        { "voice note with no caption or attachments", Text(null) with { Type = MessageType.Voice }, "Attachments" },
        { "file with no caption or attachments", Text(null) with { Type = MessageType.File }, "Attachments" },
        { "an attachment of a type not allowed", Text(null) with { Type = MessageType.File, Attachments = [Files.Of(AttachmentKind.File, "application/x-msdownload")] }, "Attachments[0].MimeType" },
        { "an attachment over the size limit", Text(null) with { Type = MessageType.Image, Attachments = [Files.Image() with { SizeBytes = 10 * 1024 * 1024 + 1 }] }, "Attachments[0].SizeBytes" },
        { "an attachment with no location", Text(null) with { Type = MessageType.Image, Attachments = [Files.Image() with { StorageKey = null }] }, "Attachments[0].StorageKey" },
        { "metadata an array", Text() with { Metadata = "[1, 2]" }, "Metadata" },
        { "metadata not JSON", Text() with { Metadata = "{oops" }, "Metadata" },
        { "metadata null literal", Text() with { Metadata = "null" }, "Metadata" },
        { "metadata a string", Text() with { Metadata = "\"x\"" }, "Metadata" },
        { "NUL in metadata", Text() with { Metadata = "{\"a\": \"\0\"}" }, "Metadata" },
        { "empty client id", Text() with { ClientMessageId = "" }, "ClientMessageId" },
        { "blank client id", Text() with { ClientMessageId = "  " }, "ClientMessageId" },
        { "client id over 100", Text() with { ClientMessageId = new string('c', 101) }, "ClientMessageId" },
        { "NUL in client id", Text() with { ClientMessageId = "c\0" }, "ClientMessageId" },
        { "101 mentions", Text() with { Mentions = Enumerable.Range(0, 101).Select(_ => Guid.CreateVersion7()).ToArray() }, "Mentions" },
        { "empty mention", Text() with { Mentions = [Guid.CreateVersion7(), Guid.Empty] }, "Mentions[1]" },
        { "empty reply id", Text() with { ReplyToId = Guid.Empty }, "ReplyToId" },
        { "empty thread root id", Text() with { ThreadRootId = Guid.Empty }, "ThreadRootId" },
    };

    [Theory]
    [MemberData(nameof(InvalidSends))]
    public async Task Send_rejects_bad_input_naming_the_field_without_touching_the_database(string @case, NewMessage message, string field)
    {
        _ = @case;
        var scene = await MessageScene.CreateAsync(db);
        message = message with
        {
            ChatId = message.ChatId == Scene ? scene.ChatId : message.ChatId,
            SenderId = message.SenderId == Scene ? scene.Member : message.SenderId,
        };

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => db.Messages.SendAsync(message));

        Assert.Equal(field, error.Field);
        Assert.Equal(0, roundTrips.Count);
        Assert.Equal(0, (await scene.ChatAsync()).LastSeq);
    }

    [Fact]
    public async Task Send_accepts_the_limits_themselves()
    {
        var scene = await MessageScene.CreateAsync(db);

        var message = await db.Messages.SendAsync(new NewMessage
        {
            ChatId = scene.ChatId,
            SenderId = scene.Member,
            Content = new string('x', MessageFields.MaxContentLength),
            ClientMessageId = new string('c', 100),
            Mentions = Enumerable.Range(0, 100).Select(_ => Guid.CreateVersion7()).ToArray(),
        });

        Assert.Equal(MessageFields.MaxContentLength, message.Content!.Length);
        Assert.Equal(100, message.Mentions.Count);
    }

    [Fact]
    public async Task Send_with_null_mentions_is_an_argument_error()
    {
        var scene = await MessageScene.CreateAsync(db);

        await Assert.ThrowsAsync<ArgumentNullException>(() => db.Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = "x", Mentions = null! }));
        await Assert.ThrowsAsync<ArgumentNullException>(() => db.Messages.SendAsync(null!));
    }

    private static readonly Guid Id = Guid.CreateVersion7();

    private static readonly Dictionary<string, (string Field, Func<IMessageRepository, Task> Call)> BadCalls = new()
    {
        ["find: empty id"] = ("messageId", m => m.FindByIdAsync(Guid.Empty, Id)),
        ["find: empty viewer"] = ("viewerId", m => m.FindByIdAsync(Id, Guid.Empty)),
        ["edits: empty viewer"] = ("viewerId", m => m.ListEditsAsync(Id, Guid.Empty)),
        ["history: empty chat"] = ("chatId", m => m.GetHistoryAsync(Guid.Empty, Id, HistoryAnchor.Latest)),
        ["history: empty viewer"] = ("viewerId", m => m.GetHistoryAsync(Id, Guid.Empty, HistoryAnchor.Latest)),
        ["history: limit 0"] = ("limit", m => m.GetHistoryAsync(Id, Id, HistoryAnchor.Latest, 0)),
        ["history: limit 201"] = ("limit", m => m.GetHistoryAsync(Id, Id, HistoryAnchor.Latest, 201)),
        ["history: negative seq"] = ("anchor", m => m.GetHistoryAsync(Id, Id, HistoryAnchor.Before(-1))),
        ["history: min seq"] = ("anchor", m => m.GetHistoryAsync(Id, Id, HistoryAnchor.Around(long.MinValue))),
        ["thread: empty root"] = ("rootMessageId", m => m.GetThreadAsync(Guid.Empty, Id)),
        ["thread: empty viewer"] = ("viewerId", m => m.GetThreadAsync(Id, Guid.Empty)),
        ["thread: negative after"] = ("afterSeq", m => m.GetThreadAsync(Id, Id, -1)),
        ["thread: limit 0"] = ("limit", m => m.GetThreadAsync(Id, Id, null, 0)),
        ["thread: limit 201"] = ("limit", m => m.GetThreadAsync(Id, Id, null, 201)),
        ["edit: empty id"] = ("messageId", m => m.EditAsync(Guid.Empty, Id, "x")),
        ["edit: empty editor"] = ("editorId", m => m.EditAsync(Id, Guid.Empty, "x")),
        ["edit: null content"] = ("content", m => m.EditAsync(Id, Id, null!)),
        ["edit: NUL"] = ("content", m => m.EditAsync(Id, Id, "a\0")),
        ["edit: over 10,000"] = ("content", m => m.EditAsync(Id, Id, Long)),
        ["edit: metadata not an object"] = ("metadata", m => m.EditAsync(Id, Id, "x", "[]")),
        ["edits: empty id"] = ("messageId", m => m.ListEditsUncheckedAsync(Guid.Empty)),
        ["delete: empty id"] = ("messageId", m => m.DeleteForEveryoneAsync(Guid.Empty, Id)),
        ["delete: empty user"] = ("deletedBy", m => m.DeleteForEveryoneAsync(Id, Guid.Empty)),
        ["hide: empty id"] = ("messageId", m => m.HideForMeAsync(Guid.Empty, Id)),
        ["hide: empty user"] = ("userId", m => m.HideForMeAsync(Id, Guid.Empty)),
        ["search: empty user"] = ("userId", m => m.SearchAsync(Guid.Empty, "x")),
        ["search: null query"] = ("query", m => m.SearchAsync(Id, null!)),
        ["search: empty query"] = ("query", m => m.SearchAsync(Id, "")),
        ["search: blank query"] = ("query", m => m.SearchAsync(Id, " \t ")),
        ["search: NUL"] = ("query", m => m.SearchAsync(Id, "a\0b")),
        ["search: over 200"] = ("query", m => m.SearchAsync(Id, new string('q', 201))),
        ["search: empty chat"] = ("chatId", m => m.SearchAsync(Id, "x", Guid.Empty)),
        ["search: limit 0"] = ("limit", m => m.SearchAsync(Id, "x", null, 0)),
        ["search: limit 201"] = ("limit", m => m.SearchAsync(Id, "x", null, 201)),
        ["mentions: empty user"] = ("userId", m => m.ListMentionsAsync(Guid.Empty)),
        ["mentions: limit 0"] = ("limit", m => m.ListMentionsAsync(Id, null, 0)),
        ["mentions: limit 201"] = ("limit", m => m.ListMentionsAsync(Id, null, 201)),
        ["mentions: garbage cursor"] = ("cursor", m => m.ListMentionsAsync(Id, "not a cursor!")),
        ["mentions: foreign cursor"] = ("cursor", m => m.ListMentionsAsync(Id, "MTIz")),
    };

    public static TheoryData<string> BadCallNames => [.. BadCalls.Keys];

    [Theory]
    [MemberData(nameof(BadCallNames))]
    public async Task Every_method_rejects_bad_input_naming_the_field_without_a_query(string name)
    {
        var (field, call) = BadCalls[name];

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => call(db.Messages));

        Assert.Equal(field, error.Field);
        Assert.Equal(0, roundTrips.Count);
    }

    [Fact]
    public async Task A_refused_edit_leaves_the_message_and_its_versions_untouched()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member, "kept");

        await Assert.ThrowsAsync<ChatDataValidationException>(() => db.Messages.EditAsync(message.Id, scene.Member, "bad\0"));

        MessageAssert.Same(message, await db.Messages.FindByIdUncheckedAsync(message.Id));
        Assert.Empty(await db.Messages.ListEditsUncheckedAsync(message.Id));
    }
}
