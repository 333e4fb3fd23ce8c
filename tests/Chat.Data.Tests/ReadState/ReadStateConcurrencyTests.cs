using Chat.Data.Messages;
using Chat.Data.ReadState;
using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.ReadState;

/// <summary>Concurrent marks with mixed seqs, each call on its own pooled connection: watermarks only move forward.</summary>
public sealed class ReadStateConcurrencyTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private const int Calls = 20;

    private IReadStateRepository ReadState => db.ReadState;

    /// <summary>Seqs 1..20 in a random order.</summary>
    private static long[] Shuffle(int seed)
    {
        var seqs = Enumerable.Range(1, Calls).Select(i => (long)i).ToArray();
        new Random(seed).Shuffle(seqs);
        return seqs;
    }

    /// <summary>The marks written, in the order they were written, moved strictly forward.</summary>
    private async Task AssertMarksMovedForwardAsync(Guid chatId, Guid userId, string kind, long last)
    {
        var marks = await db.MarksAsync(chatId, userId, kind);
        Assert.NotEmpty(marks);
        Assert.Equal(last, marks[^1].UpToSeq);
        Assert.Equal(marks.Select(m => m.UpToSeq).Order(), marks.Select(m => m.UpToSeq));
        Assert.Equal(marks.Length, marks.Select(m => m.UpToSeq).Distinct().Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Parallel_mark_reads_with_mixed_seqs_end_at_the_highest(int seed)
    {
        var scene = await db.GroupAsync(members: 1, messages: 30);
        var seqs = Shuffle(seed);

        var marks = await Task.WhenAll(seqs.Select(seq => Task.Run(() => ReadState.MarkReadAsync(scene.ChatId, scene.Reader, seq))));

        // Each call saw the mark at least where it put it, and never delivery behind reading.
        Assert.All(seqs.Zip(marks), p => Assert.True(p.Second.LastReadSeq >= p.First));
        Assert.All(marks, m => Assert.True(m.LastDeliveredSeq >= m.LastReadSeq));
        var final = await ReadState.MarkReadAsync(scene.ChatId, scene.Reader, 1);
        Assert.Equal((20L, 20L, 10L), (final.LastReadSeq, final.LastDeliveredSeq, final.UnreadCount));
        await AssertMarksMovedForwardAsync(scene.ChatId, scene.Reader, "read", 20);
        await AssertMarksMovedForwardAsync(scene.ChatId, scene.Reader, "delivered", 20);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Parallel_mark_delivered_with_mixed_seqs_end_at_the_highest(int seed)
    {
        var scene = await db.GroupAsync(members: 1, messages: 30);
        var seqs = Shuffle(seed);

        var marks = await Task.WhenAll(seqs.Select(seq => Task.Run(() => ReadState.MarkDeliveredAsync(scene.ChatId, scene.Reader, seq))));

        Assert.All(seqs.Zip(marks), p => Assert.True(p.Second.LastDeliveredSeq >= p.First));
        Assert.All(marks, m => Assert.Equal(0, m.LastReadSeq));
        var final = await ReadState.MarkDeliveredAsync(scene.ChatId, scene.Reader, 1);
        Assert.Equal((20L, 0L), (final.LastDeliveredSeq, final.LastReadSeq));
        await AssertMarksMovedForwardAsync(scene.ChatId, scene.Reader, "delivered", 20);
        Assert.Empty(await db.MarksAsync(scene.ChatId, scene.Reader, "read"));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    public async Task Parallel_reads_and_deliveries_never_leave_delivery_behind_reading(int seed)
    {
        var scene = await db.GroupAsync(members: 1, messages: 30);
        var random = new Random(seed);
        // Half read, half deliver, interleaved at random; deliveries reach higher than reads.
        var calls = Enumerable.Range(0, 2 * Calls)
            .Select(i => (Read: i % 2 == 0, Seq: (long)random.Next(1, i % 2 == 0 ? 21 : 26)))
            .ToArray();
        random.Shuffle(calls);

        var marks = await Task.WhenAll(calls.Select(call => Task.Run(() => call.Read
            ? ReadState.MarkReadAsync(scene.ChatId, scene.Reader, call.Seq)
            : ReadState.MarkDeliveredAsync(scene.ChatId, scene.Reader, call.Seq))));

        Assert.All(marks, m => Assert.True(m.LastDeliveredSeq >= m.LastReadSeq));
        var final = await ReadState.MarkDeliveredAsync(scene.ChatId, scene.Reader, 1);
        Assert.Equal(calls.Where(c => c.Read).Max(c => c.Seq), final.LastReadSeq);
        Assert.Equal(calls.Max(c => c.Seq), final.LastDeliveredSeq);
        await AssertMarksMovedForwardAsync(scene.ChatId, scene.Reader, "read", final.LastReadSeq);
        await AssertMarksMovedForwardAsync(scene.ChatId, scene.Reader, "delivered", final.LastDeliveredSeq);
    }

    [Fact]
    public async Task Parallel_marks_by_many_members_each_keep_their_own_watermark()
    {
        var scene = await db.GroupAsync(members: 10, messages: 30);

        await Task.WhenAll(scene.Members.SelectMany((member, i) => Shuffle(100 + i)
            .Select(seq => Task.Run(() => ReadState.MarkReadAsync(scene.ChatId, member, seq + i)))));

        var receipts = await ReadState.GetReceiptsUncheckedAsync(await db.MessageIdAsync(scene.ChatId, 25));
        Assert.NotNull(receipts);
        // Member i read up to 20 + i: those with i >= 5 read message 25.
        Assert.Equal(5, receipts.ReadCount);
        for (var i = 0; i < scene.Members.Length; i++)
            Assert.Equal(20 + i, (await ReadState.MarkReadAsync(scene.ChatId, scene.Members[i], 1)).LastReadSeq);
    }

    [Fact]
    public async Task A_mark_racing_a_send_that_mentions_the_reader_leaves_the_mention_count_true()
    {
        var scene = await db.GroupAsync(members: 1, messages: 3);

        // The reader's row lock, held here: the send waits for it with the chat locked and its message
        // inserted, then the mark starts (its snapshot without that message) and queues behind the send.
        await using var holder = await db.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync(
            "SELECT 1 FROM chat.chat_members WHERE chat_id = @ChatId AND user_id = @Reader FOR UPDATE", new { scene.ChatId, scene.Reader }, hold);
        var send = db.Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.SenderId, Content = "@reader", Mentions = [scene.Reader] });
        await WaitForLockWaitsAsync(1);
        var mark = ReadState.MarkReadAsync(scene.ChatId, scene.Reader);
        await WaitForLockWaitsAsync(2);
        await hold.RollbackAsync();
        await send;
        var marks = await mark;

        var unreadMentions = await db.ScalarAsync<long>(
            """
            SELECT count(*) FROM chat.messages
            WHERE chat_id = @ChatId AND seq > @LastReadSeq AND mentions @> ARRAY[@Reader] AND deleted_at IS NULL
            """,
            new { scene.ChatId, marks.LastReadSeq, scene.Reader });
        Assert.Equal(unreadMentions, marks.UnreadMentionCount);
        Assert.Equal(unreadMentions, await db.ScalarAsync<int>(
            "SELECT unread_mention_count FROM chat.chat_members WHERE chat_id = @ChatId AND user_id = @Reader", new { scene.ChatId, scene.Reader }));
    }

    /// <summary>Until <paramref name="count"/> sessions of this test's database wait for a lock.</summary>
    private async Task WaitForLockWaitsAsync(int count)
    {
        await using var connection = await db.OpenAsync();
        while (await connection.ExecuteScalarAsync<int>(
                   "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") < count)
            await Task.Delay(10);
    }
}
