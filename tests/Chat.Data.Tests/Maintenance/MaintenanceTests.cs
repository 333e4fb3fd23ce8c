using Chat.Data.Activity;
using Chat.Data.Maintenance;
using Chat.Data.Messages;
using Chat.Data.ReadState;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.Tests.Messages;
using Chat.Data.Tests.Social;

namespace Chat.Data.Tests.Maintenance;

public sealed class MaintenanceTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static readonly TimeSpan Month = TimeSpan.FromDays(30);

    private IChatDataMaintenance Maintenance => db.Maintenance;

    private Task<long> CountAsync(string sql, object? param = null) => db.ScalarAsync<long>(sql, param);

    [Fact]
    public async Task Purge_removes_old_deletions_everyone_read_past_and_keeps_every_count_exact()
    {
        var scene = await MessageScene.CreateAsync(db);
        var sent = await scene.SendManyAsync(scene.OwnerId, 6);
        await db.Messages.EditAsync(sent[1].Id, scene.OwnerId, "edited before the delete");
        await db.Messages.HideForMeAsync(sent[2].Id, scene.Member);
        await scene.DeleteForEveryoneAsync(sent[1]);
        await scene.DeleteForEveryoneAsync(sent[2]);
        await scene.DeleteForEveryoneAsync(sent[4], daysAgo: 5);
        await scene.ReadAllAsync();
        await scene.SendManyAsync(scene.OwnerId, 2);
        var before = (await scene.ChatAsync()).Counters;

        Assert.Equal(2L, await Maintenance.PurgeDeletedMessagesAsync(Month));

        Assert.Equal(new long[] { 1, 4, 5, 6, 7, 8 }, await scene.SeqsAsync());
        Assert.Equal(before, (await scene.ChatAsync()).Counters);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM chat.message_edits WHERE message_id = @Id", new { sent[1].Id }));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM chat.message_hides WHERE message_id = @Id", new { sent[2].Id }));
        await scene.AssertExactAsync();
        foreach (var member in scene.MemberIds)
            Assert.Equal(2L, await db.ReadState.GetUnreadCountAsync(scene.ChatId, member));
        Assert.Equal(0L, await Maintenance.PurgeDeletedMessagesAsync(Month));
    }

    [Fact]
    public async Task Purging_a_chats_last_message_points_the_chat_at_the_newest_remaining_and_seqs_are_not_reused()
    {
        var scene = await MessageScene.CreateAsync(db);
        var sent = await scene.SendManyAsync(scene.OwnerId, 3);
        await scene.DeleteForEveryoneAsync(sent[2]);
        await scene.ReadAllAsync();
        var lone = await MessageScene.CreateAsync(db);
        var only = await lone.SendAsync(lone.OwnerId, "the only one");
        await lone.DeleteForEveryoneAsync(only);
        await lone.ReadAllAsync();

        Assert.Equal(2L, await Maintenance.PurgeDeletedMessagesAsync(Month));

        Assert.Equal((3L, 2L, (Guid?)sent[1].Id), (await scene.ChatAsync()).Counters);
        Assert.Equal((1L, 0L, (Guid?)null), (await lone.ChatAsync()).Counters);
        Assert.Equal(4, (await scene.SendAsync(scene.OwnerId, "next")).Seq);
        Assert.Equal(2, (await lone.SendAsync(lone.OwnerId, "next")).Seq);
        await scene.AssertExactAsync();
        await lone.AssertExactAsync();
    }

    [Fact]
    public async Task A_deleted_message_stays_until_every_member_past_or_present_has_read_past_it()
    {
        var scene = await MessageScene.CreateAsync(db, members: 3);
        var sent = await scene.SendManyAsync(scene.OwnerId, 3);
        await scene.DeleteForEveryoneAsync(sent[1]);
        await db.ReadState.MarkReadAsync(scene.ChatId, scene.MemberIds[0]);
        var gone = scene.MemberIds[2];
        await db.Members.LeaveAsync(scene.ChatId, gone);

        Assert.Equal(0L, await Maintenance.PurgeDeletedMessagesAsync(Month));
        await db.ReadState.MarkReadAsync(scene.ChatId, scene.MemberIds[1]);
        Assert.Equal(0L, await Maintenance.PurgeDeletedMessagesAsync(Month));

        // Added back, the member's read mark is where they left it: the deleted message still counts.
        await db.Members.AddAsync(scene.ChatId, gone);
        Assert.Equal(2L, await db.ReadState.GetUnreadCountAsync(scene.ChatId, gone));
        await db.ReadState.MarkReadAsync(scene.ChatId, gone);
        Assert.Equal(1L, await Maintenance.PurgeDeletedMessagesAsync(Month));
        Assert.Equal(new long[] { 1, 3 }, await scene.SeqsAsync());
        await scene.AssertExactAsync();
    }

    [Fact]
    public async Task A_thread_root_stays_while_it_has_replies_and_purged_replies_lower_its_reply_count()
    {
        var scene = await MessageScene.CreateAsync(db);
        var root = await scene.SendAsync(scene.OwnerId, "root");
        var first = await scene.SendAsync(scene.Member, "reply 1", threadRootId: root.Id);
        var second = await scene.SendAsync(scene.Member, "reply 2", threadRootId: root.Id);
        await scene.DeleteForEveryoneAsync(root);
        await scene.DeleteForEveryoneAsync(first);
        await scene.ReadAllAsync();

        Assert.Equal(1L, await Maintenance.PurgeDeletedMessagesAsync(Month));
        Assert.Equal(1, (await db.Messages.FindByIdUncheckedAsync(root.Id))!.ReplyCount);

        await scene.DeleteForEveryoneAsync(second);
        Assert.Equal(1L, await Maintenance.PurgeDeletedMessagesAsync(Month));
        Assert.Equal(0, (await db.Messages.FindByIdUncheckedAsync(root.Id))!.ReplyCount);
        Assert.Equal(1L, await Maintenance.PurgeDeletedMessagesAsync(Month));
        Assert.Empty(await scene.SeqsAsync());
        Assert.Equal((3L, 0L, (Guid?)null), (await scene.ChatAsync()).Counters);
    }

    [Fact]
    public async Task A_reply_to_a_purged_message_loses_the_reference_and_stays()
    {
        var scene = await MessageScene.CreateAsync(db);
        var original = await scene.SendAsync(scene.OwnerId, "original");
        var reply = await db.Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = "re", ReplyToId = original.Id });
        await scene.DeleteForEveryoneAsync(original);
        await scene.ReadAllAsync();

        Assert.Equal(1L, await Maintenance.PurgeDeletedMessagesAsync(Month));

        Assert.Null((await db.Messages.FindByIdUncheckedAsync(reply.Id))!.ReplyToId);
        await scene.AssertExactAsync();
    }

    [Fact]
    public async Task Purge_works_through_many_chats_in_small_batches()
    {
        var scenes = new List<MessageScene>();
        for (var i = 0; i < 3; i++)
        {
            var scene = await MessageScene.CreateAsync(db, members: 1);
            foreach (var message in await scene.SendManyAsync(scene.OwnerId, 4))
                await scene.DeleteForEveryoneAsync(message);
            await scene.ReadAllAsync();
            scenes.Add(scene);
        }

        Assert.Equal(12L, await Maintenance.PurgeDeletedMessagesAsync(Month, batchSize: 5));

        foreach (var scene in scenes)
        {
            Assert.Empty(await scene.SeqsAsync());
            Assert.Equal((4L, 0L, (Guid?)null), (await scene.ChatAsync()).Counters);
        }
    }

    [Fact]
    public async Task Archive_takes_only_groups_idle_longer_than_the_limit()
    {
        var idle = await MessageScene.CreateAsync(db);
        await idle.SendAsync(idle.OwnerId);
        var neverUsed = await MessageScene.CreateAsync(db);
        var active = await MessageScene.CreateAsync(db);
        await active.SendAsync(active.OwnerId);
        var deleted = await MessageScene.CreateAsync(db);
        // Created today with older history imported: not idle.
        var imported = await MessageScene.CreateAsync(db);
        await imported.SendAsync(imported.OwnerId);
        await db.ExecuteAsync("UPDATE chat.chats SET last_message_at = now() - interval '40 days' WHERE id = @ChatId", new { imported.ChatId });
        var (a, b) = await db.PairAsync();
        var direct = await db.Chats.GetOrCreateDirectAsync(a, b);
        var aged = new[] { idle.ChatId, neverUsed.ChatId, deleted.ChatId, direct.Id };
        await db.ExecuteAsync(
            """
            UPDATE chat.chats SET created_at = now() - interval '100 days',
                                  last_message_at = CASE WHEN last_message_at IS NULL THEN NULL ELSE now() - interval '40 days' END
            WHERE id = ANY(@aged)
            """,
            new { aged });
        await db.Chats.SoftDeleteAsync(deleted.ChatId);

        Assert.Equal(2L, await Maintenance.ArchiveIdleGroupsAsync(Month, batchSize: 1));

        Assert.NotNull((await db.Chats.FindByIdUncheckedAsync(idle.ChatId))!.ArchivedAt);
        Assert.NotNull((await db.Chats.FindByIdUncheckedAsync(neverUsed.ChatId))!.ArchivedAt);
        Assert.Null((await db.Chats.FindByIdUncheckedAsync(active.ChatId))!.ArchivedAt);
        Assert.Null((await db.Chats.FindByIdUncheckedAsync(direct.Id))!.ArchivedAt);
        Assert.Null((await db.Chats.FindByIdUncheckedAsync(imported.ChatId))!.ArchivedAt);
        Assert.Equal(0L, await Maintenance.ArchiveIdleGroupsAsync(Month));
        // A new message brings an archived group back.
        await idle.SendAsync(idle.OwnerId);
        Assert.Null((await db.Chats.FindByIdUncheckedAsync(idle.ChatId))!.ArchivedAt);
    }

    [Fact]
    public async Task Old_activity_is_deleted_in_batches_and_recent_activity_stays()
    {
        var (user, other) = await db.PairAsync();
        var now = DateTimeOffset.UtcNow;
        var activity = new NewActivity { ActionType = "X", Description = "d", EntityType = "order", EntityId = "1" };
        for (var i = 0; i < 5; i++)
            await db.Activity.AddManyAsync([user, other], activity with { OccurredAt = now.AddDays(-40 - i) });
        var recent = await db.Activity.AddAsync(user, activity with { OccurredAt = now.AddDays(-29) });

        Assert.Equal(10L, await Maintenance.DeleteOldActivityAsync(Month, batchSize: 3));

        Assert.Equal([recent], (await db.Activity.ListAsync(user)).Items);
        Assert.Empty((await db.Activity.ListAsync(other)).Items);
    }

    [Fact]
    public async Task Pruning_read_marks_keeps_each_members_newest_mark_and_exact_receipts_for_recent_messages()
    {
        var scene = await MessageScene.CreateAsync(db, members: 2);
        var sent = await scene.SendManyAsync(scene.OwnerId, 4);
        var (reader, other) = (scene.MemberIds[0], scene.MemberIds[1]);
        for (var seq = 1; seq <= 3; seq++)
            await db.ReadState.MarkReadAsync(scene.ChatId, reader, seq);
        await db.ReadState.MarkReadAsync(scene.ChatId, other, 2);
        // Every mark so far is old; then the reader reads message 4 today.
        await db.ExecuteAsync("UPDATE chat.read_marks SET at = at - interval '40 days' WHERE chat_id = @ChatId", new { scene.ChatId });
        await db.ReadState.MarkReadAsync(scene.ChatId, reader, 4);
        var recentReceipts = (await db.ReadState.GetReceiptsUncheckedAsync(sent[3].Id))!.Recipients;
        var watermarks = (await db.ReadState.GetUnreadCountAsync(scene.ChatId, reader), await db.ReadState.GetUnreadCountAsync(scene.ChatId, other));

        // The reader's read and delivered marks at 1, 2 and 3 go (a newer one of each kind stays); the other member keeps theirs.
        Assert.Equal(6L, await Maintenance.PruneReadMarksAsync(Month, batchSize: 4));

        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM chat.read_marks WHERE chat_id = @ChatId AND user_id = @reader", new { scene.ChatId, reader }));
        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM chat.read_marks WHERE chat_id = @ChatId AND user_id = @other AND up_to_seq = 2", new { scene.ChatId, other }));
        Assert.Equal(recentReceipts, (await db.ReadState.GetReceiptsUncheckedAsync(sent[3].Id))!.Recipients);
        Assert.Equal(watermarks, (await db.ReadState.GetUnreadCountAsync(scene.ChatId, reader), await db.ReadState.GetUnreadCountAsync(scene.ChatId, other)));
        var oldReceipt = (await db.ReadState.GetReceiptsUncheckedAsync(sent[0].Id))!.Recipients.Single(r => r.UserId == reader);
        Assert.Equal(ReceiptState.Read, oldReceipt.State);
        Assert.Equal(0L, await Maintenance.PruneReadMarksAsync(Month));
    }

    [Fact]
    public async Task Nothing_is_changed_when_nothing_is_old_enough()
    {
        var scene = await MessageScene.CreateAsync(db);
        var sent = await scene.SendAsync(scene.OwnerId);
        await scene.DeleteForEveryoneAsync(sent, daysAgo: 0);
        await scene.ReadAllAsync();
        var year = TimeSpan.FromDays(365);

        Assert.Equal(0L, await Maintenance.PurgeDeletedMessagesAsync(year));
        Assert.Equal(0L, await Maintenance.ArchiveIdleGroupsAsync(year));
        Assert.Equal(0L, await Maintenance.DeleteOldActivityAsync(year));
        Assert.Equal(0L, await Maintenance.PruneReadMarksAsync(year));
        Assert.Single(await scene.SeqsAsync());
    }

    [Theory]
    [InlineData(-1, 500, "age")]
    [InlineData(30, 0, "batchSize")]
    [InlineData(30, 10_001, "batchSize")]
    public async Task Bad_arguments_are_refused_by_every_job(int days, int batchSize, string field)
    {
        var age = TimeSpan.FromDays(days);

        Assert.Equal(field == "age" ? "olderThan" : field, (await Assert.ThrowsAsync<ChatDataValidationException>(() => Maintenance.PurgeDeletedMessagesAsync(age, batchSize))).Field);
        Assert.Equal(field == "age" ? "idleFor" : field, (await Assert.ThrowsAsync<ChatDataValidationException>(() => Maintenance.ArchiveIdleGroupsAsync(age, batchSize))).Field);
        Assert.Equal(field == "age" ? "olderThan" : field, (await Assert.ThrowsAsync<ChatDataValidationException>(() => Maintenance.DeleteOldActivityAsync(age, batchSize))).Field);
        Assert.Equal(field == "age" ? "olderThan" : field, (await Assert.ThrowsAsync<ChatDataValidationException>(() => Maintenance.PruneReadMarksAsync(age, batchSize))).Field);
    }

    [Fact]
    public async Task A_cancelled_job_stops()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Maintenance.PurgeDeletedMessagesAsync(Month, cancellationToken: cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Maintenance.PruneReadMarksAsync(Month, cancellationToken: cancelled.Token));
    }
}
