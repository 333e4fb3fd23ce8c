using Chat.Data.Messages;
using Chat.Data.Tests.Messages;
using Chat.Data.Tests.Infrastructure;

namespace Chat.Data.Tests.Access;

/// <summary>
/// Every read of a chat's content that takes a viewer follows history's rule: an active member sees
/// it; a stranger, a former member, or a member who cleared or hid the message gets what a missing
/// id gets (null or nothing), so no read tells them what exists. Cross-cutting: one rule over the
/// reads of every area (messages, reactions, attachments, receipts, members, chats, documents), so it
/// is checked here in one table rather than once per area.
/// </summary>
public sealed class ViewerReadTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    /// <summary>A group with a message carrying an edit, a reaction, an attachment and receipts.</summary>
    public sealed record Target(DatabaseFixture Db, Guid ChatId, Guid MessageId, Guid AttachmentId);

    // Each read, answering whether the viewer got the chat's data.
    public static TheoryData<string, Func<Target, Guid, Task<bool>>> Reads => new()
    {
        { "message", async (t, viewer) => await t.Db.Messages.FindByIdAsync(t.MessageId, viewer) is not null },
        { "edits", async (t, viewer) => (await t.Db.Messages.ListEditsAsync(t.MessageId, viewer)).Count > 0 },
        { "reactions", async (t, viewer) => (await t.Db.Reactions.ListAsync(t.MessageId, viewer)).Items.Count > 0 },
        { "attachments", async (t, viewer) => (await t.Db.Attachments.ListAsync(t.MessageId, viewer)).Count > 0 },
        { "attachment", async (t, viewer) => await t.Db.Attachments.FindByIdAsync(t.AttachmentId, viewer) is not null },
        { "attachments of messages", async (t, viewer) => (await t.Db.Attachments.ListForMessagesAsync([t.MessageId], viewer)).Contains(t.MessageId) },
        { "receipts", async (t, viewer) => await t.Db.ReadState.GetReceiptsAsync(t.MessageId, viewer) is not null },
        { "members", async (t, viewer) => (await t.Db.Members.ListActiveAsync(t.ChatId, viewer)).Items.Count > 0 },
        { "chat", async (t, viewer) => await t.Db.Chats.FindByIdAsync(t.ChatId, viewer) is not null },
    };

    public static TheoryData<string, Func<Target, Guid, Task<bool>>> MessageReads => new()
    {
        { "message", async (t, viewer) => await t.Db.Messages.FindByIdAsync(t.MessageId, viewer) is not null },
        { "edits", async (t, viewer) => (await t.Db.Messages.ListEditsAsync(t.MessageId, viewer)).Count > 0 },
        { "reactions", async (t, viewer) => (await t.Db.Reactions.ListAsync(t.MessageId, viewer)).Items.Count > 0 },
        { "attachments", async (t, viewer) => (await t.Db.Attachments.ListAsync(t.MessageId, viewer)).Count > 0 },
        { "attachment", async (t, viewer) => await t.Db.Attachments.FindByIdAsync(t.AttachmentId, viewer) is not null },
        { "attachments of messages", async (t, viewer) => (await t.Db.Attachments.ListForMessagesAsync([t.MessageId], viewer)).Contains(t.MessageId) },
        { "receipts", async (t, viewer) => await t.Db.ReadState.GetReceiptsAsync(t.MessageId, viewer) is not null },
    };

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task A_member_sees_the_data_and_a_stranger_or_former_member_gets_nothing(string read, Func<Target, Guid, Task<bool>> sees)
    {
        var owner = await db.Arrange.UserAsync("Owner");
        var (member, former, stranger) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var target = await ArrangeAsync(owner.Id, member.Id, former.Id);
        await db.Members.LeaveAsync(target.ChatId, former.Id);

        Assert.True(await sees(target, member.Id), $"{read}: the member sees nothing");
        Assert.False(await sees(target, stranger.Id), $"{read}: a stranger sees the chat's data");
        Assert.False(await sees(target, former.Id), $"{read}: a former member sees the chat's data");
    }

    [Theory]
    [MemberData(nameof(MessageReads))]
    public async Task A_member_who_hid_or_cleared_the_message_gets_nothing_of_it(string read, Func<Target, Guid, Task<bool>> sees)
    {
        var owner = await db.Arrange.UserAsync("Owner");
        var (hider, clearer) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var target = await ArrangeAsync(owner.Id, hider.Id, clearer.Id);

        await db.Messages.HideForMeAsync(target.MessageId, hider.Id);
        await db.Members.ClearHistoryAsync(target.ChatId, clearer.Id);

        Assert.True(await sees(target, owner.Id), $"{read}: the owner sees nothing");
        Assert.False(await sees(target, hider.Id), $"{read}: a member who hid the message sees it");
        Assert.False(await sees(target, clearer.Id), $"{read}: a member who cleared the chat sees the message");
    }

    private async Task<Target> ArrangeAsync(Guid ownerId, params Guid[] memberIds)
    {
        var chatId = await db.Arrange.GroupAsync(ownerId, memberIds);
        var message = await db.Messages.SendAsync(new NewMessage
        {
            ChatId = chatId, SenderId = ownerId, Type = MessageType.Image, Content = "first", Attachments = [Files.Image()],
        });
        await db.Messages.EditAsync(message.Id, ownerId, "edited");
        await db.Reactions.AddAsync(message.Id, ownerId, "👍");
        var attachment = Assert.Single(await db.Attachments.ListUncheckedAsync(message.Id));
        return new Target(db, chatId, message.Id, attachment.Id);
    }
}
