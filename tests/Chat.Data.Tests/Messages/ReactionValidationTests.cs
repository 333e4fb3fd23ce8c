using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.Messages;

/// <summary>Bad input is refused before the database with an error naming the field, and nothing is written.</summary>
public sealed class ReactionValidationTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    public static TheoryData<string, string> BadEmoji => new()
    {
        { "null", null! },
        { "empty", "" },
        { "blank", "  " },
        { "a space inside", "thumbs up" },
        { "a leading space", " 👍" },
        { "a tab", "👍\t" },
        { "a newline", "👍\n" },
        { "a no-break space", "\u00a0" },
        { "a control character", "\u0001" },
        { "NUL", "👍\0" },
        { "over 64 characters", new string('x', ReactionRepository.MaxEmojiLength + 1) },
    };

    [Theory]
    [MemberData(nameof(BadEmoji))]
    public async Task Every_method_taking_an_emoji_refuses_a_bad_one_without_a_round_trip(string @case, string emoji)
    {
        _ = @case;
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var add = await Assert.ThrowsAsync<ChatDataValidationException>(() => db.Reactions.AddAsync(message.Id, scene.Member, emoji));
        var remove = await Assert.ThrowsAsync<ChatDataValidationException>(() => db.Reactions.RemoveAsync(message.Id, scene.Member, emoji));

        Assert.Equal(("emoji", "emoji"), (add.Field, remove.Field));
        if (emoji is not null)
            Assert.Equal("emoji", (await Assert.ThrowsAsync<ChatDataValidationException>(() => db.Reactions.ListUncheckedAsync(message.Id, emoji))).Field);
        Assert.Equal(0, roundTrips.Count);
        await using var connection = await db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM chat.message_reactions WHERE message_id = @Id", new { message.Id }));
    }

    public static TheoryData<string, Func<IReactionRepository, Task>, string> BadCalls
    {
        get
        {
            var id = Guid.CreateVersion7();
            Guid[] tooMany = Enumerable.Range(0, 201).Select(_ => Guid.CreateVersion7()).ToArray();
            return new()
            {
                { "add: empty message id", r => r.AddAsync(Guid.Empty, id, "👍"), "messageId" },
                { "add: empty user id", r => r.AddAsync(id, Guid.Empty, "👍"), "userId" },
                { "remove: empty message id", r => r.RemoveAsync(Guid.Empty, id, "👍"), "messageId" },
                { "remove: empty user id", r => r.RemoveAsync(id, Guid.Empty, "👍"), "userId" },
                { "summaries: an empty message id", r => r.GetSummariesAsync([id, Guid.Empty], id), "messageIds[1]" },
                { "summaries: over 200 messages", r => r.GetSummariesAsync(tooMany, id), "messageIds" },
                { "summaries: empty viewer id", r => r.GetSummariesAsync([id], Guid.Empty), "viewerId" },
                { "list: empty message id", r => r.ListAsync(Guid.Empty, id), "messageId" },
                { "list: empty viewer id", r => r.ListAsync(id, Guid.Empty), "viewerId" },
                { "list: limit 0", r => r.ListAsync(id, id, limit: 0), "limit" },
                { "list: limit 201", r => r.ListAsync(id, id, limit: 201), "limit" },
                { "list: not a cursor", r => r.ListAsync(id, id, cursor: "not-a-cursor"), "cursor" },
                { "list: a cursor of two parts", r => r.ListAsync(id, id, cursor: "MXwy"), "cursor" },
                { "list: a cursor with a bad emoji part", r => r.ListAsync(id, id, cursor: System.Buffers.Text.Base64Url.EncodeToString("1|00000000000000000000000000000000|zz"u8)), "cursor" },
            };
        }
    }

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task Bad_ids_limits_and_cursors_are_refused_naming_the_field_without_a_round_trip(string @case, Func<IReactionRepository, Task> call, string field)
    {
        _ = @case;
        using var roundTrips = new RoundTripCounter(db.Database.Name);

        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => call(db.Reactions));

        Assert.Equal(field, error.Field);
        Assert.Equal(0, roundTrips.Count);
    }

    [Fact]
    public async Task A_null_list_of_messages_is_an_argument_error()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => db.Reactions.GetSummariesAsync(null!, Guid.CreateVersion7()));
    }
}
