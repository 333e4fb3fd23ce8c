using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Tests.Messages;

/// <summary>Real parallel calls, each on its own pooled connection: the unique rules hold and no raw PostgresException escapes.</summary>
public sealed class ReactionConcurrencyTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private async Task<(Guid UserId, string Emoji)[]> StoredAsync(Guid messageId)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<(Guid, string)>(
            "SELECT user_id, emoji FROM chat.message_reactions WHERE message_id = @messageId", new { messageId })).ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Twenty_concurrent_identical_adds_store_one_row_and_exactly_one_of_them_added_it(bool onePerUser)
    {
        await using var services = ServicesWithOptions.Build(db, o => o.OneReactionPerUser = onePerUser);
        var reactions = services.GetRequiredService<IReactionRepository>();
        var scene = await MessageScene.CreateAsync(db);
        // Several rounds, so the race (both pass the check, one loses on the key) is met for sure.
        for (var round = 0; round < 5; round++)
        {
            var message = await scene.SendAsync(scene.OwnerId);

            var changes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => reactions.AddAsync(message.Id, scene.Member, "👍"))));

            Assert.Single(changes, c => c.Added);
            Assert.All(changes, c => Assert.Empty(c.Replaced));
            Assert.Equal(new[] { (scene.Member, "👍") }, await StoredAsync(message.Id));
        }
    }

    [Fact]
    public async Task Concurrent_reactions_of_many_members_are_all_kept()
    {
        var scene = await MessageScene.CreateAsync(db, members: 24);
        var message = await scene.SendAsync(scene.OwnerId);

        await Task.WhenAll(scene.MemberIds.SelectMany(user => new[] { "👍", "❤️" }.Select(emoji => Task.Run(() => db.Reactions.AddAsync(message.Id, user, emoji)))));

        Assert.Equal(48, (await StoredAsync(message.Id)).Length);
        var summary = (await db.Reactions.GetSummariesAsync([message.Id], scene.Member))[message.Id].ToList();
        Assert.Equal(new[] { 24, 24 }, summary.Select(s => s.Count));
    }

    // With OneReactionPerUser, one user's adds on one message take a lock and run one after another.
    [Fact]
    public async Task With_one_reaction_per_user_concurrent_different_emoji_of_one_user_leave_exactly_one()
    {
        await using var services = ServicesWithOptions.Build(db, o => o.OneReactionPerUser = true);
        var reactions = services.GetRequiredService<IReactionRepository>();
        var scene = await MessageScene.CreateAsync(db);
        string[] emoji = ["like", "love", "haha", "wow", "sad", "pray", "👍", "❤️", "😂", "🎉"];
        for (var round = 0; round < 5; round++)
        {
            var message = await scene.SendAsync(scene.OwnerId);

            var changes = await Task.WhenAll(emoji.Select(e => Task.Run(() => reactions.AddAsync(message.Id, scene.Member, e))));

            var stored = Assert.Single(await StoredAsync(message.Id));
            Assert.All(changes, c => Assert.True(c.Added));
            // The calls ran one after another: each replaced the one before it, the last one stayed.
            var replaced = changes.SelectMany(c => c.Replaced).ToList();
            Assert.Equal(emoji.Length - 1, replaced.Count);
            Assert.Equal(emoji.Order(), replaced.Append(stored.Emoji).Order());
        }
    }
}
