using Chat.Data.Activity;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.Tests.Social;

namespace Chat.Data.Tests.Activity;

/// <summary>Bad input to the activity feed is refused before the database, naming the field, and nothing is written.</summary>
public sealed class ActivityValidationTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static readonly NewActivity Valid = new() { ActionType = "TASK_ASSIGNED", Description = "You got a task", EntityType = "task", EntityId = "7" };

    private static async Task<string> FieldAsync(Func<Task> call) =>
        (await Assert.ThrowsAsync<ChatDataValidationException>(call)).Field;

    public static TheoryData<NewActivity, string> InvalidActivities => new()
    {
        { Valid with { ActionType = "" }, "ActionType" },
        { Valid with { ActionType = "  " }, "ActionType" },
        { Valid with { ActionType = new string('a', 101) }, "ActionType" },
        { Valid with { ActionType = "A\0B" }, "ActionType" },
        { Valid with { Description = "" }, "Description" },
        { Valid with { Description = new string('d', 2001) }, "Description" },
        { Valid with { Description = "nul\0" }, "Description" },
        { Valid with { Title = new string('t', 256) }, "Title" },
        { Valid with { Title = "t\0" }, "Title" },
        { Valid with { EntityType = null, EntityId = null }, "ChatId" },
        { Valid with { EntityId = null }, "EntityId" },
        { Valid with { EntityType = null }, "EntityType" },
        { Valid with { EntityType = new string('e', 101) }, "EntityType" },
        { Valid with { EntityId = new string('e', 201) }, "EntityId" },
        { Valid with { ChatId = Guid.Empty }, "ChatId" },
        { Valid with { MessageId = Guid.CreateVersion7() }, "ChatId" },
        { Valid with { ChatId = Guid.CreateVersion7(), MessageId = Guid.Empty }, "MessageId" },
        { Valid with { ActorId = Guid.Empty }, "ActorId" },
        { Valid with { Metadata = "[1, 2]" }, "Metadata" },
        { Valid with { Metadata = "{not json" }, "Metadata" },
        { Valid with { OccurredAt = DateTimeOffset.MinValue }, "OccurredAt" },
        { Valid with { OccurredAt = DateTimeOffset.MaxValue }, "OccurredAt" },
    };

    [Theory]
    [MemberData(nameof(InvalidActivities))]
    public async Task Add_and_add_many_refuse_a_bad_activity_naming_the_field_and_write_nothing(NewActivity activity, string field)
    {
        var user = (await db.Arrange.UserAsync()).Id;

        Assert.Equal(field, await FieldAsync(() => db.Activity.AddAsync(user, activity)));
        Assert.Equal(field, await FieldAsync(() => db.Activity.AddManyAsync([user], activity)));
        // Even with no recipients, the activity is checked.
        Assert.Equal(field, await FieldAsync(() => db.Activity.AddManyAsync([], activity)));

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.activity_feed WHERE user_id = @user", new { user }));
    }

    [Fact]
    public async Task Empty_ids_are_refused_by_every_method()
    {
        var empty = Guid.Empty;
        var feed = db.Activity;

        Assert.Equal("userId", await FieldAsync(() => feed.AddAsync(empty, Valid)));
        Assert.Equal("userIds[1]", await FieldAsync(() => feed.AddManyAsync([Guid.CreateVersion7(), empty], Valid)));
        Assert.Equal("userId", await FieldAsync(() => feed.ListAsync(empty)));
        Assert.Equal("userId", await FieldAsync(() => feed.CountUnreadAsync(empty)));
        Assert.Equal("userId", await FieldAsync(() => feed.MarkReadAsync(empty, [Guid.CreateVersion7()])));
        Assert.Equal("activityIds[0]", await FieldAsync(() => feed.MarkReadAsync(Guid.CreateVersion7(), [empty])));
        Assert.Equal("userId", await FieldAsync(() => feed.MarkAllReadAsync(empty)));
        Assert.Equal("userId", await FieldAsync(() => feed.DeleteOlderThanAsync(empty, DateTimeOffset.UtcNow)));
    }

    [Fact]
    public async Task Batches_are_capped_and_null_arguments_refused()
    {
        var user = Guid.CreateVersion7();
        var tooMany = Enumerable.Range(0, 10_001).Select(_ => Guid.CreateVersion7()).ToArray();

        Assert.Equal("userIds", await FieldAsync(() => db.Activity.AddManyAsync(tooMany, Valid)));
        Assert.Equal("activityIds", await FieldAsync(() => db.Activity.MarkReadAsync(user, tooMany)));
        await Assert.ThrowsAsync<ArgumentNullException>(() => db.Activity.AddAsync(user, null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => db.Activity.AddManyAsync(null!, Valid));
        await Assert.ThrowsAsync<ArgumentNullException>(() => db.Activity.MarkReadAsync(user, null!));
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(201, null)]
    [InlineData(10, "bogus")]
    public async Task List_refuses_bad_page_sizes_and_cursors(int limit, string? cursor)
    {
        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => db.Activity.ListAsync(Guid.CreateVersion7(), cursor: cursor, limit: limit));

        Assert.Equal(cursor is null ? "limit" : "cursor", error.Field);
    }
}
