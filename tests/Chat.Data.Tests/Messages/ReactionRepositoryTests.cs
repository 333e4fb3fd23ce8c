using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.Messages;

public sealed class ReactionRepositoryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IReactionRepository Reactions => db.Reactions;

    /// <summary>The message's reactions as stored: (user, emoji), in a stable order.</summary>
    private async Task<(Guid UserId, string Emoji)[]> StoredAsync(Guid messageId)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<(Guid, string)>(
            "SELECT user_id, emoji FROM chat.message_reactions WHERE message_id = @messageId ORDER BY created_at, user_id, emoji",
            new { messageId })).ToArray();
    }

    [Fact]
    public async Task Add_stores_the_reaction_with_the_messages_chat()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);

        var change = await Reactions.AddAsync(message.Id, scene.Member, "👍");

        Assert.True(change.Added);
        Assert.Empty(change.Replaced);
        await using var connection = await db.OpenAsync();
        var row = await connection.QuerySingleAsync<(Guid ChatId, Guid UserId, string Emoji)>(
            "SELECT chat_id, user_id, emoji FROM chat.message_reactions WHERE message_id = @Id", new { message.Id });
        Assert.Equal((scene.ChatId, scene.Member, "👍"), row);
    }

    // A user cannot add the same emoji twice to one message.
    [Fact]
    public async Task Adding_the_same_reaction_again_changes_nothing()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);
        await Reactions.AddAsync(message.Id, scene.Member, "🎉");
        await using var connection = await db.OpenAsync();
        var firstAt = await connection.ExecuteScalarAsync<DateTime>("SELECT created_at FROM chat.message_reactions WHERE message_id = @Id", new { message.Id });

        var again = await Reactions.AddAsync(message.Id, scene.Member, "🎉");

        Assert.False(again.Added);
        Assert.Empty(again.Replaced);
        Assert.Equal(new[] { (scene.Member, "🎉") }, await StoredAsync(message.Id));
        Assert.Equal(firstAt, await connection.ExecuteScalarAsync<DateTime>("SELECT created_at FROM chat.message_reactions WHERE message_id = @Id", new { message.Id }));
    }

    // One user can add several different emoji to one message (the default).
    [Fact]
    public async Task By_default_a_user_may_add_several_different_emoji_to_a_message()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);

        foreach (var emoji in new[] { "👍", "❤️", "😂" })
            Assert.True((await Reactions.AddAsync(message.Id, scene.Member, emoji)).Added);

        Assert.Equal(new[] { "👍", "❤️", "😂" }, (await StoredAsync(message.Id)).Select(r => r.Emoji));
    }

    [Fact]
    public async Task Emoji_of_every_shape_and_short_names_are_stored_as_given()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);
        string[] emoji =
        [
            "👩🏻‍❤️‍💋‍👨🏼", // a ZWJ sequence with skin tones: 15 UTF-16 units
            "🏴󠁧󠁢󠁳󠁣󠁴󠁿", // a subdivision flag (tag sequence)
            "👍🏽", "1️⃣", "🇯🇵", ":thumbsup:", "like", "+1", new string('x', ReactionRepository.MaxEmojiLength),
        ];

        foreach (var e in emoji)
            Assert.True((await Reactions.AddAsync(message.Id, scene.Member, e)).Added);

        Assert.Equal(emoji.Order(StringComparer.Ordinal), (await StoredAsync(message.Id)).Select(r => r.Emoji).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Remove_deletes_only_that_reaction_and_is_false_when_there_is_none()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);
        await Reactions.AddAsync(message.Id, scene.Member, "👍");
        await Reactions.AddAsync(message.Id, scene.Member, "❤️");
        await Reactions.AddAsync(message.Id, scene.OwnerId, "👍");

        Assert.True(await Reactions.RemoveAsync(message.Id, scene.Member, "👍"));
        Assert.False(await Reactions.RemoveAsync(message.Id, scene.Member, "👍"));
        Assert.False(await Reactions.RemoveAsync(message.Id, scene.MemberIds[1], "👍"));
        Assert.False(await Reactions.RemoveAsync(Guid.CreateVersion7(), scene.Member, "❤️"));

        Assert.Equal(new[] { (scene.Member, "❤️"), (scene.OwnerId, "👍") }, await StoredAsync(message.Id));
    }

    [Fact]
    public async Task A_user_who_left_the_chat_can_still_take_back_their_reaction()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);
        await Reactions.AddAsync(message.Id, scene.Member, "👍");
        await scene.LeaveAsync(scene.Member);

        Assert.True(await Reactions.RemoveAsync(message.Id, scene.Member, "👍"));
        Assert.Empty(await StoredAsync(message.Id));
    }

    [Fact]
    public async Task A_stranger_or_a_member_who_left_cannot_react()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);
        var stranger = await scene.StrangerAsync();
        await scene.LeaveAsync(scene.Member);

        foreach (var user in new[] { stranger, scene.Member, Guid.CreateVersion7() })
        {
            var error = await Assert.ThrowsAsync<NotAMemberException>(() => Reactions.AddAsync(message.Id, user, "👍"));
            Assert.Equal((scene.ChatId, user), (error.ChatId, error.UserId));
        }
        Assert.Empty(await StoredAsync(message.Id));
    }

    [Fact]
    public async Task Reacting_to_a_message_that_does_not_exist_names_the_message()
    {
        var scene = await MessageScene.CreateAsync(db);

        var error = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Reactions.AddAsync(Guid.CreateVersion7(), scene.Member, "👍"));

        Assert.Equal("messageId", error.Field);
    }

    [Fact]
    public async Task A_message_deleted_for_everyone_takes_no_reactions_and_shows_none()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);
        await Reactions.AddAsync(message.Id, scene.Member, "👍");
        await db.Messages.DeleteForEveryoneAsync(message.Id, scene.OwnerId);

        await Assert.ThrowsAsync<NotPermittedException>(() => Reactions.AddAsync(message.Id, scene.MemberIds[1], "😮"));

        Assert.Equal(new[] { (scene.Member, "👍") }, await StoredAsync(message.Id));
        Assert.Empty((await Reactions.GetSummariesAsync([message.Id], scene.Member))[message.Id]);
        Assert.Empty((await Reactions.ListUncheckedAsync(message.Id)).Items);
    }

    [Fact]
    public async Task Adding_and_removing_are_one_round_trip_each()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        await Reactions.AddAsync(message.Id, scene.Member, "👍");
        await Reactions.AddAsync(message.Id, scene.Member, "👍");
        await Reactions.RemoveAsync(message.Id, scene.Member, "👍");

        Assert.Equal(3, roundTrips.Count);
    }

    // Reactions are shown grouped by emoji with a count; hovering shows who reacted.
    [Fact]
    public async Task A_summary_counts_each_emoji_says_whether_the_viewer_reacted_and_names_the_first_three_users()
    {
        var scene = await MessageScene.CreateAsync(db, members: 5);
        var message = await scene.SendAsync(scene.OwnerId);
        var users = scene.MemberIds;
        foreach (var user in users)
            await Reactions.AddAsync(message.Id, user, "👍");
        await Reactions.AddAsync(message.Id, scene.OwnerId, "❤️");
        await Reactions.AddAsync(message.Id, users[4], "❤️");
        await Reactions.AddAsync(message.Id, users[0], "😂");

        var summaries = await Reactions.GetSummariesAsync([message.Id], users[4]);

        var summary = summaries[message.Id].ToList();
        Assert.Equal(new[] { "👍", "❤️", "😂" }, summary.Select(s => s.Emoji));
        Assert.Equal(new[] { 5, 2, 1 }, summary.Select(s => s.Count));
        Assert.Equal(new[] { true, true, false }, summary.Select(s => s.ReactedByViewer));
        Assert.Equal(users[..3], summary[0].FirstUserIds);
        Assert.Equal(new[] { scene.OwnerId, users[4] }, summary[1].FirstUserIds);
        Assert.Equal(new[] { users[0] }, summary[2].FirstUserIds);
        Assert.All(summary, s => Assert.Equal(message.Id, s.MessageId));
    }

    [Fact]
    public async Task Summaries_of_a_page_of_messages_are_one_query_and_messages_without_reactions_have_none()
    {
        var scene = await MessageScene.CreateAsync(db);
        var messages = await scene.SendManyAsync(scene.OwnerId, 60);
        foreach (var message in messages.Where((_, i) => i % 2 == 0))
        {
            await Reactions.AddAsync(message.Id, scene.Member, "👍");
            await Reactions.AddAsync(message.Id, scene.OwnerId, "👍");
        }

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var summaries = await Reactions.GetSummariesAsync(messages.Select(m => m.Id).ToArray(), scene.OwnerId);

        Assert.Equal(1, roundTrips.Count);
        Assert.Equal(30, summaries.Count);
        foreach (var (message, i) in messages.Select((m, i) => (m, i)))
        {
            if (i % 2 == 0)
            {
                var summary = Assert.Single(summaries[message.Id]);
                Assert.Equal(("👍", 2, true), (summary.Emoji, summary.Count, summary.ReactedByViewer));
                Assert.Equal(new[] { scene.Member, scene.OwnerId }, summary.FirstUserIds);
            }
            else
                Assert.Empty(summaries[message.Id]);
        }
    }

    [Fact]
    public async Task Summaries_leave_out_chats_the_viewer_is_not_in_and_cost_nothing_for_no_messages()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);
        await Reactions.AddAsync(message.Id, scene.Member, "👍");
        var stranger = await scene.StrangerAsync();
        var leaver = scene.MemberIds[1];
        await scene.LeaveAsync(leaver);

        Assert.Empty(await Reactions.GetSummariesAsync([message.Id], stranger));
        Assert.Empty(await Reactions.GetSummariesAsync([message.Id], leaver));
        Assert.Single(await Reactions.GetSummariesAsync([message.Id, message.Id, Guid.CreateVersion7()], scene.OwnerId));
        using var roundTrips = new RoundTripCounter(db.Database.Name);
        Assert.Empty(await Reactions.GetSummariesAsync([], scene.OwnerId));
        Assert.Equal(0, roundTrips.Count);
    }

    [Fact]
    public async Task List_pages_through_who_reacted_in_the_order_they_reacted_for_one_emoji_or_all()
    {
        var scene = await MessageScene.CreateAsync(db, members: 4);
        var message = await scene.SendAsync(scene.OwnerId);
        var users = scene.MemberIds.Prepend(scene.OwnerId).ToArray();
        foreach (var user in users)
            await Reactions.AddAsync(message.Id, user, "👍");
        await Reactions.AddAsync(message.Id, users[1], "a|b"); // the cursor's separator, inside an emoji name
        await Reactions.AddAsync(message.Id, users[2], "❤️");

        var thumbs = await WalkAsync("👍");
        var all = await WalkAsync(null);

        Assert.Equal(users, thumbs.Select(r => r.UserId));
        Assert.All(thumbs, r => Assert.Equal((message.Id, scene.ChatId, "👍"), (r.MessageId, r.ChatId, r.Emoji)));
        Assert.Equal(users.Select(u => (u, "👍")).Append((users[1], "a|b")).Append((users[2], "❤️")), all.Select(r => (r.UserId, r.Emoji)));
        Assert.Equal(all.Select(r => r.CreatedAt).Order(), all.Select(r => r.CreatedAt));
        var nobody = await Reactions.ListUncheckedAsync(message.Id, "😢");
        Assert.Empty(nobody.Items);
        Assert.Null(nobody.NextCursor);

        async Task<List<MessageReaction>> WalkAsync(string? emoji)
        {
            var rows = new List<MessageReaction>();
            string? cursor = null;
            do
            {
                var page = await Reactions.ListUncheckedAsync(message.Id, emoji, cursor, limit: 2);
                Assert.InRange(page.Items.Count, 1, 2);
                rows.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            return rows;
        }
    }

    // Reactions cascade with their message and their user.
    [Fact]
    public async Task Deleting_the_message_its_chat_or_the_user_deletes_their_reactions()
    {
        var scene = await MessageScene.CreateAsync(db);
        var purged = await scene.SendAsync(scene.OwnerId, "purged");
        var kept = await scene.SendAsync(scene.OwnerId, "kept");
        foreach (var message in new[] { purged, kept })
        {
            await Reactions.AddAsync(message.Id, scene.Member, "👍");
            await Reactions.AddAsync(message.Id, scene.MemberIds[1], "👍");
        }
        await using var connection = await db.OpenAsync();

        await connection.ExecuteAsync("DELETE FROM chat.messages WHERE id = @Id", new { purged.Id });
        Assert.Empty(await StoredAsync(purged.Id));
        Assert.Equal(2, (await StoredAsync(kept.Id)).Length);

        await connection.ExecuteAsync("DELETE FROM chat.users WHERE id = @Member", new { scene.Member });
        Assert.Equal(new[] { (scene.MemberIds[1], "👍") }, await StoredAsync(kept.Id));

        await connection.ExecuteAsync("DELETE FROM chat.chats WHERE id = @ChatId", new { scene.ChatId });
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM chat.message_reactions WHERE chat_id = @ChatId", new { scene.ChatId }));
    }

    [Fact]
    public async Task The_schema_refuses_blank_or_spaced_emoji_and_duplicates_even_when_written_around_the_library()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);
        await Reactions.AddAsync(message.Id, scene.Member, "👍");
        await using var connection = await db.OpenAsync();
        const string insert = "INSERT INTO chat.message_reactions (message_id, chat_id, user_id, emoji) VALUES (@Id, @ChatId, @user, @emoji)";

        foreach (var emoji in new[] { "", " ", "a b", "\t", new string('x', 65) })
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.ExecuteAsync(insert, new { message.Id, message.ChatId, user = scene.Member, emoji }));
        var duplicate = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.ExecuteAsync(insert, new { message.Id, message.ChatId, user = scene.Member, emoji = "👍" }));

        Assert.Equal("message_reactions_pkey", duplicate.ConstraintName);
    }
}
