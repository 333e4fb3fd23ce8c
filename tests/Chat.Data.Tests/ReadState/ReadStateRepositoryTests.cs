using Chat.Data.ReadState;
using Chat.Data.Tests.Infrastructure;

namespace Chat.Data.Tests.ReadState;

/// <summary>
/// Read state as watermarks: status sent → delivered → read (one way), batch mark-as-read, unread
/// counts, mentions, totals, receipts with times and "read by N of M", cascades, round trips.
/// </summary>
public sealed class ReadStateRepositoryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IReadStateRepository ReadState => db.ReadState;

    private async Task<Receipt> ReceiptAsync(ReadScene scene, long seq, Guid userId)
    {
        var receipts = await ReadState.GetReceiptsUncheckedAsync(await db.MessageIdAsync(scene.ChatId, seq));
        Assert.NotNull(receipts);
        return Assert.Single(receipts.Recipients, r => r.UserId == userId);
    }

    [Fact]
    public async Task Status_goes_sent_then_delivered_then_read_and_a_lower_mark_never_moves_it_back()
    {
        var scene = await db.GroupAsync(members: 1, messages: 3);

        Assert.Equal(new Receipt(scene.Reader, ReceiptState.Sent, null, null), await ReceiptAsync(scene, 2, scene.Reader));

        var delivered = await ReadState.MarkDeliveredAsync(scene.ChatId, scene.Reader, 2);
        Assert.Equal(2, delivered.LastDeliveredSeq);
        Assert.Equal(0, delivered.LastReadSeq);
        Assert.Null(delivered.LastReadAt);
        Assert.Equal(new Receipt(scene.Reader, ReceiptState.Delivered, delivered.LastDeliveredAt, null), await ReceiptAsync(scene, 2, scene.Reader));
        Assert.Equal(ReceiptState.Sent, (await ReceiptAsync(scene, 3, scene.Reader)).State);

        var read = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 2);
        Assert.Equal(2, read.LastReadSeq);
        Assert.Equal(new Receipt(scene.Reader, ReceiptState.Read, delivered.LastDeliveredAt, read.LastReadAt), await ReceiptAsync(scene, 2, scene.Reader));

        // Lower marks change nothing, not even the times.
        Assert.Equal(read, await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 1));
        Assert.Equal(read, await ReadState.MarkDeliveredAsync(scene.ChatId, scene.Reader, 1));
        Assert.Equal(read, await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 0));
        Assert.Equal(ReceiptState.Read, (await ReceiptAsync(scene, 2, scene.Reader)).State);
        Assert.Equal(ReceiptState.Read, (await ReceiptAsync(scene, 1, scene.Reader)).State);
        Assert.Single(await db.MarksAsync(scene.ChatId, scene.Reader, "read"));
        Assert.Single(await db.MarksAsync(scene.ChatId, scene.Reader, "delivered"));
    }

    [Fact]
    public async Task Mark_read_without_a_seq_marks_every_message_read_in_one_call()
    {
        var scene = await db.GroupAsync(members: 1, messages: 50);

        var mark = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader);

        Assert.Equal(new ReadWatermark(scene.ChatId, scene.Reader, 50, mark.LastReadAt, 50, mark.LastReadAt, 0, 0), mark);
        Assert.NotNull(mark.LastReadAt);
        foreach (var seq in new long[] { 1, 25, 50 })
            Assert.Equal(new Receipt(scene.Reader, ReceiptState.Read, mark.LastReadAt, mark.LastReadAt), await ReceiptAsync(scene, seq, scene.Reader));
        Assert.Equal(0, await ReadState.GetUnreadCountAsync(scene.ChatId, scene.Reader));
    }

    [Fact]
    public async Task Reading_implies_delivery_but_delivery_does_not_imply_reading()
    {
        var scene = await db.GroupAsync(members: 1, messages: 10);

        var read = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 5);
        Assert.Equal((5L, 5L), (read.LastDeliveredSeq, read.LastReadSeq));
        Assert.Equal(read.LastReadAt, read.LastDeliveredAt);

        var delivered = await ReadState.MarkDeliveredAsync(scene.ChatId, scene.Reader, 8);
        Assert.Equal((8L, 5L), (delivered.LastDeliveredSeq, delivered.LastReadSeq));
        Assert.Equal(read.LastReadAt, delivered.LastReadAt);
        Assert.True(delivered.LastDeliveredAt > read.LastDeliveredAt);
        Assert.Equal(5, delivered.UnreadCount);

        // The read mark moves to 6, the delivery mark is already past it: one read row, no delivered row.
        var readAgain = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 6);
        Assert.Equal((8L, 6L), (readAgain.LastDeliveredSeq, readAgain.LastReadSeq));
        Assert.Equal(delivered.LastDeliveredAt, readAgain.LastDeliveredAt);
        Assert.Equal([5L, 6L], (await db.MarksAsync(scene.ChatId, scene.Reader, "read")).Select(m => m.UpToSeq));
        Assert.Equal([5L, 8L], (await db.MarksAsync(scene.ChatId, scene.Reader, "delivered")).Select(m => m.UpToSeq));
    }

    [Fact]
    public async Task Unread_count_is_the_messages_after_the_read_mark()
    {
        var scene = await db.GroupAsync(members: 1, messages: 10);

        Assert.Equal(10, await ReadState.GetUnreadCountAsync(scene.ChatId, scene.Reader));
        Assert.Equal(0, await ReadState.GetUnreadCountAsync(scene.ChatId, scene.SenderId));

        var mark = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 4);
        Assert.Equal(6, mark.UnreadCount);
        Assert.Equal(6, await ReadState.GetUnreadCountAsync(scene.ChatId, scene.Reader));

        // Delivery alone reads nothing.
        await ReadState.MarkDeliveredAsync(scene.ChatId, scene.Reader);
        Assert.Equal(6, await ReadState.GetUnreadCountAsync(scene.ChatId, scene.Reader));

        await db.Arrange.MessagesAsync(scene.ChatId, scene.SenderId, 3);
        Assert.Equal(9, await ReadState.GetUnreadCountAsync(scene.ChatId, scene.Reader));
    }

    [Fact]
    public async Task Unread_count_leaves_out_messages_deleted_for_everyone_after_the_mark()
    {
        var scene = await db.GroupAsync(members: 1, messages: 10);
        await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 4);

        // Seq 2 was already read; 6 and 7 were not.
        await db.DeleteForEveryoneAsync(scene.ChatId, 2, 6, 7);

        Assert.Equal(4, await ReadState.GetUnreadCountAsync(scene.ChatId, scene.Reader));
        Assert.Equal(4, (await ReadState.GetUnreadTotalsAsync(scene.Reader)).Messages);
        Assert.Equal(3, (await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 6)).UnreadCount);
        Assert.Equal(0, (await ReadState.MarkReadAsync(scene.ChatId, scene.Reader)).UnreadCount);
    }

    [Fact]
    public async Task A_mark_past_the_newest_message_stops_at_it()
    {
        var scene = await db.GroupAsync(members: 1, messages: 3);

        var read = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 100);
        Assert.Equal((3L, 3L, 0L), (read.LastReadSeq, read.LastDeliveredSeq, read.UnreadCount));
        Assert.Equal([3L], (await db.MarksAsync(scene.ChatId, scene.Reader, "read")).Select(m => m.UpToSeq));

        // So the next message is unread, and not pre-delivered either.
        await db.Arrange.MessagesAsync(scene.ChatId, scene.SenderId, 1);
        Assert.Equal(1, await ReadState.GetUnreadCountAsync(scene.ChatId, scene.Reader));
        Assert.Equal(ReceiptState.Sent, (await ReceiptAsync(scene, 4, scene.Reader)).State);
        Assert.Equal(4, (await ReadState.MarkDeliveredAsync(scene.ChatId, scene.Reader, long.MaxValue)).LastDeliveredSeq);
    }

    [Fact]
    public async Task Marking_an_empty_chat_moves_nothing_and_writes_no_mark()
    {
        var scene = await db.GroupAsync(members: 1);

        var mark = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader);

        Assert.Equal(new ReadWatermark(scene.ChatId, scene.Reader, 0, null, 0, null, 0, 0), mark);
        Assert.Empty(await db.MarksAsync(scene.ChatId, scene.Reader, "read"));
        Assert.Empty(await db.MarksAsync(scene.ChatId, scene.Reader, "delivered"));
    }

    [Fact]
    public async Task A_second_mark_to_the_same_seq_writes_no_row_and_keeps_the_time()
    {
        var scene = await db.GroupAsync(members: 1, messages: 5);

        var first = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 3);
        var second = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 3);

        Assert.Equal(first, second);
        Assert.Equal([(3L, first.LastReadAt!.Value)], await db.MarksAsync(scene.ChatId, scene.Reader, "read"));
    }

    [Fact]
    public async Task Marking_a_thousand_messages_read_writes_one_read_mark_not_a_row_per_message()
    {
        var scene = await db.GroupAsync(members: 3, messages: 1000);
        var before = await db.ScalarAsync<long>("SELECT count(*) FROM chat.read_marks");

        var mark = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader);

        Assert.Equal(1000, mark.LastReadSeq);
        Assert.Single(await db.MarksAsync(scene.ChatId, scene.Reader, "read"));
        Assert.Single(await db.MarksAsync(scene.ChatId, scene.Reader, "delivered"));
        Assert.Equal(before + 2, await db.ScalarAsync<long>("SELECT count(*) FROM chat.read_marks"));
    }

    [Fact]
    public async Task Mention_count_is_recounted_after_a_partial_mark_and_zero_after_a_full_one()
    {
        var scene = await db.GroupAsync(members: 2, messages: 10);
        // Seqs 2, 5 and 8 mention the reader, 9 mentions someone else; the send counted three.
        await db.ExecuteAsync(
            """
            UPDATE chat.messages SET mentions = ARRAY[@reader] WHERE chat_id = @ChatId AND seq IN (2, 5, 8);
            UPDATE chat.messages SET mentions = ARRAY[@other] WHERE chat_id = @ChatId AND seq = 9;
            UPDATE chat.chat_members SET unread_mention_count = 3 WHERE chat_id = @ChatId AND user_id = @reader;
            """,
            new { scene.ChatId, reader = scene.Reader, other = scene.Members[1] });

        Assert.Equal(2, (await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 4)).UnreadMentionCount);
        // Delivery does not touch it.
        Assert.Equal(2, (await ReadState.MarkDeliveredAsync(scene.ChatId, scene.Reader)).UnreadMentionCount);
        Assert.Equal(1, (await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 5)).UnreadMentionCount);

        await db.DeleteForEveryoneAsync(scene.ChatId, 8);
        Assert.Equal(0, (await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 6)).UnreadMentionCount);

        await db.ExecuteAsync(
            "UPDATE chat.chat_members SET unread_mention_count = 4 WHERE chat_id = @ChatId AND user_id = @Reader", new { scene.ChatId, scene.Reader });
        var full = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader);
        Assert.Equal((10L, 0L, 0), (full.LastReadSeq, full.UnreadCount, full.UnreadMentionCount));
        Assert.Equal(0, await db.ScalarAsync<int>(
            "SELECT unread_mention_count FROM chat.chat_members WHERE chat_id = @ChatId AND user_id = @Reader", new { scene.ChatId, scene.Reader }));
    }

    [Fact]
    public async Task Totals_add_up_the_users_active_chats_and_leave_out_left_and_deleted_ones()
    {
        var user = await db.Arrange.UserAsync();
        var sender = await db.Arrange.UserAsync();

        async Task<Guid> ChatAsync(int messages, int mentions)
        {
            var chatId = await db.Arrange.GroupAsync(sender.Id, user.Id);
            await db.Arrange.MessagesAsync(chatId, sender.Id, messages);
            await db.ExecuteAsync(
                "UPDATE chat.chat_members SET unread_mention_count = @mentions WHERE chat_id = @chatId AND user_id = @userId",
                new { chatId, userId = user.Id, mentions });
            return chatId;
        }

        Assert.Equal(new UnreadTotals(0, 0, 0), await ReadState.GetUnreadTotalsAsync(user.Id));

        await ChatAsync(messages: 5, mentions: 1);
        var partlyRead = await ChatAsync(messages: 4, mentions: 0);
        await ReadState.MarkReadAsync(partlyRead, user.Id, 2);
        var allRead = await ChatAsync(messages: 3, mentions: 0);
        await ReadState.MarkReadAsync(allRead, user.Id);
        var left = await ChatAsync(messages: 7, mentions: 2);
        await db.LeaveAsync(left, user.Id);
        var deleted = await ChatAsync(messages: 6, mentions: 3);
        await db.ExecuteAsync("UPDATE chat.chats SET deleted_at = now() WHERE id = @deleted", new { deleted });

        Assert.Equal(new UnreadTotals(Messages: 7, Chats: 2, Mentions: 1), await ReadState.GetUnreadTotalsAsync(user.Id));
        Assert.Equal(new UnreadTotals(0, 0, 0), await ReadState.GetUnreadTotalsAsync(sender.Id));
        Assert.Equal(new UnreadTotals(0, 0, 0), await ReadState.GetUnreadTotalsAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Receipts_say_read_by_5_of_12()
    {
        var scene = await db.GroupAsync(members: 12, messages: 4);
        var messageId = await db.MessageIdAsync(scene.ChatId, 3);
        foreach (var reader in scene.Members[..5])
            await ReadState.MarkReadAsync(scene.ChatId, reader);
        foreach (var receiver in scene.Members[5..8])
            await ReadState.MarkDeliveredAsync(scene.ChatId, receiver, 3);
        // Delivered up to 2 only: message 3 is still just sent to them.
        await ReadState.MarkDeliveredAsync(scene.ChatId, scene.Members[8], 2);

        var receipts = await ReadState.GetReceiptsUncheckedAsync(messageId);

        Assert.NotNull(receipts);
        Assert.Equal((messageId, 3L, 8, 5), (receipts.MessageId, receipts.Seq, receipts.DeliveredCount, receipts.ReadCount));
        Assert.Equal(scene.Members, receipts.Recipients.Select(r => r.UserId));
        Assert.Equal(
            [.. Enumerable.Repeat(ReceiptState.Read, 5), .. Enumerable.Repeat(ReceiptState.Delivered, 3), .. Enumerable.Repeat(ReceiptState.Sent, 4)],
            receipts.Recipients.Select(r => r.State));
        var recipients = receipts.Recipients.ToArray();
        Assert.All(recipients[..5], r => Assert.NotNull(r.ReadAt));
        Assert.All(recipients[5..8], r => Assert.Null(r.ReadAt));
        Assert.All(recipients[..8], r => Assert.NotNull(r.DeliveredAt));
        Assert.All(recipients[8..], r => Assert.Equal(new Receipt(r.UserId, ReceiptState.Sent, null, null), r));
    }

    [Fact]
    public async Task Receipt_times_come_from_the_first_mark_that_covered_the_message()
    {
        var scene = await db.GroupAsync(members: 1, messages: 12);

        var first = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 3);
        var delivered = await ReadState.MarkDeliveredAsync(scene.ChatId, scene.Reader, 7);
        var second = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 10);
        Assert.True(first.LastReadAt < delivered.LastDeliveredAt && delivered.LastDeliveredAt < second.LastReadAt);

        Assert.Equal(new Receipt(scene.Reader, ReceiptState.Read, first.LastReadAt, first.LastReadAt), await ReceiptAsync(scene, 2, scene.Reader));
        Assert.Equal(new Receipt(scene.Reader, ReceiptState.Read, first.LastReadAt, first.LastReadAt), await ReceiptAsync(scene, 3, scene.Reader));
        Assert.Equal(new Receipt(scene.Reader, ReceiptState.Read, delivered.LastDeliveredAt, second.LastReadAt), await ReceiptAsync(scene, 5, scene.Reader));
        Assert.Equal(new Receipt(scene.Reader, ReceiptState.Read, second.LastReadAt, second.LastReadAt), await ReceiptAsync(scene, 9, scene.Reader));
        Assert.Equal(new Receipt(scene.Reader, ReceiptState.Sent, null, null), await ReceiptAsync(scene, 11, scene.Reader));
    }

    [Fact]
    public async Task Recipients_are_the_active_members_other_than_the_sender_who_were_there_when_it_was_sent()
    {
        var scene = await db.GroupAsync(members: 3, messages: 1);
        var (stays, leaves, late) = (scene.Members[0], scene.Members[1], scene.Members[2]);
        // Joins after message 1, before message 2.
        await db.ExecuteAsync(
            "UPDATE chat.chat_members SET joined_at = now() WHERE chat_id = @ChatId AND user_id = @late", new { scene.ChatId, late });
        await db.Arrange.MessagesAsync(scene.ChatId, scene.SenderId, 1);
        await db.LeaveAsync(scene.ChatId, leaves);
        await db.Arrange.MessagesAsync(scene.ChatId, stays, 1);

        var first = await ReadState.GetReceiptsUncheckedAsync(await db.MessageIdAsync(scene.ChatId, 1));
        var second = await ReadState.GetReceiptsUncheckedAsync(await db.MessageIdAsync(scene.ChatId, 2));
        var third = await ReadState.GetReceiptsUncheckedAsync(await db.MessageIdAsync(scene.ChatId, 3));

        Assert.Equal([stays], first!.Recipients.Select(r => r.UserId));
        Assert.Equal([stays, late], second!.Recipients.Select(r => r.UserId));
        // Message 3 is from a member: the owner is one of its recipients, its sender is not.
        Assert.Equal([scene.SenderId, late], third!.Recipients.Select(r => r.UserId));
        Assert.Equal((0, 0), (third.DeliveredCount, third.ReadCount));
    }

    [Fact]
    public async Task Receipts_of_an_unknown_message_are_null()
    {
        Assert.Null(await ReadState.GetReceiptsUncheckedAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Deleting_the_chat_cascades_to_its_members_and_read_marks()
    {
        var scene = await db.GroupAsync(members: 2, messages: 5);
        await ReadState.MarkReadAsync(scene.ChatId, scene.Members[0]);
        await ReadState.MarkDeliveredAsync(scene.ChatId, scene.Members[1], 2);
        Assert.Equal(3, await CountAsync("read_marks", scene.ChatId));

        await db.ExecuteAsync("DELETE FROM chat.chats WHERE id = @ChatId", new { scene.ChatId });

        Assert.Equal(0, await CountAsync("read_marks", scene.ChatId));
        Assert.Equal(0, await CountAsync("chat_members", scene.ChatId));
        Assert.Equal(0, await CountAsync("messages", scene.ChatId));
    }

    [Fact]
    public async Task Deleting_a_user_cascades_to_their_membership_and_read_marks_only()
    {
        var scene = await db.GroupAsync(members: 2, messages: 5);
        await ReadState.MarkReadAsync(scene.ChatId, scene.Members[0]);
        await ReadState.MarkReadAsync(scene.ChatId, scene.Members[1]);

        Assert.True(await db.Users.DeleteAsync(scene.Members[0]));

        Assert.Empty(await db.MarksAsync(scene.ChatId, scene.Members[0], "read"));
        Assert.Single(await db.MarksAsync(scene.ChatId, scene.Members[1], "read"));
        Assert.Equal(2, await CountAsync("chat_members", scene.ChatId));
        var receipts = await ReadState.GetReceiptsUncheckedAsync(await db.MessageIdAsync(scene.ChatId, 5));
        Assert.Equal([scene.Members[1]], receipts!.Recipients.Select(r => r.UserId));
    }

    private Task<long> CountAsync(string table, Guid chatId) =>
        db.ScalarAsync<long>($"SELECT count(*) FROM chat.{table} WHERE chat_id = @chatId", new { chatId });

    [Fact]
    public async Task Every_read_state_call_is_one_round_trip()
    {
        var scene = await db.GroupAsync(members: 2, messages: 5);
        var messageId = await db.MessageIdAsync(scene.ChatId, 3);

        foreach (var call in new Func<Task>[]
        {
            () => ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 3),
            () => ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 2),
            () => ReadState.MarkDeliveredAsync(scene.ChatId, scene.Reader),
            () => ReadState.GetUnreadCountAsync(scene.ChatId, scene.Reader),
            () => ReadState.GetUnreadTotalsAsync(scene.Reader),
            () => ReadState.GetReceiptsUncheckedAsync(messageId),
        })
        {
            using var roundTrips = new RoundTripCounter(db.Database.Name);
            await call();
            Assert.Equal(1, roundTrips.Count);
        }
    }

    [Fact]
    public async Task A_non_member_gets_NotAMemberException_and_nothing_is_written()
    {
        var scene = await db.GroupAsync(members: 1, messages: 3);
        var stranger = (await db.Arrange.UserAsync()).Id;

        foreach (var call in new Func<Task>[]
        {
            () => ReadState.MarkReadAsync(scene.ChatId, stranger),
            () => ReadState.MarkDeliveredAsync(scene.ChatId, stranger, 2),
            () => ReadState.GetUnreadCountAsync(scene.ChatId, stranger),
        })
        {
            var error = await Assert.ThrowsAsync<NotAMemberException>(call);
            Assert.Equal((scene.ChatId, stranger), (error.ChatId, error.UserId));
        }

        var nowhere = Guid.CreateVersion7();
        await Assert.ThrowsAsync<NotAMemberException>(() => ReadState.MarkReadAsync(nowhere, scene.Reader));
        await Assert.ThrowsAsync<NotAMemberException>(() => ReadState.GetUnreadCountAsync(nowhere, scene.Reader));
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM chat.read_marks WHERE user_id = @stranger", new { stranger }));
    }

    [Fact]
    public async Task A_member_who_left_gets_NotAMemberException_and_their_marks_stay_where_they_were()
    {
        var scene = await db.GroupAsync(members: 1, messages: 5);
        await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 2);
        await db.LeaveAsync(scene.ChatId, scene.Reader);

        await Assert.ThrowsAsync<NotAMemberException>(() => ReadState.MarkReadAsync(scene.ChatId, scene.Reader));
        await Assert.ThrowsAsync<NotAMemberException>(() => ReadState.MarkDeliveredAsync(scene.ChatId, scene.Reader));
        await Assert.ThrowsAsync<NotAMemberException>(() => ReadState.GetUnreadCountAsync(scene.ChatId, scene.Reader));

        Assert.Equal(2, await db.ScalarAsync<long>(
            "SELECT last_delivered_seq FROM chat.chat_members WHERE chat_id = @ChatId AND user_id = @Reader", new { scene.ChatId, scene.Reader }));
        Assert.Equal([2L], (await db.MarksAsync(scene.ChatId, scene.Reader, "read")).Select(m => m.UpToSeq));
        Assert.Equal(new UnreadTotals(0, 0, 0), await ReadState.GetUnreadTotalsAsync(scene.Reader));
    }
}
