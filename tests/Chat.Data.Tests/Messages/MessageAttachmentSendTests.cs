using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.Messages;

/// <summary>A message sent with its attachments in one call: stored together or not at all, within the attachment limits.</summary>
public sealed class MessageAttachmentSendTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_message_sent_with_attachments_is_stored_with_them_in_their_order()
    {
        var scene = await MessageScene.CreateAsync(db);
        NewAttachment[] files = [Files.Image("a.jpg"), Files.Of(AttachmentKind.Image, "image/png") with { StorageKey = "b.png" }];

        var message = await db.Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Type = MessageType.Image, Attachments = files });

        Assert.Null(message.Content);
        Assert.Equal(1, message.Seq);
        var stored = await db.Attachments.ListUncheckedAsync(message.Id);
        Assert.Equal(["a.jpg", "b.png"], stored.Select(a => a.StorageKey));
        Assert.Equal([0, 1], stored.Select(a => a.SortOrder));
        Assert.All(stored, a => Assert.Equal((message.Id, scene.ChatId), (a.MessageId, a.ChatId)));
        var page = await db.Messages.GetHistoryAsync(scene.ChatId, scene.OwnerId, HistoryAnchor.Latest);
        Assert.Equal(["a.jpg", "b.png"], page.Attachments[message.Id].Select(a => a.StorageKey));
    }

    [Fact]
    public async Task A_refused_send_stores_none_of_its_attachments()
    {
        var scene = await MessageScene.CreateAsync(db);
        var stranger = await scene.StrangerAsync();

        await Assert.ThrowsAsync<NotAMemberException>(() => db.Messages.SendAsync(
            new NewMessage { ChatId = scene.ChatId, SenderId = stranger, Type = MessageType.File, Attachments = [Files.Image()] }));

        Assert.Equal(0, await scene.CountMessagesAsync());
        Assert.Equal(0, await CountAttachmentsAsync(scene));
        Assert.Equal(0, (await scene.ChatAsync()).LastSeq);
    }

    [Fact]
    public async Task More_attachments_than_the_limit_are_refused_and_nothing_is_written()
    {
        var scene = await MessageScene.CreateAsync(db);

        await Assert.ThrowsAsync<AttachmentLimitException>(() => db.Messages.SendAsync(new NewMessage
        {
            ChatId = scene.ChatId, SenderId = scene.Member, Type = MessageType.Image,
            Attachments = Enumerable.Range(0, 6).Select(_ => Files.Image()).ToArray(),
        }));

        Assert.Equal(0, await scene.CountMessagesAsync());
        Assert.Equal(0, await CountAttachmentsAsync(scene));
    }

    [Fact]
    public async Task A_retry_with_the_same_client_id_returns_the_first_message_and_adds_no_attachments()
    {
        var scene = await MessageScene.CreateAsync(db);
        var send = new NewMessage
        {
            ChatId = scene.ChatId, SenderId = scene.Member, Type = MessageType.Image, ClientMessageId = "photo-1", Attachments = [Files.Image()],
        };

        var first = await db.Messages.SendAsync(send);
        var retry = await db.Messages.SendAsync(send with { Attachments = [Files.Image(), Files.Image()] });

        Assert.Equal(first.Id, retry.Id);
        Assert.Equal(1, await scene.CountMessagesAsync());
        Assert.Equal(1, await CountAttachmentsAsync(scene));
    }

    private async Task<long> CountAttachmentsAsync(MessageScene scene)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM chat.message_attachments WHERE chat_id = @ChatId", new { scene.ChatId });
    }
}
