using Chat.Data.Activity;
using Chat.Data.Chats;
using Chat.Data.Messages;
using Chat.Data.Tests.Messages;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.Users;

namespace Chat.Data.Tests.Validation;

/// <summary>
/// Text PostgreSQL cannot store, as any HTTP client can send it: a JSON escape of NUL (jsonb refuses
/// it) and half of a UTF-16 surrogate pair (System.Text.Json turns "\ud800" into one; the driver
/// cannot encode it). Every field refuses it before the database, naming the field. Cross-cutting:
/// the same two inputs against the text and JSON fields of every area, in one table.
/// </summary>
public sealed class UnstorableTextTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    /// <summary>A group with an owner and a member, and a message, so only the input under test is wrong.</summary>
    public sealed record Target(DatabaseFixture Db, Guid ChatId, Guid OwnerId, Guid MemberId, Guid MessageId);

    // As the JSON text arrives: the escapes are six characters each, not the characters they stand for.
    private const string EscapedNulValue = """{"k": "a\u0000b"}""";
    private const string EscapedNulKey = """{"a\u0000": 1}""";
    private const string EscapedNulDeep = """{"k": [{"x": "\u0000"}]}""";
    private const string EscapedLoneSurrogate = """{"k": "\ud800"}""";

    public static TheoryData<string, string, Func<Target, string, Task>> JsonFields => new()
    {
        { "group metadata", "Metadata", (t, json) => t.Db.Chats.CreateGroupAsync(new NewGroupChat { Name = "g", CreatedBy = t.OwnerId, Metadata = json }) },
        { "topic metadata", "Metadata", (t, json) => t.Db.Chats.CreateTopicAsync(new NewTopic { Name = "t", CreatedBy = t.OwnerId, ParentChatId = t.ChatId, Metadata = json }) },
        { "chat update metadata", "Metadata", (t, json) => t.Db.Chats.UpdateAsync(t.ChatId, new ChatUpdate { Metadata = json }) },
        { "message metadata", "Metadata", (t, json) => t.Db.Messages.SendAsync(new NewMessage { ChatId = t.ChatId, SenderId = t.MemberId, Content = "x", Metadata = json }) },
        { "edit metadata", "metadata", (t, json) => t.Db.Messages.EditAsync(t.MessageId, t.MemberId, "edited", json) },
        { "attachment metadata", "attachments[0].Metadata", (t, json) => t.Db.Attachments.AddAsync(t.MessageId, t.MemberId, [Files.Image() with { Metadata = json }]) },
        { "activity metadata", "Metadata", (t, json) => t.Db.Activity.AddAsync(t.MemberId, new NewActivity { ActionType = "A", Description = "d", ChatId = t.ChatId, Metadata = json }) },
    };

    public static TheoryData<string, string, Func<Target, string, Task>> TextFields => new()
    {
        { "message content", "Content", (t, text) => t.Db.Messages.SendAsync(new NewMessage { ChatId = t.ChatId, SenderId = t.MemberId, Content = text }) },
        { "edit content", "content", (t, text) => t.Db.Messages.EditAsync(t.MessageId, t.MemberId, text) },
        { "display name", "DisplayName", (t, text) => t.Db.Users.CreateAsync(new NewUser { ExternalId = "e", DisplayName = text }) },
        { "group name", "Name", (t, text) => t.Db.Chats.CreateGroupAsync(new NewGroupChat { Name = text, CreatedBy = t.OwnerId }) },
        { "search query", "query", (t, text) => t.Db.Messages.SearchAsync(t.MemberId, text) },
        { "reaction emoji", "emoji", (t, text) => t.Db.Reactions.AddAsync(t.MessageId, t.MemberId, text) },
        { "attachment file name", "attachments[0].FileName", (t, text) => t.Db.Attachments.AddAsync(t.MessageId, t.MemberId, [Files.Image() with { FileName = text }]) },
        { "client message id", "ClientMessageId", (t, text) => t.Db.Messages.SendAsync(new NewMessage { ChatId = t.ChatId, SenderId = t.MemberId, Content = "x", ClientMessageId = text }) },
    };

    [Theory]
    [MemberData(nameof(JsonFields))]
    public async Task Json_with_an_escaped_nul_is_refused_naming_the_field(string @case, string field, Func<Target, string, Task> call)
    {
        foreach (var json in new[] { EscapedNulValue, EscapedNulKey, EscapedNulDeep })
            await AssertRefusedAsync(@case, field, call, json);
    }

    [Theory]
    [MemberData(nameof(JsonFields))]
    public async Task Json_with_an_escaped_half_surrogate_pair_is_refused_naming_the_field(string @case, string field, Func<Target, string, Task> call) =>
        await AssertRefusedAsync(@case, field, call, EscapedLoneSurrogate);

    [Theory]
    [MemberData(nameof(TextFields))]
    public async Task Text_with_half_a_surrogate_pair_is_refused_naming_the_field(string @case, string field, Func<Target, string, Task> call)
    {
        foreach (var text in new[] { "a\ud800b", "a\udc00", "\ud83d" })
            await AssertRefusedAsync(@case, field, call, text);
    }

    [Fact]
    public async Task Escapes_that_jsonb_stores_and_whole_surrogate_pairs_are_accepted()
    {
        var target = await ArrangeAsync();

        var sent = await db.Messages.SendAsync(new NewMessage
        {
            ChatId = target.ChatId,
            SenderId = target.MemberId,
            Content = "rocket 🚀",
            // An escaped backslash before u0000 is the text \u0000, not a NUL; an escaped pair is one emoji.
            Metadata = """{"path": "C:\\u0000", "emoji": "\ud83d\ude80", "tab": "\u0009"}""",
        });

        Assert.Equal("rocket 🚀", sent.Content);
        Assert.Contains("🚀", sent.Metadata);
        Assert.Contains(@"C:\\u0000", sent.Metadata);
    }

    private async Task AssertRefusedAsync(string @case, string field, Func<Target, string, Task> call, string value)
    {
        var target = await ArrangeAsync();

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => call(target, value));

        Assert.True(field == error.Field, $"{@case}: expected field {field}, got {error.Field} ({error.Reason})");
        // Refused before the database: nothing was written.
        Assert.Equal(0, roundTrips.Count);
    }

    private async Task<Target> ArrangeAsync()
    {
        var owner = await db.Arrange.UserAsync("Owner");
        var member = await db.Arrange.UserAsync("Member");
        var chatId = await db.Arrange.GroupAsync(owner.Id, member.Id);
        var message = await db.Messages.SendAsync(new NewMessage { ChatId = chatId, SenderId = member.Id, Content = "hello" });
        return new Target(db, chatId, owner.Id, member.Id, message.Id);
    }
}
