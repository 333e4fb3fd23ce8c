using Chat.Data.Chats;
using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Tests.Social;

/// <summary>
/// What a block stops: the blocked user sending in the direct chat with the blocker, creating that
/// chat, and sending the blocker a contact or message request. Nothing else.
/// </summary>
public sealed class BlockEnforcementTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private Task<Message> SendAsync(Guid chatId, Guid senderId, string content = "hi") =>
        db.Messages.SendAsync(new NewMessage { ChatId = chatId, SenderId = senderId, Content = content });

    private Task<long> DirectChatsOfAsync(Guid a) =>
        db.ScalarAsync<long>("SELECT count(*) FROM chat.chats WHERE type = 'direct' AND direct_key LIKE '%' || @a || '%'", new { a = a.ToString() });

    [Fact]
    public async Task The_blocked_user_cannot_create_the_direct_chat_and_nothing_is_written()
    {
        var (blocker, blocked) = await db.PairAsync();
        await db.Blocks.BlockAsync(blocker, blocked);

        var error = await Assert.ThrowsAsync<BlockedException>(() => db.Chats.GetOrCreateDirectAsync(blocked, blocker));

        Assert.Equal(blocked, error.UserId);
        Assert.Equal(blocker, error.BlockedBy);
        Assert.Equal(0L, await DirectChatsOfAsync(blocker));
        Assert.Null(await db.Chats.FindDirectAsync(blocker, blocked));
    }

    [Fact]
    public async Task The_blocker_can_still_create_the_direct_chat()
    {
        var (blocker, blocked) = await db.PairAsync();
        await db.Blocks.BlockAsync(blocker, blocked);

        var chat = await db.Chats.GetOrCreateDirectAsync(blocker, blocked);

        Assert.Equal(2, chat.MemberCount);
    }

    [Fact]
    public async Task The_blocked_user_gets_an_existing_direct_chat_but_cannot_send_in_it_and_nothing_changes()
    {
        var (blocker, blocked) = await db.PairAsync();
        var chat = await db.Chats.GetOrCreateDirectAsync(blocked, blocker);
        await SendAsync(chat.Id, blocked, "before the block");
        await db.Blocks.BlockAsync(blocker, blocked);
        var before = await db.Chats.FindByIdUncheckedAsync(chat.Id);

        Assert.Equal(chat.Id, (await db.Chats.GetOrCreateDirectAsync(blocked, blocker)).Id);
        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var error = await Assert.ThrowsAsync<BlockedException>(() => SendAsync(chat.Id, blocked, "after the block"));

        Assert.Equal(1, roundTrips.Count);
        Assert.Equal(blocker, error.BlockedBy);
        Assert.Equal(before, await db.Chats.FindByIdUncheckedAsync(chat.Id));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.messages WHERE chat_id = @Id", new { chat.Id }));
    }

    [Fact]
    public async Task The_blocker_can_still_send_in_the_direct_chat()
    {
        var (blocker, blocked) = await db.PairAsync();
        var chat = await db.Chats.GetOrCreateDirectAsync(blocker, blocked);
        await db.Blocks.BlockAsync(blocker, blocked);

        var sent = await SendAsync(chat.Id, blocker);

        Assert.Equal(1, sent.Seq);
    }

    [Fact]
    public async Task A_retried_send_from_before_the_block_still_returns_the_first_message()
    {
        var (blocker, blocked) = await db.PairAsync();
        var chat = await db.Chats.GetOrCreateDirectAsync(blocker, blocked);
        var first = await db.Messages.SendAsync(new NewMessage { ChatId = chat.Id, SenderId = blocked, Content = "once", ClientMessageId = "c-1" });
        await db.Blocks.BlockAsync(blocker, blocked);

        var retried = await db.Messages.SendAsync(new NewMessage { ChatId = chat.Id, SenderId = blocked, Content = "once", ClientMessageId = "c-1" });

        Assert.Equal(first.Id, retried.Id);
    }

    [Fact]
    public async Task After_an_unblock_the_user_can_send_again()
    {
        var (blocker, blocked) = await db.PairAsync();
        var chat = await db.Chats.GetOrCreateDirectAsync(blocker, blocked);
        await db.Blocks.BlockAsync(blocker, blocked);
        await Assert.ThrowsAsync<BlockedException>(() => SendAsync(chat.Id, blocked));

        await db.Blocks.UnblockAsync(blocker, blocked);

        Assert.Equal(1, (await SendAsync(chat.Id, blocked)).Seq);
    }

    [Fact]
    public async Task A_block_does_not_stop_sending_in_a_group_both_are_in()
    {
        var (blocker, blocked) = await db.PairAsync();
        var group = await db.Arrange.GroupAsync(blocker, blocked);
        await db.Blocks.BlockAsync(blocker, blocked);

        Assert.Equal(1, (await SendAsync(group, blocked)).Seq);
    }

    [Fact]
    public async Task A_block_of_a_third_user_does_not_stop_a_direct_chat()
    {
        var (a, b) = await db.PairAsync();
        var c = (await db.Arrange.UserAsync()).Id;
        await db.Blocks.BlockAsync(c, a);

        var chat = await db.Chats.GetOrCreateDirectAsync(a, b);

        Assert.Equal(1, (await SendAsync(chat.Id, a)).Seq);
    }

    [Fact]
    public async Task The_blocked_user_cannot_send_a_contact_request_and_nothing_is_written()
    {
        var (blocker, blocked) = await db.PairAsync();
        await db.Blocks.BlockAsync(blocker, blocked);

        var error = await Assert.ThrowsAsync<BlockedException>(() => db.Contacts.RequestAsync(blocked, blocker));

        Assert.Equal(blocker, error.BlockedBy);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.contacts WHERE owner_id IN (@blocker, @blocked)", new { blocker, blocked }));
        Assert.NotNull(await db.Contacts.RequestAsync(blocker, blocked));
    }

    [Fact]
    public async Task The_blocked_user_cannot_send_a_message_request_and_nothing_is_written()
    {
        var (blocker, blocked) = await db.PairAsync();
        await db.Blocks.BlockAsync(blocker, blocked);

        var error = await Assert.ThrowsAsync<BlockedException>(() => db.MessageRequests.CreateAsync(blocked, blocker));

        Assert.Equal(blocked, error.UserId);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.message_requests WHERE requester_id = @blocked", new { blocked }));
        Assert.NotNull(await db.MessageRequests.CreateAsync(blocker, blocked));
    }

    [Fact]
    public async Task By_default_non_contacts_may_create_a_direct_chat()
    {
        var (a, b) = await db.PairAsync();

        Assert.Equal(2, (await db.Chats.GetOrCreateDirectAsync(a, b)).MemberCount);
    }

    [Fact]
    public async Task With_requests_required_non_contacts_are_told_to_send_a_message_request_and_nothing_is_written()
    {
        await using var services = ServicesWithOptions.Build(db, o => o.RequireMessageRequestForNonContacts = true);
        var chats = services.GetRequiredService<IChatRepository>();
        var (a, b) = await db.PairAsync();

        var error = await Assert.ThrowsAsync<MessageRequestRequiredException>(() => chats.GetOrCreateDirectAsync(a, b));

        Assert.Equal(a, error.UserId);
        Assert.Equal(b, error.OtherUserId);
        Assert.Equal(0L, await DirectChatsOfAsync(a));
    }

    [Fact]
    public async Task With_requests_required_a_pending_contact_is_not_enough_and_an_accepted_one_is()
    {
        await using var services = ServicesWithOptions.Build(db, o => o.RequireMessageRequestForNonContacts = true);
        var chats = services.GetRequiredService<IChatRepository>();
        var (a, b) = await db.PairAsync();
        await db.Contacts.RequestAsync(a, b);
        await Assert.ThrowsAsync<MessageRequestRequiredException>(() => chats.GetOrCreateDirectAsync(b, a));

        await db.Contacts.AcceptAsync(b, a);

        Assert.Equal(2, (await chats.GetOrCreateDirectAsync(b, a)).MemberCount);
    }

    [Fact]
    public async Task With_requests_required_accepting_a_message_request_makes_the_chat_and_both_can_get_it()
    {
        await using var services = ServicesWithOptions.Build(db, o => o.RequireMessageRequestForNonContacts = true);
        var chats = services.GetRequiredService<IChatRepository>();
        var (a, b) = await db.PairAsync();
        var request = await db.MessageRequests.CreateAsync(a, b);
        await Assert.ThrowsAsync<MessageRequestRequiredException>(() => chats.GetOrCreateDirectAsync(a, b));

        var accepted = await db.MessageRequests.AcceptAsync(request.Id, b);

        Assert.Equal(accepted!.ChatId, (await chats.GetOrCreateDirectAsync(a, b)).Id);
        Assert.Equal(accepted.ChatId, (await chats.GetOrCreateDirectAsync(b, a)).Id);
        // The accepted request still counts after its chat is deleted.
        await db.Chats.DeleteAsync(accepted.ChatId!.Value);
        Assert.Equal(2, (await chats.GetOrCreateDirectAsync(a, b)).MemberCount);
    }

    [Fact]
    public async Task With_requests_required_an_existing_direct_chat_is_returned()
    {
        await using var services = ServicesWithOptions.Build(db, o => o.RequireMessageRequestForNonContacts = true);
        var (a, b) = await db.PairAsync();
        var existing = await db.Chats.GetOrCreateDirectAsync(a, b);

        var chat = await services.GetRequiredService<IChatRepository>().GetOrCreateDirectAsync(b, a);

        Assert.Equal(existing.Id, chat.Id);
    }
}
