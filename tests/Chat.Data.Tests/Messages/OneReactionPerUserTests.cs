using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Tests.Messages;

/// <summary>With <see cref="ChatDataOptions.OneReactionPerUser"/>, a new reaction replaces the user's old one.</summary>
public sealed class OneReactionPerUserTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private ServiceProvider _services = null!;

    private IReactionRepository Reactions => _services.GetRequiredService<IReactionRepository>();

    public Task InitializeAsync()
    {
        _services = ServicesWithOptions.Build(db, o => o.OneReactionPerUser = true);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private async Task<(Guid UserId, string Emoji)[]> StoredAsync(Guid messageId)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<(Guid, string)>(
            "SELECT user_id, emoji FROM chat.message_reactions WHERE message_id = @messageId ORDER BY created_at, user_id", new { messageId })).ToArray();
    }

    [Fact]
    public async Task A_new_reaction_replaces_the_users_old_one_and_leaves_other_users_alone()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);
        var other = await scene.SendAsync(scene.OwnerId);
        await Reactions.AddAsync(message.Id, scene.OwnerId, "like");
        await Reactions.AddAsync(message.Id, scene.Member, "like");
        await Reactions.AddAsync(other.Id, scene.Member, "like");

        var change = await Reactions.AddAsync(message.Id, scene.Member, "love");

        Assert.True(change.Added);
        Assert.Equal(new[] { "like" }, change.Replaced);
        Assert.Equal(new[] { (scene.OwnerId, "like"), (scene.Member, "love") }, await StoredAsync(message.Id));
        Assert.Equal(new[] { (scene.Member, "like") }, await StoredAsync(other.Id));
    }

    [Fact]
    public async Task The_same_reaction_again_changes_nothing()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);
        await Reactions.AddAsync(message.Id, scene.Member, "haha");

        var change = await Reactions.AddAsync(message.Id, scene.Member, "haha");

        Assert.False(change.Added);
        Assert.Empty(change.Replaced);
        Assert.Equal(new[] { (scene.Member, "haha") }, await StoredAsync(message.Id));
    }

    [Fact]
    public async Task Several_reactions_kept_from_before_the_option_are_all_replaced_by_the_next_one()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);
        foreach (var emoji in new[] { "👍", "❤️", "😂" })
            await db.Reactions.AddAsync(message.Id, scene.Member, emoji);

        var change = await Reactions.AddAsync(message.Id, scene.Member, "❤️");

        Assert.False(change.Added);
        Assert.Equal(new[] { "👍", "😂" }.Order(StringComparer.Ordinal), change.Replaced.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { (scene.Member, "❤️") }, await StoredAsync(message.Id));
    }

    [Fact]
    public async Task A_refused_reaction_replaces_nothing()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);
        await Reactions.AddAsync(message.Id, scene.Member, "wow");
        await scene.LeaveAsync(scene.Member);

        await Assert.ThrowsAsync<NotAMemberException>(() => Reactions.AddAsync(message.Id, scene.Member, "sad"));

        Assert.Equal(new[] { (scene.Member, "wow") }, await StoredAsync(message.Id));
    }

    [Fact]
    public async Task Adding_is_still_one_round_trip()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.OwnerId);
        await Reactions.AddAsync(message.Id, scene.Member, "like");

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        await Reactions.AddAsync(message.Id, scene.Member, "pray");

        Assert.Equal(1, roundTrips.Count);
    }
}
