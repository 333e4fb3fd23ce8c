using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.Tests.Messages;
using Chat.Data.Tests.Social;

namespace Chat.Data.Tests.Maintenance;

/// <summary>Retention running alongside traffic: real parallel calls, each on its own pooled connection.</summary>
public sealed class MaintenanceConcurrencyTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Purging_while_members_send_delete_and_read_keeps_every_count_exact()
    {
        const int Chats = 4, OldMessages = 20, NewMessages = 30;
        var scenes = new List<MessageScene>();
        for (var i = 0; i < Chats; i++)
        {
            var scene = await MessageScene.CreateAsync(db);
            var sent = await scene.SendManyAsync(scene.OwnerId, OldMessages);
            foreach (var message in sent.Where(m => m.Seq % 2 == 0))
                await scene.DeleteForEveryoneAsync(message);
            await scene.ReadAllAsync();
            scenes.Add(scene);
        }

        // Per chat: a member sends (deleting every third new message at once, and reading), while two
        // purge runs with small batches and an archive run go over every chat at the same time.
        var traffic = scenes.Select(scene => Task.Run(async () =>
        {
            for (var i = 0; i < NewMessages; i++)
            {
                var sent = await scene.SendAsync(scene.Member, $"new {i}");
                if (i % 3 == 0)
                    await db.Messages.DeleteForEveryoneAsync(sent.Id, scene.Member);
                if (i % 5 == 0)
                    await db.ReadState.MarkReadAsync(scene.ChatId, scene.MemberIds[1]);
            }
        }));
        var purges = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            long purged = 0;
            for (var run = 0; run < 20; run++)
                purged += await db.Maintenance.PurgeDeletedMessagesAsync(TimeSpan.FromDays(30), batchSize: 3);
            return purged;
        })).ToArray();
        var archive = Task.Run(() => db.Maintenance.ArchiveIdleGroupsAsync(TimeSpan.FromDays(30)));

        await Task.WhenAll(traffic);
        var purgedByRuns = (await Task.WhenAll(purges)).Sum();
        purgedByRuns += await db.Maintenance.PurgeDeletedMessagesAsync(TimeSpan.FromDays(30));
        Assert.Equal(0L, await archive);

        // Each old deletion was purged exactly once, by one run or the other; the new ones stay.
        Assert.Equal(Chats * OldMessages / 2, purgedByRuns);
        foreach (var scene in scenes)
        {
            var chat = await scene.ChatAsync();
            Assert.Equal(OldMessages + NewMessages, chat.LastSeq);
            var seqs = await scene.SeqsAsync();
            Assert.Equal(
                Enumerable.Range(1, OldMessages + NewMessages).Select(s => (long)s).Where(s => s > OldMessages || s % 2 == 1),
                seqs);
            Assert.Equal(OldMessages / 2 + NewMessages - (NewMessages + 2) / 3, chat.MessageCount);
            await scene.AssertExactAsync();
        }
    }
}
