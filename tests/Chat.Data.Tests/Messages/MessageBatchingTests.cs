using Chat.Data.Internal;
using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Tests.Messages;

/// <summary>
/// Concurrent sends to one chat go in batches, one round trip and one commit each: every caller
/// still gets its own message or its own error, and nothing is lost, doubled or out of seq.
/// </summary>
public sealed class MessageBatchingTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Concurrent_sends_to_one_chat_share_round_trips_and_each_caller_gets_its_own_message()
    {
        const int senders = 32, perSender = 20, total = senders * perSender;
        var scene = await MessageScene.CreateAsync(db, members: senders - 1);
        var senderIds = scene.MemberIds.Prepend(scene.OwnerId).ToArray();

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var sent = await Task.WhenAll(senderIds.Select(senderId => Task.Run(async () =>
        {
            var mine = new List<(string Content, Message Message)>(perSender);
            for (var i = 0; i < perSender; i++)
            {
                var content = $"{senderId:N} #{i}";
                mine.Add((content, await scene.SendAsync(senderId, content, clientMessageId: $"c{i}")));
            }
            return mine;
        })));

        Assert.True(roundTrips.Count < total, $"{total} sends took {roundTrips.Count} round trips: none were batched.");
        Assert.All(sent.SelectMany(m => m), s =>
        {
            Assert.Equal(s.Content, s.Message.Content);
            Assert.Equal(s.Content[..32], s.Message.SenderId!.Value.ToString("N"));
        });
        var seqs = sent.SelectMany(m => m).Select(s => s.Message.Seq).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), seqs);
        Assert.All(sent, mine => Assert.True(mine.Zip(mine.Skip(1)).All(p => p.First.Message.Seq < p.Second.Message.Seq), "one sender's messages keep their order"));
        Assert.Equal(total, await scene.CountMessagesAsync());
        Assert.Equal(total, (await scene.ChatAsync()).LastSeq);
    }

    [Fact]
    public async Task A_refused_send_among_concurrent_ones_fails_alone_and_spends_no_seq()
    {
        var scene = await MessageScene.CreateAsync(db, members: 7);
        var stranger = await scene.StrangerAsync();
        var senders = scene.MemberIds.Append(stranger).ToArray();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).SelectMany(round => senders.Select(senderId => Task.Run(async () =>
        {
            try
            {
                return (senderId, (Exception?)null, (Message?)await scene.SendAsync(senderId, $"round {round}"));
            }
            catch (Exception e)
            {
                return (senderId, e, null);
            }
        }))));

        Assert.All(outcomes.Where(o => o.senderId == stranger), o => Assert.IsType<NotAMemberException>(o.Item2));
        var stored = outcomes.Where(o => o.senderId != stranger).ToArray();
        Assert.All(stored, o => Assert.Null(o.Item2));
        Assert.Equal(Enumerable.Range(1, stored.Length).Select(i => (long)i), stored.Select(o => o.Item3!.Seq).Order());
        Assert.Equal(stored.Length, await scene.CountMessagesAsync());
    }

    [Fact]
    public async Task Two_hosts_sending_the_same_client_ids_at_once_store_each_message_once()
    {
        const int messages = 100;
        var scene = await MessageScene.CreateAsync(db, members: 3);
        await using var otherHost = OtherHost();
        var hosts = new[] { db.Messages, otherHost.GetRequiredService<IMessageRepository>() };

        // Both hosts send every (sender, client id) pair, each from several tasks, so the pairs race
        // within a batch, between batches of one host, and between the hosts (on the unique key).
        var results = await Task.WhenAll(hosts.SelectMany(host => scene.MemberIds.Select(senderId => Task.Run(async () =>
        {
            var mine = new List<Message>(messages);
            for (var i = 0; i < messages; i++)
                mine.Add(await host.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = senderId, Content = $"m{i}", ClientMessageId = $"c{i}" }));
            return mine;
        }))));

        var byPair = results.SelectMany(r => r).GroupBy(m => (m.SenderId, m.ClientMessageId)).ToArray();
        Assert.Equal(scene.MemberIds.Length * messages, byPair.Length);
        Assert.All(byPair, pair => Assert.Single(pair.Select(m => m.Id).Distinct()));
        var expected = scene.MemberIds.Length * messages;
        Assert.Equal(expected, await scene.CountMessagesAsync());
        await using var connection = await db.OpenAsync();
        var seqs = await connection.QueryAsync<long>("SELECT seq FROM chat.messages WHERE chat_id = @ChatId ORDER BY seq", new { scene.ChatId });
        Assert.Equal(Enumerable.Range(1, expected).Select(i => (long)i), seqs);
    }

    [Fact]
    public async Task Batched_sends_count_every_reply_and_mention_and_move_each_senders_marks_to_its_last_message()
    {
        const int perSender = 20;
        var scene = await MessageScene.CreateAsync(db, members: 16);
        var root = await scene.SendAsync(scene.OwnerId, "root");
        // A sender too: its marks and its mention count change in the same batches.
        var mentioned = scene.Member;

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var sent = await Task.WhenAll(scene.MemberIds.Select(senderId => Task.Run(async () =>
        {
            var mine = new List<Message>(perSender);
            for (var i = 0; i < perSender; i++)
                mine.Add(await db.Messages.SendAsync(new NewMessage
                {
                    ChatId = scene.ChatId, SenderId = senderId, Content = $"reply {i}", ThreadRootId = root.Id,
                    Mentions = i % 2 == 0 ? [mentioned, senderId] : [],
                }));
            return mine;
        })));

        var total = scene.MemberIds.Length * perSender;
        Assert.True(roundTrips.Count < total, $"{total} sends took {roundTrips.Count} round trips: none were batched.");
        Assert.Equal(total, (await db.Messages.FindByIdUncheckedAsync(root.Id))!.ReplyCount);
        // Every other message mentions that member and its own sender, who is not counted.
        var mentionsByOthers = (scene.MemberIds.Length - 1) * perSender / 2;
        foreach (var (senderId, mine) in scene.MemberIds.Zip(sent))
            Assert.Equal(new MemberRow(mine[^1].Seq, mine[^1].Seq, senderId == mentioned ? mentionsByOthers : 0), await scene.MemberAsync(senderId));
        var last = sent.SelectMany(m => m).MaxBy(m => m.Seq)!;
        var chat = await scene.ChatAsync();
        Assert.Equal((total + 1L, total + 1L, last.Id), (chat.LastSeq, chat.MessageCount, chat.LastMessageId));
    }

    [Fact]
    public async Task A_send_cancelled_before_it_runs_stores_nothing()
    {
        var scene = await MessageScene.CreateAsync(db);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            db.Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Content = "never" }, cancelled.Token));

        Assert.Equal(0, await scene.CountMessagesAsync());
        Assert.Equal(1, (await scene.SendAsync(scene.Member)).Seq);
    }

    [Fact]
    public async Task Sends_are_planned_once_whatever_their_batch()
    {
        var scene = await MessageScene.CreateAsync(db, members: 8);
        // One pooled connection, so the prepared statement read below is the one the sends ran on.
        await using var services = ServicesWithOptions.Build(db, o => o.ConnectionString += ";Maximum Pool Size=1");
        var messages = services.GetRequiredService<IMessageRepository>();

        for (var round = 0; round < 5; round++)
            await Task.WhenAll(scene.MemberIds.Select(senderId =>
                messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = senderId, Content = $"round {round}" })));

        await using var same = await services.GetRequiredService<ChatDatabase>().DataSource.OpenConnectionAsync();
        var plans = await same.QuerySingleAsync<(long Generic, long Custom)>(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%WITH ORDINALITY%'");
        Assert.Equal(0, plans.Custom);
        Assert.True(plans.Generic >= 5, $"{plans.Generic} runs of the generic plan");
        Assert.Equal("auto", await same.ExecuteScalarAsync<string>("SELECT current_setting('plan_cache_mode')"));
    }

    /// <summary>A second host on the same database: its own data source, and so its own batches.</summary>
    private ServiceProvider OtherHost()
    {
        var services = new ServiceCollection();
        services.AddChatData(o => o.ConnectionString = db.Database.ConnectionString);
        return services.BuildServiceProvider();
    }
}
