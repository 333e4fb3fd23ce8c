using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;

namespace Chat.Data.Tests.Messages;

/// <summary>History and thread pages carry their messages' attachments and reaction summaries, loaded per page, never per message.</summary>
public sealed class MessageHistoryExtrasTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IMessageRepository Messages => db.Messages;

    /// <summary>
    /// A group where the member sent <paramref name="count"/> messages, each with one image (the even ones
    /// with two) and a 👍 from the owner (the ones divisible by 3 also a ❤️ from the member).
    /// </summary>
    private async Task<(MessageScene Scene, Message[] Sent)> DecoratedAsync(int count)
    {
        var scene = await MessageScene.CreateAsync(db);
        var sent = await scene.SendManyAsync(scene.Member, count);
        foreach (var message in sent)
        {
            await db.Attachments.AddAsync(message.Id, scene.Member, message.Seq % 2 == 0 ? [Files.Image(), Files.Image()] : [Files.Image()]);
            await db.Reactions.AddAsync(message.Id, scene.OwnerId, "👍");
            if (message.Seq % 3 == 0)
                await db.Reactions.AddAsync(message.Id, scene.Member, "❤️");
        }
        return (scene, sent);
    }

    [Fact]
    public async Task A_history_page_carries_each_messages_attachments_in_order_and_its_reactions_as_the_viewer_sees_them()
    {
        var (scene, sent) = await DecoratedAsync(12);

        var page = await Messages.GetHistoryAsync(scene.ChatId, scene.Member, HistoryAnchor.Latest, limit: 6);

        Assert.Equal(sent[6..].Select(m => m.Id), page.Messages.Select(m => m.Id));
        foreach (var message in page.Messages)
        {
            var attachments = page.Attachments[message.Id].ToList();
            Assert.Equal(message.Seq % 2 == 0 ? [0, 1] : new[] { 0 }, attachments.Select(a => a.SortOrder));
            Assert.Equal(await db.Attachments.ListUncheckedAsync(message.Id), attachments);
            var reactions = page.Reactions[message.Id].ToList();
            Assert.Equal(message.Seq % 3 == 0 ? ["👍", "❤️"] : new[] { "👍" }, reactions.Select(r => r.Emoji));
            Assert.Equal(message.Seq % 3 == 0 ? [false, true] : new[] { false }, reactions.Select(r => r.ReactedByViewer));
        }
        // Only the page's messages: not the one read beyond it to tell whether it reached the oldest.
        Assert.Equal(page.Messages.Select(m => m.Id).Order(), page.Attachments.Select(g => g.Key).Order());
        Assert.Equal(page.Messages.Select(m => m.Id).Order(), page.Reactions.Select(g => g.Key).Order());
    }

    [Theory]
    [InlineData(10)]
    [InlineData(50)]
    [InlineData(200)]
    public async Task A_page_with_extras_on_every_message_costs_two_round_trips_whatever_its_size(int limit)
    {
        var (scene, _) = await DecoratedAsync(limit);

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var page = await Messages.GetHistoryAsync(scene.ChatId, scene.OwnerId, HistoryAnchor.Latest, limit);

        Assert.Equal(2, roundTrips.Count);
        Assert.Equal(limit, page.Messages.Count);
        Assert.Equal(limit, page.Attachments.Count);
        Assert.Equal(limit, page.Reactions.Count);
    }

    [Fact]
    public async Task A_page_without_attachments_or_reactions_stays_one_round_trip_with_empty_extras()
    {
        var scene = await MessageScene.CreateAsync(db);
        await scene.SendManyAsync(scene.Member, 5);

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var page = await Messages.GetHistoryAsync(scene.ChatId, scene.OwnerId, HistoryAnchor.Latest);

        Assert.Equal(1, roundTrips.Count);
        Assert.Equal(5, page.Messages.Count);
        Assert.All(page.Messages, m => Assert.Empty(page.Attachments[m.Id]));
        Assert.All(page.Messages, m => Assert.Empty(page.Reactions[m.Id]));
    }

    [Fact]
    public async Task A_page_with_only_reactions_or_only_attachments_loads_just_those_in_one_more_round_trip()
    {
        var scene = await MessageScene.CreateAsync(db);
        var sent = await scene.SendManyAsync(scene.Member, 4);
        await db.Reactions.AddAsync(sent[1].Id, scene.OwnerId, "👍");
        await db.Attachments.AddAsync(sent[2].Id, scene.Member, [Files.Image()]);

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var page = await Messages.GetHistoryAsync(scene.ChatId, scene.OwnerId, HistoryAnchor.Latest);

        Assert.Equal(2, roundTrips.Count);
        Assert.Equal(new[] { sent[1].Id }, page.Reactions.Select(g => g.Key));
        Assert.Equal(new[] { sent[2].Id }, page.Attachments.Select(g => g.Key));
        Assert.True(Assert.Single(page.Reactions[sent[1].Id]).ReactedByViewer);
    }

    [Fact]
    public async Task A_message_deleted_for_everyone_shows_in_the_page_with_no_attachments_and_no_reactions()
    {
        var (scene, sent) = await DecoratedAsync(3);
        await Messages.DeleteForEveryoneAsync(sent[1].Id, scene.Member);

        var page = await Messages.GetHistoryAsync(scene.ChatId, scene.OwnerId, HistoryAnchor.Latest);

        Assert.Equal(3, page.Messages.Count);
        Assert.Empty(page.Attachments[sent[1].Id]);
        Assert.Empty(page.Reactions[sent[1].Id]);
        Assert.Single(page.Reactions[sent[0].Id]);
    }

    [Fact]
    public async Task A_thread_page_carries_its_replies_extras_in_two_round_trips()
    {
        var scene = await MessageScene.CreateAsync(db);
        var root = await scene.SendAsync(scene.OwnerId, "root");
        var replies = new List<Message>();
        for (var i = 0; i < 30; i++)
        {
            var reply = await Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = $"re {i}", ThreadRootId = root.Id });
            await db.Attachments.AddAsync(reply.Id, scene.Member, [Files.Image()]);
            await db.Reactions.AddAsync(reply.Id, scene.OwnerId, "👍");
            replies.Add(reply);
        }

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var page = await Messages.GetThreadAsync(root.Id, scene.OwnerId, limit: 25);

        Assert.Equal(2, roundTrips.Count);
        Assert.Equal(replies.Take(25).Select(m => m.Id), page.Messages.Select(m => m.Id));
        Assert.All(page.Messages, m => Assert.Single(page.Attachments[m.Id]));
        Assert.All(page.Messages, m => Assert.True(Assert.Single(page.Reactions[m.Id]).ReactedByViewer));
    }
}
