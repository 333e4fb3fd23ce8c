using Chat.Data.Social;
using Chat.Data.Tests.Infrastructure;

namespace Chat.Data.Tests.Social;

/// <summary>Bad input to the social repositories is refused before the database, naming the parameter, and nothing is written.</summary>
public sealed class SocialValidationTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static async Task<string> FieldAsync(Func<Task> call) =>
        (await Assert.ThrowsAsync<ChatDataValidationException>(call)).Field;

    private Task<long> SocialRowsAsync() =>
        db.ScalarAsync<long>("SELECT (SELECT count(*) FROM chat.user_blocks) + (SELECT count(*) FROM chat.contacts) + (SELECT count(*) FROM chat.message_requests)");

    [Fact]
    public async Task Empty_and_identical_users_are_refused_by_every_block_method()
    {
        var id = Guid.CreateVersion7();
        var empty = Guid.Empty;
        var blocks = db.Blocks;
        var before = await SocialRowsAsync();

        Assert.Equal("blockerId", await FieldAsync(() => blocks.BlockAsync(empty, id)));
        Assert.Equal("blockedId", await FieldAsync(() => blocks.BlockAsync(id, empty)));
        Assert.Equal("blockedId", await FieldAsync(() => blocks.BlockAsync(id, id)));
        Assert.Equal("blockerId", await FieldAsync(() => blocks.UnblockAsync(empty, id)));
        Assert.Equal("blockedId", await FieldAsync(() => blocks.UnblockAsync(id, id)));
        Assert.Equal("userId", await FieldAsync(() => blocks.IsBlockedAsync(empty, id)));
        Assert.Equal("otherUserId", await FieldAsync(() => blocks.IsBlockedAsync(id, id)));
        Assert.Equal("blockerId", await FieldAsync(() => blocks.ListBlockedAsync(empty)));
        Assert.Equal(before, await SocialRowsAsync());
    }

    [Fact]
    public async Task Empty_and_identical_users_are_refused_by_every_contact_method()
    {
        var id = Guid.CreateVersion7();
        var empty = Guid.Empty;
        var contacts = db.Contacts;
        var before = await SocialRowsAsync();

        Assert.Equal("requesterId", await FieldAsync(() => contacts.RequestAsync(empty, id)));
        Assert.Equal("contactId", await FieldAsync(() => contacts.RequestAsync(id, id)));
        Assert.Equal("userId", await FieldAsync(() => contacts.AcceptAsync(empty, id)));
        Assert.Equal("requesterId", await FieldAsync(() => contacts.AcceptAsync(id, id)));
        Assert.Equal("otherUserId", await FieldAsync(() => contacts.DeclineAsync(id, empty)));
        Assert.Equal("otherUserId", await FieldAsync(() => contacts.RemoveAsync(id, id)));
        Assert.Equal("ownerId", await FieldAsync(() => contacts.FindAsync(empty, id)));
        Assert.Equal("contactId", await FieldAsync(() => contacts.SetAliasAsync(id, id, "x")));
        Assert.Equal("ownerId", await FieldAsync(() => contacts.ListAsync(empty, ContactStatus.Pending)));
        Assert.Equal("userId", await FieldAsync(() => contacts.SyncAsync(empty, [TestData.Phone()])));
        Assert.Equal(before, await SocialRowsAsync());
    }

    [Fact]
    public async Task Empty_and_identical_users_are_refused_by_every_message_request_method()
    {
        var id = Guid.CreateVersion7();
        var empty = Guid.Empty;
        var requests = db.MessageRequests;
        var before = await SocialRowsAsync();

        Assert.Equal("requesterId", await FieldAsync(() => requests.CreateAsync(empty, id)));
        Assert.Equal("recipientId", await FieldAsync(() => requests.CreateAsync(id, id)));
        Assert.Equal("requestId", await FieldAsync(() => requests.AcceptAsync(empty, id)));
        Assert.Equal("recipientId", await FieldAsync(() => requests.AcceptAsync(id, empty)));
        Assert.Equal("requestId", await FieldAsync(() => requests.DeclineAsync(empty, id)));
        Assert.Equal("recipientId", await FieldAsync(() => requests.DeclineAsync(id, empty)));
        Assert.Equal("requestId", await FieldAsync(() => requests.FindByIdAsync(empty)));
        Assert.Equal("recipientId", await FieldAsync(() => requests.ListPendingAsync(empty)));
        Assert.Equal(before, await SocialRowsAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(201)]
    public async Task Page_sizes_outside_1_to_200_are_refused_by_every_list(int limit)
    {
        var id = Guid.CreateVersion7();

        Assert.Equal("limit", await FieldAsync(() => db.Blocks.ListBlockedAsync(id, limit: limit)));
        Assert.Equal("limit", await FieldAsync(() => db.Contacts.ListAsync(id, ContactStatus.Accepted, limit: limit)));
        Assert.Equal("limit", await FieldAsync(() => db.MessageRequests.ListPendingAsync(id, limit: limit)));
    }

    [Theory]
    [InlineData("not a cursor")]
    [InlineData("")]
    [InlineData("MTIz")]
    public async Task Cursors_no_list_returned_are_refused_by_every_list(string cursor)
    {
        var id = Guid.CreateVersion7();

        Assert.Equal("cursor", await FieldAsync(() => db.Blocks.ListBlockedAsync(id, cursor)));
        Assert.Equal("cursor", await FieldAsync(() => db.Contacts.ListAsync(id, ContactStatus.Accepted, cursor)));
        Assert.Equal("cursor", await FieldAsync(() => db.MessageRequests.ListPendingAsync(id, cursor)));
    }

    [Fact]
    public async Task A_cursor_from_one_list_keeps_working_as_a_cursor_of_the_same_shape()
    {
        var (a, _) = await db.PairAsync();
        foreach (var user in await db.Arrange.UsersAsync(3))
            await db.Blocks.BlockAsync(a, user.Id);

        var first = await db.Blocks.ListBlockedAsync(a, limit: 1);

        Assert.Equal(2, (await db.Blocks.ListBlockedAsync(a, first.NextCursor, limit: 5)).Items.Count);
    }

    [Fact]
    public async Task An_unknown_contact_status_is_refused()
    {
        Assert.Equal("status", await FieldAsync(() => db.Contacts.ListAsync(Guid.CreateVersion7(), (ContactStatus)7)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a\0b")]
    public async Task Bad_aliases_are_refused_and_nothing_is_written(string alias)
    {
        var (a, b) = await db.PairAsync();

        Assert.Equal("alias", await FieldAsync(() => db.Contacts.RequestAsync(a, b, alias)));
        Assert.Equal("alias", await FieldAsync(() => db.Contacts.SetAliasAsync(a, b, alias)));

        Assert.Null(await db.Contacts.FindAsync(a, b));
    }

    [Fact]
    public async Task An_over_long_alias_is_refused()
    {
        var (a, b) = await db.PairAsync();
        await db.Contacts.RequestAsync(a, b, "Bee");

        Assert.Equal("alias", await FieldAsync(() => db.Contacts.SetAliasAsync(a, b, new string('a', 101))));

        Assert.Equal("Bee", (await db.Contacts.FindAsync(a, b))!.Alias);
    }

    [Fact]
    public async Task Contact_sync_names_the_bad_phone_and_caps_the_batch()
    {
        var me = Guid.CreateVersion7();

        Assert.Equal("phones[1]", await FieldAsync(() => db.Contacts.SyncAsync(me, [TestData.Phone(), "0812 3456"])));
        Assert.Equal("phones[0]", await FieldAsync(() => db.Contacts.SyncAsync(me, [null!])));
        var tooMany = Enumerable.Range(0, 10_001).Select(_ => "+15550000000").ToArray();
        Assert.Equal("phones", await FieldAsync(() => db.Contacts.SyncAsync(me, tooMany)));
        await Assert.ThrowsAsync<ArgumentNullException>(() => db.Contacts.SyncAsync(me, null!));
    }
}
