using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Tests.Messages;

/// <summary>
/// A send may be cancelled while it waits for its batch; once its batch runs, it completes with its
/// result. So a send reported as cancelled wrote nothing, a send that returned is stored, and a send
/// whose batch committed is never reported as failed.
/// </summary>
public sealed class MessageSendOutcomeTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    /// <summary>How long a step that takes milliseconds may take before the test fails rather than hang.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_send_cancelled_while_its_batch_runs_completes_and_sends_cancelled_while_waiting_write_nothing()
    {
        var scene = await MessageScene.CreateAsync(db, members: 3);
        using var cancel = new CancellationTokenSource();

        // The chat's row lock, held here, stops the first send inside its running batch.
        await using var holder = await db.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("SELECT 1 FROM chat.chats WHERE id = @ChatId FOR UPDATE", new { scene.ChatId }, hold);
        var running = Send(scene, 0, cancel.Token);
        await WaitForLockWaitAsync();
        // These wait for the chat, which the running batch holds.
        var waiting = Enumerable.Range(1, 10).Select(i => Send(scene, i, cancel.Token)).ToArray();

        await cancel.CancelAsync();
        await hold.RollbackAsync();

        var sent = await running;
        Assert.Equal("send-0", sent.ClientMessageId);
        foreach (var send in waiting)
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
        Assert.Equal(["send-0"], await StoredClientIdsAsync(scene));
        Assert.Equal(1, (await scene.ChatAsync()).LastSeq);
    }

    [Fact]
    public async Task Under_load_every_send_reported_cancelled_is_absent_and_every_returned_send_is_stored()
    {
        const int sends = 400;
        var scene = await MessageScene.CreateAsync(db, members: 7);

        // Tokens cancelled at every stage of a send: before it is queued, while it waits, while its batch runs.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, sends).Select(i => Task.Run(async () =>
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(i % 8));
            try
            {
                return (ClientId: (await Send(scene, i, cancel.Token)).ClientMessageId!, Cancelled: false);
            }
            catch (OperationCanceledException)
            {
                return (ClientId: $"send-{i}", Cancelled: true);
            }
        })));

        var stored = (await StoredClientIdsAsync(scene)).ToHashSet();
        Assert.All(outcomes, o => Assert.True(o.Cancelled != stored.Contains(o.ClientId),
            o.Cancelled ? $"{o.ClientId} was reported cancelled but is stored" : $"{o.ClientId} returned but is not stored"));
        // A cancelled send spent no seq.
        Assert.Equal(stored.Count, (await scene.ChatAsync()).LastSeq);
    }

    [Fact]
    public async Task Sends_of_a_batch_that_committed_but_lost_its_reply_return_their_stored_messages()
    {
        var scene = await MessageScene.CreateAsync(db, members: 3);
        await using var proxy = new LostReplyProxy(db.Database.ConnectionString);
        await using var services = ServicesWithOptions.Build(db, o => o.ConnectionString = proxy.ConnectionString);
        var messages = services.GetRequiredService<IMessageRepository>();

        // Held here, the chat's row lock keeps the first send running, so the next ten wait and go as one batch.
        await using var holder = await db.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("SELECT 1 FROM chat.chats WHERE id = @ChatId FOR UPDATE", new { scene.ChatId }, hold);
        var first = messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.OwnerId, Content = "alone" });
        await WaitForLockWaitAsync();
        // No client ids: run again alone, each would find only its own id taken.
        var batched = Enumerable.Range(1, 10)
            .Select(i => messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.MemberIds[i % 3], Content = $"batched {i}" }))
            .ToArray();
        proxy.DropNextReply(tag => tag == "SELECT 10");
        await hold.RollbackAsync();

        var sends = Task.WhenAll(batched.Prepend(first));
        Assert.True(await Task.WhenAny(sends, Task.Delay(Bound)) == sends,
            $"The sends through the proxy did not complete within {Bound.TotalSeconds:0} s ({proxy.Dropped} replies dropped).");
        var sent = await sends;

        Assert.Equal(1, proxy.Dropped);
        Assert.Equal(["alone", .. Enumerable.Range(1, 10).Select(i => $"batched {i}")], sent.Select(m => m.Content));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), sent.Select(m => m.Seq).Order());
        foreach (var message in sent)
            MessageAssert.Same(message, await db.Messages.FindByIdUncheckedAsync(message.Id));
        Assert.Equal(11, await scene.CountMessagesAsync());
    }

    private Task<Message> Send(MessageScene scene, int i, CancellationToken cancellationToken)
    {
        var senders = scene.MemberIds.Prepend(scene.OwnerId).ToArray();
        return db.Messages.SendAsync(
            new NewMessage { ChatId = scene.ChatId, SenderId = senders[i % senders.Length], Content = $"message {i}", ClientMessageId = $"send-{i}" },
            cancellationToken);
    }

    private async Task<string[]> StoredClientIdsAsync(MessageScene scene)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<string>(
            "SELECT client_msg_id FROM chat.messages WHERE chat_id = @ChatId ORDER BY seq", new { scene.ChatId })).ToArray();
    }

    /// <summary>Until a session of this test's database waits for a row lock; fails instead of waiting past <see cref="Bound"/>.</summary>
    private async Task WaitForLockWaitAsync()
    {
        using var deadline = new CancellationTokenSource(Bound);
        await using var connection = await db.OpenAsync();
        while (!await connection.ExecuteScalarAsync<bool>(
                   "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock')"))
        {
            Assert.False(deadline.IsCancellationRequested,
                $"No session waited for the chat's row lock within {Bound.TotalSeconds:0} s: the first send never reached its batch.");
            await Task.Delay(10);
        }
    }
}
