using Chat.Data.Internal;
using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Tests.Messages;

/// <summary>Search and the mentions list: only what the user may see, in chats they are in.</summary>
public sealed class MessageSearchTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IMessageRepository Messages => db.Messages;

    private async Task<Guid[]> SearchIdsAsync(Guid userId, string query, Guid? chatId = null) =>
        (await Messages.SearchAsync(userId, query, chatId)).Select(h => h.Message.Id).ToArray();

    [Fact]
    public async Task Search_finds_a_whole_word_and_ranks_it()
    {
        var scene = await MessageScene.CreateAsync(db);
        var hit = await scene.SendAsync(scene.Member, "Meeting moved to Friday afternoon");
        await scene.SendAsync(scene.Member, "nothing to see");

        var hits = await Messages.SearchAsync(scene.OwnerId, "friday");

        var only = Assert.Single(hits);
        MessageAssert.Same(hit, only.Message);
        Assert.True(only.Rank > 0);
    }

    [Fact]
    public async Task Search_finds_part_of_a_word()
    {
        var scene = await MessageScene.CreateAsync(db);
        var hello = await scene.SendAsync(scene.Member, "hello world");

        Assert.Equal(new[] { hello.Id }, await SearchIdsAsync(scene.OwnerId, "ello"));
        Assert.Equal(new[] { hello.Id }, await SearchIdsAsync(scene.OwnerId, "LO WOR"));
    }

    [Theory]
    [InlineData("我们明天下午三点在会议室开会", "会议室")]
    [InlineData("明日の会議は午後三時からです", "会議")]
    [InlineData("พรุ่งนี้ประชุมตอนบ่ายสามโมง", "ประชุม")]
    [InlineData("Завтра встреча в три часа", "встреч")]
    public async Task Search_finds_text_the_full_text_parser_cannot_split(string content, string query)
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member, content);
        await scene.SendAsync(scene.Member, "unrelated");

        Assert.Equal(new[] { message.Id }, await SearchIdsAsync(scene.OwnerId, query));
    }

    [Fact]
    public async Task A_whole_word_match_ranks_above_a_partial_one()
    {
        var scene = await MessageScene.CreateAsync(db);
        var partial = await scene.SendAsync(scene.Member, "the catalogue arrived");
        var whole = await scene.SendAsync(scene.OwnerId, "my cat arrived");

        var hits = await Messages.SearchAsync(scene.Member, "cat");

        Assert.Equal(new[] { whole.Id, partial.Id }, hits.Select(h => h.Message.Id));
        Assert.True(hits[0].Rank > hits[1].Rank);
    }

    [Fact]
    public async Task Equal_ranks_come_newest_first_and_the_limit_holds()
    {
        var scene = await MessageScene.CreateAsync(db);
        var sent = await scene.SendManyAsync(scene.Member, 5, "standup notes");

        var hits = await Messages.SearchAsync(scene.OwnerId, "standup", limit: 3);

        Assert.Equal(sent.Reverse().Take(3).Select(m => m.Id), hits.Select(h => h.Message.Id));
    }

    [Fact]
    public async Task Search_never_returns_a_message_deleted_for_everyone()
    {
        var scene = await MessageScene.CreateAsync(db);
        var deleted = await scene.SendAsync(scene.Member, "password is hunter2");
        await Messages.DeleteForEveryoneAsync(deleted.Id, scene.Member);

        Assert.Empty(await SearchIdsAsync(scene.OwnerId, "hunter2"));
        Assert.Empty(await SearchIdsAsync(scene.OwnerId, "unter"));
    }

    [Fact]
    public async Task Search_never_returns_chats_the_user_is_not_in_or_left()
    {
        var scene = await MessageScene.CreateAsync(db);
        var mine = await scene.SendAsync(scene.Member, "quarterly budget draft");
        var elsewhere = await MessageScene.CreateAsync(db);
        await elsewhere.SendAsync(elsewhere.OwnerId, "quarterly budget final");
        var left = await MessageScene.CreateAsync(db);
        await left.AddMemberAsync(scene.Member);
        await left.SendAsync(left.OwnerId, "quarterly budget leaked");
        await left.LeaveAsync(scene.Member);

        Assert.Equal(new[] { mine.Id }, await SearchIdsAsync(scene.Member, "quarterly budget"));
        Assert.Empty(await SearchIdsAsync(await scene.StrangerAsync(), "budget"));
    }

    [Fact]
    public async Task Search_leaves_out_what_the_user_hid_or_cleared()
    {
        var scene = await MessageScene.CreateAsync(db);
        var cleared = await scene.SendAsync(scene.OwnerId, "invoice one");
        var hidden = await scene.SendAsync(scene.OwnerId, "invoice two");
        var visible = await scene.SendAsync(scene.OwnerId, "invoice three");
        await Messages.HideForMeAsync(hidden.Id, scene.Member);
        await scene.ExecuteAsync("UPDATE chat.chat_members SET cleared_seq = @seq WHERE chat_id = @ChatId AND user_id = @user", new { seq = cleared.Seq, user = scene.Member });

        Assert.Equal(new[] { visible.Id }, await SearchIdsAsync(scene.Member, "invoice"));
        Assert.Equal(3, (await SearchIdsAsync(scene.OwnerId, "invoice")).Length);
    }

    [Fact]
    public async Task Search_in_one_chat_stays_in_that_chat()
    {
        var scene = await MessageScene.CreateAsync(db);
        var other = await MessageScene.CreateAsync(db);
        await other.AddMemberAsync(scene.Member);
        var here = await scene.SendAsync(scene.OwnerId, "holiday photos");
        var there = await other.SendAsync(other.OwnerId, "holiday plans");

        Assert.Equal(new[] { here.Id }, await SearchIdsAsync(scene.Member, "holiday", scene.ChatId));
        Assert.Equal(new[] { there.Id }, await SearchIdsAsync(scene.Member, "holiday", other.ChatId));
        Assert.Equal(2, (await SearchIdsAsync(scene.Member, "holiday")).Length);
        Assert.Empty(await SearchIdsAsync(scene.Member, "holiday", Guid.CreateVersion7()));
    }

    [Theory]
    [InlineData("50%", "discount 50% today", "discount 500 today")]
    [InlineData("a_b", "file a_b.txt", "file axb.txt")]
    [InlineData(@"\%", @"literal \% here", "only % here")]
    [InlineData("%", "100% sure", "no percent")]
    [InlineData("_", "snake_case", "camelCase")]
    [InlineData("'; DROP TABLE chat.messages; --", "he typed '; DROP TABLE chat.messages; -- lol", "he typed DROP TABLE")]
    [InlineData("\"quoted\" -minus OR", "with \"quoted\" -minus OR text", "plain text")]
    public async Task Like_wildcards_and_sql_in_the_query_are_literal(string query, string matching, string notMatching)
    {
        var scene = await MessageScene.CreateAsync(db);
        var yes = await scene.SendAsync(scene.Member, matching);
        var no = await scene.SendAsync(scene.Member, notMatching);

        var found = await SearchIdsAsync(scene.OwnerId, query, scene.ChatId);

        Assert.Contains(yes.Id, found);
        Assert.DoesNotContain(no.Id, found);
        Assert.Equal(2, await scene.CountMessagesAsync());
    }

    [Fact]
    public async Task A_selective_search_uses_the_gin_indexes()
    {
        var scene = await MessageScene.CreateAsync(db);
        await db.Arrange.MessagesAsync(scene.ChatId, scene.OwnerId, 20_000, "the usual chatter about lunch and meetings");
        await scene.SendAsync(scene.Member, "the xylophone arrived");
        await using var connection = await db.OpenAsync();
        // As autovacuum would: VACUUM flushes the GIN indexes' pending lists, which the planner prices as a full scan.
        await connection.ExecuteAsync("VACUUM ANALYZE chat.messages");
        await connection.ExecuteAsync("ANALYZE chat.chat_members");

        var plan = string.Join('\n', await connection.QueryAsync<string>(
            "EXPLAIN (COSTS OFF) " + MessageRepository.SearchSql.Replace("{schema}", "chat", StringComparison.Ordinal),
            new { viewerId = scene.Member, query = "xylophone", pattern = "%xylophone%", chatId = (Guid?)null, limit = 50 }));
        Assert.Contains("Bitmap Index Scan on messages_search_idx", plan);
        Assert.Contains("Bitmap Index Scan on messages_content_trgm_idx", plan);
        Assert.DoesNotContain("Seq Scan on messages", plan);
    }

    [Fact]
    public async Task A_rare_word_in_one_big_chat_is_found_through_the_gin_indexes_not_by_reading_the_chat()
    {
        // The word is in 1 message in 1,000 of a chat that holds a quarter of all messages.
        var big = await MessageScene.CreateAsync(db);
        var other = await MessageScene.CreateAsync(db);
        for (var i = 0; i < 20; i++)
        {
            await db.Arrange.MessagesAsync(big.ChatId, big.OwnerId, 999, "the usual chatter about lunch and meetings");
            await big.SendAsync(big.Member, "the xylophone arrived");
        }
        await db.Arrange.MessagesAsync(other.ChatId, other.OwnerId, 60_000, "more chatter about coffee and trains");
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("VACUUM ANALYZE chat.messages; ANALYZE chat.chat_members");

        var plan = string.Join('\n', await connection.QueryAsync<string>(
            "EXPLAIN (COSTS OFF) " + MessageRepository.SearchSql.Replace("{schema}", "chat", StringComparison.Ordinal),
            new { viewerId = big.Member, query = "xylophone", pattern = "%xylophone%", chatId = (Guid?)big.ChatId, limit = 50 }));
        Assert.Contains("Bitmap Index Scan on messages_search_idx", plan);
        Assert.Contains("Bitmap Index Scan on messages_content_trgm_idx", plan);
        // Not the chat's 20,000 entries of its (chat_id, seq) index to narrow 20 hits.
        Assert.DoesNotContain("messages_seq_key", plan);
        Assert.Equal(20, (await SearchIdsAsync(big.Member, "xylophone", big.ChatId)).Length);
    }

    [Fact]
    public async Task Search_is_planned_for_its_values_on_every_run()
    {
        var scene = await MessageScene.CreateAsync(db);
        await db.Arrange.MessagesAsync(scene.ChatId, scene.OwnerId, 5_000, "the usual chatter about lunch and meetings");
        await scene.SendAsync(scene.Member, "the xylophone arrived");
        await using (var connection = await db.OpenAsync())
            await connection.ExecuteAsync("VACUUM ANALYZE chat.messages; ANALYZE chat.chat_members");
        // One pooled connection, so the prepared statements read below are the ones the searches ran on.
        await using var services = ServicesWithOptions.Build(db, o => o.ConnectionString += ";Maximum Pool Size=1");
        var messages = services.GetRequiredService<IMessageRepository>();
        var dataSource = services.GetRequiredService<ChatDatabase>().DataSource;
        // Opened once first: the counter below counts the opening of a physical connection too.
        await using (await dataSource.OpenConnectionAsync()) { }

        // Npgsql prepares the statement on its fifth run; PostgreSQL weighs a generic plan from the sixth prepared run.
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            for (var run = 0; run < 15; run++)
            {
                Assert.Single(await messages.SearchAsync(scene.Member, "xylophone", scene.ChatId));
                Assert.Single(await messages.SearchAsync(scene.Member, "xylophone"));
            }
            Assert.Equal(30, roundTrips.Count);
        }

        await using var same = await dataSource.OpenConnectionAsync();
        var plans = await same.QuerySingleAsync<(long Generic, long Custom)>(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%websearch_to_tsquery%'");
        Assert.Equal(0, plans.Generic);
        Assert.True(plans.Custom > 20, $"{plans.Custom} custom plans");
        // The setting that forces it lasts only for the search's own command.
        Assert.Equal("auto", await same.ExecuteScalarAsync<string>("SELECT current_setting('plan_cache_mode')"));
    }

    [Fact]
    public async Task Mentions_lists_messages_mentioning_the_user_newest_first_page_by_page()
    {
        var scene = await MessageScene.CreateAsync(db);
        var mentioning = new List<Message>();
        for (var i = 0; i < 5; i++)
        {
            mentioning.Add(await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.OwnerId, Content = $"@you {i}", Mentions = [scene.Member] }));
            await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.OwnerId, Content = "@someone else", Mentions = [scene.MemberIds[1]] });
        }

        var first = await Messages.ListMentionsAsync(scene.Member, limit: 2);
        var second = await Messages.ListMentionsAsync(scene.Member, first.NextCursor, limit: 2);
        var third = await Messages.ListMentionsAsync(scene.Member, second.NextCursor, limit: 2);

        Assert.Equal(
            mentioning.AsEnumerable().Reverse().Select(m => m.Id),
            first.Items.Concat(second.Items).Concat(third.Items).Select(m => m.Id));
        Assert.NotNull(second.NextCursor);
        Assert.Null(third.NextCursor);
        Assert.Single(third.Items);
    }

    [Fact]
    public async Task Mentions_leave_out_deleted_messages_and_chats_the_user_left()
    {
        var scene = await MessageScene.CreateAsync(db);
        var kept = await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.OwnerId, Content = "@you", Mentions = [scene.Member] });
        var deleted = await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.OwnerId, Content = "@you!", Mentions = [scene.Member] });
        await Messages.DeleteForEveryoneAsync(deleted.Id, scene.OwnerId);
        var left = await MessageScene.CreateAsync(db);
        await left.AddMemberAsync(scene.Member);
        await Messages.SendAsync(new NewMessage { ChatId = left.ChatId, SenderId = left.OwnerId, Content = "@you there", Mentions = [scene.Member] });
        await left.LeaveAsync(scene.Member);

        var page = await Messages.ListMentionsAsync(scene.Member);

        Assert.Equal(new[] { kept.Id }, page.Items.Select(m => m.Id));
        Assert.Null(page.NextCursor);
        Assert.Empty((await Messages.ListMentionsAsync(await scene.StrangerAsync())).Items);
    }
}
