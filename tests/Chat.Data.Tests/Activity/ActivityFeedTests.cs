using Chat.Data.Activity;
using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.Tests.Social;
using Chat.Data.TestSupport;

namespace Chat.Data.Tests.Activity;

public sealed class ActivityFeedTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IActivityFeedRepository Feed => db.Activity;

    private static NewActivity AboutOrder(string description = "Budi assigned you order #123", DateTimeOffset? occurredAt = null) => new()
    {
        ActionType = "TASK_ASSIGNED",
        Description = description,
        EntityType = "order",
        EntityId = "123",
        OccurredAt = occurredAt,
    };

    private async Task<List<ActivityItem>> AllPagesAsync(Guid userId, bool unreadOnly, int limit)
    {
        var items = new List<ActivityItem>();
        string? cursor = null;
        do
        {
            var page = await Feed.ListAsync(userId, unreadOnly, cursor, limit);
            items.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return items;
    }

    [Fact]
    public async Task Add_stores_every_field_and_returns_the_item_unread()
    {
        var (recipient, actor) = await db.PairAsync();
        var chat = await db.Arrange.GroupAsync(actor, recipient);
        var message = await db.Messages.SendAsync(new NewMessage { ChatId = chat, SenderId = actor, Content = "@you look" });
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var item = await Feed.AddAsync(recipient, new NewActivity
        {
            ActionType = "MENTION_RECEIVED",
            Description = "Budi mentioned you",
            Title = "Mention",
            ActorId = actor,
            EntityType = "order",
            EntityId = "A-1",
            ChatId = chat,
            MessageId = message.Id,
            Metadata = """{"priority": "high"}""",
        });

        Assert.Equal(7, item.Id.Version);
        Assert.Equal(
            new ActivityItem(item.Id, recipient, actor, "MENTION_RECEIVED", "order", "A-1", chat, message.Id, "Mention", "Budi mentioned you", null,
                """{"priority": "high"}""", item.OccurredAt),
            item);
        Assert.InRange(item.OccurredAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal([item], (await Feed.ListAsync(recipient)).Items);
    }

    [Fact]
    public async Task An_activity_about_only_a_chat_or_only_an_entity_is_stored()
    {
        var (recipient, actor) = await db.PairAsync();
        var chat = await db.Arrange.GroupAsync(actor, recipient);

        var aboutChat = await Feed.AddAsync(recipient, new NewActivity { ActionType = "INVITED", Description = "You were added", ChatId = chat });
        var aboutOrder = await Feed.AddAsync(recipient, AboutOrder());

        Assert.Equal((chat, (string?)null), (aboutChat.ChatId!.Value, aboutChat.EntityType));
        Assert.Equal(("order", (Guid?)null), (aboutOrder.EntityType!, aboutOrder.ChatId));
    }

    [Fact]
    public async Task Add_many_writes_one_item_per_recipient_in_one_round_trip_in_their_order()
    {
        var users = (await db.Arrange.UsersAsync(30)).Select(u => u.Id).ToArray();
        var recipients = users.Reverse().Append(users[0]).ToArray();

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var items = await Feed.AddManyAsync(recipients, AboutOrder("New order"));

        Assert.Equal(1, roundTrips.Count);
        Assert.Equal(users.Reverse(), items.Select(i => i.UserId));
        Assert.Single(items.Select(i => i.OccurredAt).Distinct());
        Assert.Equal(30, items.Select(i => i.Id).Distinct().Count());
        Assert.All(users, u => Assert.Single(items, i => i.UserId == u));
    }

    [Fact]
    public async Task Add_many_to_nobody_sends_nothing()
    {
        using var roundTrips = new RoundTripCounter(db.Database.Name);

        Assert.Empty(await Feed.AddManyAsync([], AboutOrder()));
        Assert.Equal(0, roundTrips.Count);
    }

    [Fact]
    public async Task Add_many_with_a_recipient_who_does_not_exist_writes_nothing()
    {
        var users = (await db.Arrange.UsersAsync(3)).Select(u => u.Id).ToArray();

        await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Feed.AddManyAsync([.. users, Guid.CreateVersion7()], AboutOrder()));

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.activity_feed WHERE user_id = ANY(@users)", new { users }));
    }

    [Fact]
    public async Task Missing_actor_chat_and_message_are_missing_references()
    {
        var (recipient, actor) = await db.PairAsync();
        var chat = await db.Arrange.GroupAsync(actor, recipient);

        Assert.Equal("ActorId", (await Assert.ThrowsAsync<ReferenceNotFoundException>(() =>
            Feed.AddAsync(recipient, AboutOrder() with { ActorId = Guid.CreateVersion7() }))).Field);
        Assert.Equal("ChatId", (await Assert.ThrowsAsync<ReferenceNotFoundException>(() =>
            Feed.AddAsync(recipient, AboutOrder() with { ChatId = Guid.CreateVersion7() }))).Field);
        Assert.Equal("MessageId", (await Assert.ThrowsAsync<ReferenceNotFoundException>(() =>
            Feed.AddAsync(recipient, AboutOrder() with { ChatId = chat, MessageId = Guid.CreateVersion7() }))).Field);
        Assert.Equal(0L, await Feed.CountUnreadAsync(recipient));
    }

    [Fact]
    public async Task The_feed_pages_newest_first_and_holds_only_the_users_items()
    {
        var (user, other) = await db.PairAsync();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        var added = new List<ActivityItem>();
        for (var i = 0; i < 7; i++)
            added.Add(await Feed.AddAsync(user, AboutOrder($"item {i}", start.AddMinutes(i % 3))));
        await Feed.AddAsync(other, AboutOrder());

        var listed = await AllPagesAsync(user, unreadOnly: false, limit: 3);

        Assert.Equal(added.OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id), listed);
    }

    [Fact]
    public async Task Unread_only_lists_and_counts_the_unread_items()
    {
        var user = (await db.Arrange.UserAsync()).Id;
        var items = new List<ActivityItem>();
        for (var i = 0; i < 5; i++)
            items.Add(await Feed.AddAsync(user, AboutOrder($"item {i}")));

        Assert.Equal(2, await Feed.MarkReadAsync(user, [items[1].Id, items[3].Id]));

        Assert.Equal(3L, await Feed.CountUnreadAsync(user));
        Assert.Equal([items[4].Id, items[2].Id, items[0].Id], (await AllPagesAsync(user, unreadOnly: true, limit: 2)).Select(i => i.Id));
        var all = await AllPagesAsync(user, unreadOnly: false, limit: 50);
        Assert.Equal(5, all.Count);
        Assert.All(all.Where(i => i.Id == items[1].Id || i.Id == items[3].Id), i => Assert.NotNull(i.ReadAt));
    }

    [Fact]
    public async Task Marking_read_counts_only_the_users_unread_items()
    {
        var (user, other) = await db.PairAsync();
        var mine = await Feed.AddAsync(user, AboutOrder());
        var theirs = await Feed.AddAsync(other, AboutOrder());

        Assert.Equal(1, await Feed.MarkReadAsync(user, [mine.Id, theirs.Id, Guid.CreateVersion7()]));
        Assert.Equal(0, await Feed.MarkReadAsync(user, [mine.Id]));
        Assert.Equal(0, await Feed.MarkReadAsync(user, []));

        Assert.Equal(1L, await Feed.CountUnreadAsync(other));
    }

    [Fact]
    public async Task Mark_all_read_reads_every_item_of_the_user_only()
    {
        var (user, other) = await db.PairAsync();
        await Feed.AddManyAsync([user, other], AboutOrder("one"));
        await Feed.AddManyAsync([user, other], AboutOrder("two"));

        Assert.Equal(2, await Feed.MarkAllReadAsync(user));

        Assert.Equal(0L, await Feed.CountUnreadAsync(user));
        Assert.Equal(2L, await Feed.CountUnreadAsync(other));
        Assert.Equal(0, await Feed.MarkAllReadAsync(user));
        Assert.Empty((await Feed.ListAsync(user, unreadOnly: true)).Items);
    }

    [Fact]
    public async Task Delete_older_than_removes_only_the_users_old_items()
    {
        var (user, other) = await db.PairAsync();
        var now = DateTimeOffset.UtcNow;
        await Feed.AddAsync(user, AboutOrder("old", now.AddDays(-40)));
        var recent = await Feed.AddAsync(user, AboutOrder("recent", now.AddDays(-1)));
        await Feed.AddAsync(other, AboutOrder("other's old", now.AddDays(-40)));

        Assert.Equal(1, await Feed.DeleteOlderThanAsync(user, now.AddDays(-30)));

        Assert.Equal([recent], (await Feed.ListAsync(user)).Items);
        Assert.Single((await Feed.ListAsync(other)).Items);
    }

    [Fact]
    public async Task Deleting_the_recipient_chat_or_message_removes_the_items_and_deleting_the_actor_keeps_them()
    {
        var (recipient, actor) = await db.PairAsync();
        var bystander = (await db.Arrange.UserAsync()).Id;
        var chat = await db.Arrange.GroupAsync(actor, recipient, bystander);
        var message = await db.Messages.SendAsync(new NewMessage { ChatId = chat, SenderId = bystander, Content = "x" });
        var byActor = await Feed.AddAsync(recipient, AboutOrder() with { ActorId = actor });
        await Feed.AddAsync(recipient, new NewActivity { ActionType = "MENTION", Description = "m", ChatId = chat, MessageId = message.Id });
        var aboutChat = await Feed.AddAsync(bystander, new NewActivity { ActionType = "INVITED", Description = "c", ChatId = chat });
        var bystanders = await Feed.AddAsync(bystander, AboutOrder());

        await db.ExecuteAsync("DELETE FROM chat.messages WHERE id = @Id", new { message.Id });
        Assert.Equal([byActor], (await Feed.ListAsync(recipient)).Items);
        await db.Users.DeleteAsync(actor);
        Assert.Equal([byActor with { ActorId = null }], (await Feed.ListAsync(recipient)).Items);
        await db.Chats.DeleteAsync(chat);
        Assert.Equal([bystanders], (await Feed.ListAsync(bystander)).Items);
        Assert.DoesNotContain(aboutChat, (await Feed.ListAsync(bystander)).Items);
        await db.Users.DeleteAsync(recipient);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.activity_feed WHERE user_id = @recipient", new { recipient }));
    }

    [Fact]
    public async Task The_database_holds_the_entity_or_chat_rule_for_writers_that_bypass_the_library()
    {
        var user = (await db.Arrange.UserAsync()).Id;
        const string insert = """
            INSERT INTO chat.activity_feed (id, user_id, action_type, description, entity_type, entity_id, chat_id, message_id, metadata)
            VALUES (gen_random_uuid(), @user, @action, 'd', @type, @entity, @chat, @message, CAST(@metadata AS jsonb))
            """;
        var valid = new { user, action = "X", type = (string?)"order", entity = (string?)"1", chat = (Guid?)null, message = (Guid?)null, metadata = (string?)null };

        Assert.Equal("activity_feed_chat_id_check", await db.ViolatedConstraintAsync(insert, valid with { type = null, entity = null }));
        Assert.Equal("activity_feed_entity_id_check", await db.ViolatedConstraintAsync(insert, valid with { entity = null }));
        Assert.Equal("activity_feed_message_id_check", await db.ViolatedConstraintAsync(insert, valid with { message = (Guid?)Guid.CreateVersion7() }));
        Assert.Equal("activity_feed_action_type_check", await db.ViolatedConstraintAsync(insert, valid with { action = " " }));
        Assert.Equal("activity_feed_metadata_check", await db.ViolatedConstraintAsync(insert, valid with { metadata = (string?)"[1]" }));
        Assert.Equal(1, await db.ExecuteAsync(insert, valid));
    }

    [Fact]
    public async Task Concurrent_adds_mark_reads_and_counts_stay_consistent()
    {
        var user = (await db.Arrange.UserAsync()).Id;
        var seeded = await Feed.AddManyAsync([user], AboutOrder());

        var results = await Race.RunAsync(30, async i =>
            i % 3 == 0 ? (await Feed.AddAsync(user, AboutOrder($"n{i}"))).Id == Guid.Empty ? 0 : 1
            : i % 3 == 1 ? await Feed.MarkAllReadAsync(user)
            : (int)await Feed.CountUnreadAsync(user));

        Assert.All(results, r => Assert.Null(r.Error));
        var all = await AllPagesAsync(user, unreadOnly: false, limit: 200);
        Assert.Equal(11, all.Count);
        Assert.Equal(all.Count(i => i.ReadAt is null), await Feed.CountUnreadAsync(user));
        Assert.Contains(seeded[0].Id, all.Select(i => i.Id));
    }
}
