using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.Messages;

/// <summary>Real parallel calls, each on its own pooled connection, against one chat.</summary>
public sealed class MessageConcurrencyTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IMessageRepository Messages => db.Messages;

    [Fact]
    public async Task Sixteen_parallel_senders_of_500_messages_get_seqs_1_to_8000_with_no_gap_duplicate_or_deadlock()
    {
        const int senders = 16, perSender = 500, total = senders * perSender;
        var scene = await MessageScene.CreateAsync(db, members: senders - 1);
        var senderIds = scene.MemberIds.Prepend(scene.OwnerId).ToArray();

        var sent = await Task.WhenAll(senderIds.Select(async senderId =>
        {
            var mine = new List<Message>(perSender);
            for (var i = 0; i < perSender; i++)
                mine.Add(await scene.SendAsync(senderId, $"from {senderId:N} #{i}", clientMessageId: $"c{i}"));
            return mine;
        }));

        var seqs = sent.SelectMany(m => m).Select(m => m.Seq).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), seqs);
        Assert.All(sent, mine => Assert.True(mine.Zip(mine.Skip(1)).All(p => p.First.Seq < p.Second.Seq), "one sender's messages keep their order"));

        await using var connection = await db.OpenAsync();
        var stored = (await connection.QueryAsync<long>("SELECT seq FROM chat.messages WHERE chat_id = @ChatId ORDER BY seq", new { scene.ChatId })).ToArray();
        Assert.Equal(seqs, stored);
        var chat = await scene.ChatAsync();
        Assert.Equal(total, chat.LastSeq);
        Assert.Equal(total, chat.MessageCount);
        var newest = sent.SelectMany(m => m).Single(m => m.Seq == total);
        Assert.Equal(newest.Id, chat.LastMessageId);
        Assert.Equal(newest.CreatedAt, chat.LastMessageAt);
        foreach (var mine in sent)
            Assert.Equal(mine[^1].Seq, (await scene.MemberAsync(mine[0].SenderId!.Value)).LastReadSeq);
    }

    [Fact]
    public async Task Ten_concurrent_sends_with_the_same_client_message_id_store_one_message_and_all_return_it()
    {
        var scene = await MessageScene.CreateAsync(db);
        // Several rounds, so the race (both pass the check, one loses on the unique key) is met for sure.
        for (var round = 1; round <= 5; round++)
        {
            var lastSeq = (await scene.ChatAsync()).LastSeq;
            var clientId = $"dup-{round}";

            var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => scene.SendAsync(scene.Member, "only once", clientId))));

            Assert.Single(results.Select(m => m.Id).Distinct());
            Assert.All(results, m => MessageAssert.Same(results[0], m));
            var chat = await scene.ChatAsync();
            Assert.Equal(lastSeq + 1, chat.LastSeq);
            Assert.Equal(lastSeq + 1, chat.MessageCount);
            Assert.Equal(lastSeq + 1, results[0].Seq);
            await using var connection = await db.OpenAsync();
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM chat.messages WHERE chat_id = @ChatId AND client_msg_id = @clientId", new { scene.ChatId, clientId }));
        }
    }

    [Fact]
    public async Task Concurrent_thread_replies_count_every_reply()
    {
        var scene = await MessageScene.CreateAsync(db, members: 4);
        var root = await scene.SendAsync(scene.OwnerId, "root");

        await Task.WhenAll(scene.MemberIds.SelectMany(member => Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = member, Content = $"reply {i}", ThreadRootId = root.Id })))));

        Assert.Equal(40, (await Messages.FindByIdUncheckedAsync(root.Id))!.ReplyCount);
    }

    [Fact]
    public async Task Concurrent_edits_keep_every_version_numbered_1_to_n()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member, "v0");

        await Task.WhenAll(Enumerable.Range(1, 10).Select(i => Task.Run(() => Messages.EditAsync(message.Id, scene.Member, $"v{i}"))));

        var edits = await Messages.ListEditsUncheckedAsync(message.Id);
        Assert.Equal(Enumerable.Range(1, 10), edits.Select(e => e.Version));
        Assert.Equal("v0", edits[0].Content);
        var final = (await Messages.FindByIdUncheckedAsync(message.Id))!.Content;
        // Each edit saved the content it replaced: the versions and the final text are every text once.
        Assert.Equal(Enumerable.Range(0, 11).Select(i => $"v{i}").Order(), edits.Select(e => e.Content!).Append(final!).Order());
    }

    [Fact]
    public async Task Concurrent_deletes_for_everyone_count_the_message_out_once()
    {
        var scene = await MessageScene.CreateAsync(db);
        await scene.SendAsync(scene.Member, "keep");
        var message = await scene.SendAsync(scene.Member, "oops");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => Messages.DeleteForEveryoneAsync(message.Id, i % 2 == 0 ? scene.Member : scene.OwnerId))));

        Assert.All(results, r => Assert.NotNull(r!.Message.DeletedAt));
        Assert.Equal(1, (await scene.ChatAsync()).MessageCount);
    }
}
