using Chat.Data.Social;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.TestSupport;
using Dapper;

namespace Chat.Data.Tests.Social;

public sealed class ContactRepositoryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IContactRepository Contacts => db.Contacts;

    private async Task<List<(Guid Owner, Guid Contact, string Status, Guid RequestedBy, DateTimeOffset? AcceptedAt)>> RowsAsync(Guid a, Guid b)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<(Guid, Guid, string, Guid, DateTimeOffset?)>(
            "SELECT owner_id, contact_id, status, requested_by, accepted_at FROM chat.contacts WHERE owner_id IN (@a, @b) ORDER BY owner_id = @b",
            new { a, b })).ToList();
    }

    [Fact]
    public async Task A_request_writes_both_rows_pending_in_one_round_trip_and_returns_the_requesters()
    {
        var (a, b) = await db.PairAsync();

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var contact = await Contacts.RequestAsync(a, b, alias: "Bee");

        Assert.Equal(1, roundTrips.Count);
        Assert.Equal(new Contact(a, b, ContactStatus.Pending, a, "Bee", contact.CreatedAt, null), contact);
        Assert.Equal([(a, b, "pending", a, (DateTimeOffset?)null), (b, a, "pending", a, null)], await RowsAsync(a, b));
        Assert.Equal(new Contact(b, a, ContactStatus.Pending, a, null, contact.CreatedAt, null), await Contacts.FindAsync(b, a));
    }

    [Fact]
    public async Task Asking_again_changes_nothing_but_a_new_alias()
    {
        var (a, b) = await db.PairAsync();
        var first = await Contacts.RequestAsync(a, b, alias: "Bee");

        Assert.Equal(first, await Contacts.RequestAsync(a, b));
        Assert.Equal(first with { Alias = "B" }, await Contacts.RequestAsync(a, b, alias: "B"));
        Assert.Equal(2, (await RowsAsync(a, b)).Count);
    }

    [Fact]
    public async Task The_user_who_received_the_request_accepts_it_for_both_rows()
    {
        var (a, b) = await db.PairAsync();
        var requested = await Contacts.RequestAsync(a, b);

        var accepted = await Contacts.AcceptAsync(b, a);

        Assert.NotNull(accepted);
        Assert.Equal(ContactStatus.Accepted, accepted.Status);
        Assert.Equal(b, accepted.OwnerId);
        Assert.Equal(a, accepted.RequestedBy);
        Assert.Equal(requested.CreatedAt, accepted.CreatedAt);
        Assert.NotNull(accepted.AcceptedAt);
        Assert.All(await RowsAsync(a, b), row =>
        {
            Assert.Equal("accepted", row.Status);
            Assert.Equal(accepted.AcceptedAt, row.AcceptedAt);
        });
    }

    [Fact]
    public async Task The_requester_cannot_accept_their_own_request_and_nothing_changes()
    {
        var (a, b) = await db.PairAsync();
        await Contacts.RequestAsync(a, b);
        var before = await RowsAsync(a, b);

        await Assert.ThrowsAsync<NotPermittedException>(() => Contacts.AcceptAsync(a, b));

        Assert.Equal(before, await RowsAsync(a, b));
    }

    [Fact]
    public async Task Accepting_twice_returns_the_accepted_contact_unchanged()
    {
        var (a, b) = await db.PairAsync();
        await Contacts.RequestAsync(a, b);
        var accepted = await Contacts.AcceptAsync(b, a);

        Assert.Equal(accepted, await Contacts.AcceptAsync(b, a));
        // Either side asking for an accepted contact again changes nothing either.
        Assert.Equal(ContactStatus.Accepted, (await Contacts.RequestAsync(a, b)).Status);
        Assert.Equal(accepted, await Contacts.RequestAsync(b, a));
    }

    [Fact]
    public async Task Accepting_with_no_request_is_null()
    {
        var (a, b) = await db.PairAsync();

        Assert.Null(await Contacts.AcceptAsync(b, a));
    }

    [Fact]
    public async Task Asking_someone_who_already_asked_you_accepts_their_request()
    {
        var (a, b) = await db.PairAsync();
        await Contacts.RequestAsync(a, b);

        var contact = await Contacts.RequestAsync(b, a, alias: "Ay");

        Assert.Equal(ContactStatus.Accepted, contact.Status);
        Assert.Equal(a, contact.RequestedBy);
        Assert.Equal("Ay", contact.Alias);
        Assert.All(await RowsAsync(a, b), row => Assert.Equal("accepted", row.Status));
    }

    [Fact]
    public async Task Either_side_declines_a_pending_request_removing_both_rows()
    {
        var (a, b) = await db.PairAsync();
        var (c, d) = await db.PairAsync();
        await Contacts.RequestAsync(a, b);
        await Contacts.RequestAsync(c, d);

        Assert.True(await Contacts.DeclineAsync(b, a));
        Assert.True(await Contacts.DeclineAsync(c, d));

        Assert.Empty(await RowsAsync(a, b));
        Assert.Empty(await RowsAsync(c, d));
        Assert.False(await Contacts.DeclineAsync(b, a));
    }

    [Fact]
    public async Task Declining_does_not_remove_an_accepted_contact()
    {
        var (a, b) = await db.PairAsync();
        await Contacts.RequestAsync(a, b);
        await Contacts.AcceptAsync(b, a);

        Assert.False(await Contacts.DeclineAsync(b, a));

        Assert.Equal(2, (await RowsAsync(a, b)).Count);
    }

    [Fact]
    public async Task Removing_a_contact_deletes_both_rows_and_keeps_their_chat()
    {
        var (a, b) = await db.PairAsync();
        await Contacts.RequestAsync(a, b);
        await Contacts.AcceptAsync(b, a);
        var chat = await db.Chats.GetOrCreateDirectAsync(a, b);

        Assert.True(await Contacts.RemoveAsync(b, a));

        Assert.Empty(await RowsAsync(a, b));
        Assert.NotNull(await db.Chats.FindByIdUncheckedAsync(chat.Id));
        Assert.False(await Contacts.RemoveAsync(a, b));
    }

    [Fact]
    public async Task List_by_status_pages_newest_first_with_incoming_and_outgoing_requests()
    {
        var owner = (await db.Arrange.UserAsync()).Id;
        var others = (await db.Arrange.UsersAsync(5)).Select(u => u.Id).ToArray();
        await Contacts.RequestAsync(owner, others[0]);
        await Contacts.RequestAsync(others[1], owner);
        await Contacts.RequestAsync(owner, others[2]);
        await Contacts.RequestAsync(others[3], owner);
        await Contacts.AcceptAsync(owner, others[3]);
        await Contacts.RequestAsync(owner, others[4]);
        await Contacts.AcceptAsync(others[4], owner);

        var pending = new List<Contact>();
        string? cursor = null;
        do
        {
            var page = await Contacts.ListAsync(owner, ContactStatus.Pending, cursor, limit: 2);
            pending.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        var accepted = await Contacts.ListAsync(owner, ContactStatus.Accepted);

        Assert.Equal([others[2], others[1], others[0]], pending.Select(c => c.ContactId));
        Assert.Equal([owner, others[1], owner], pending.Select(c => c.RequestedBy));
        Assert.All(pending, c => Assert.Equal(owner, c.OwnerId));
        Assert.Equal([others[4], others[3]], accepted.Items.Select(c => c.ContactId));
        Assert.Null(accepted.NextCursor);
    }

    [Fact]
    public async Task Each_side_keeps_its_own_alias()
    {
        var (a, b) = await db.PairAsync();
        await Contacts.RequestAsync(a, b, alias: "Bee");

        var set = await Contacts.SetAliasAsync(b, a, "Ay");

        Assert.Equal("Ay", set!.Alias);
        Assert.Equal("Bee", (await Contacts.FindAsync(a, b))!.Alias);
        Assert.Null((await Contacts.SetAliasAsync(a, b, null))!.Alias);
        Assert.Null(await Contacts.SetAliasAsync(a, (await db.Arrange.UserAsync()).Id, "Nobody"));
    }

    [Fact]
    public async Task Find_is_null_for_strangers()
    {
        var (a, b) = await db.PairAsync();

        Assert.Null(await Contacts.FindAsync(a, b));
    }

    [Fact]
    public async Task A_request_to_a_user_who_does_not_exist_is_a_missing_reference_and_writes_nothing()
    {
        var a = (await db.Arrange.UserAsync()).Id;

        await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Contacts.RequestAsync(a, Guid.CreateVersion7()));

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.contacts WHERE @a IN (owner_id, contact_id)", new { a }));
    }

    [Fact]
    public async Task Deleting_a_user_removes_both_rows_of_their_contacts()
    {
        var (a, b) = await db.PairAsync();
        var c = (await db.Arrange.UserAsync()).Id;
        await Contacts.RequestAsync(a, b);
        await Contacts.RequestAsync(c, a);
        await Contacts.RequestAsync(c, b);

        await db.Users.DeleteAsync(a);

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.contacts WHERE @a IN (owner_id, contact_id)", new { a }));
        Assert.NotNull(await Contacts.FindAsync(b, c));
    }

    [Fact]
    public async Task Sync_returns_the_registered_users_among_a_thousand_phones_less_self_and_blocks_in_one_round_trip()
    {
        var me = await db.Arrange.UserAsync("Me");
        var friends = await db.Arrange.UsersAsync(6);
        await db.Blocks.BlockAsync(me.Id, friends[0].Id);
        await db.Blocks.BlockAsync(friends[1].Id, me.Id);
        var phones = friends.Select(u => u.Phone!).Append(me.Phone!).Concat(Enumerable.Range(0, 993).Select(_ => TestData.Phone())).ToArray();

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var found = await Contacts.SyncAsync(me.Id, phones);

        Assert.Equal(1, roundTrips.Count);
        Assert.Equal(friends.Skip(2).OrderBy(u => u.Id), found.OrderBy(u => u.Id));
    }

    [Fact]
    public async Task Sync_with_no_phones_sends_nothing()
    {
        var me = await db.Arrange.UserAsync();

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        Assert.Empty(await Contacts.SyncAsync(me.Id, []));
        Assert.Equal(0, roundTrips.Count);
    }

    [Fact]
    public async Task The_database_holds_the_contact_rules_for_writers_that_bypass_the_library()
    {
        var (a, b) = await db.PairAsync();
        var c = (await db.Arrange.UserAsync()).Id;
        const string insert = "INSERT INTO chat.contacts (owner_id, contact_id, status, requested_by, accepted_at) VALUES (@o, @k, @status, @by, @at)";

        Assert.Equal("contacts_contact_id_check", await db.ViolatedConstraintAsync(insert, new { o = a, k = a, status = "pending", by = a, at = (DateTimeOffset?)null }));
        Assert.Equal("contacts_status_check", await db.ViolatedConstraintAsync(insert, new { o = a, k = b, status = "blocked", by = a, at = (DateTimeOffset?)null }));
        Assert.Equal("contacts_requested_by_check", await db.ViolatedConstraintAsync(insert, new { o = a, k = b, status = "pending", by = c, at = (DateTimeOffset?)null }));
        Assert.Equal("contacts_accepted_at_check", await db.ViolatedConstraintAsync(insert, new { o = a, k = b, status = "accepted", by = a, at = (DateTimeOffset?)null }));
        await db.ExecuteAsync(insert, new { o = a, k = b, status = "pending", by = a, at = (DateTimeOffset?)null });
        Assert.Equal("contacts_pkey", await db.ViolatedConstraintAsync(insert, new { o = a, k = b, status = "pending", by = a, at = (DateTimeOffset?)null }));
    }

    [Fact]
    public async Task Concurrent_duplicate_requests_store_one_pair_and_all_return_it()
    {
        var (a, b) = await db.PairAsync();

        var results = await Race.RunAsync(20, _ => Contacts.RequestAsync(a, b));

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Single(results.Select(r => r.Value).Distinct());
        Assert.Equal(2, (await RowsAsync(a, b)).Count);
    }

    [Fact]
    public async Task Users_asking_each_other_at_once_end_up_accepted_without_errors()
    {
        for (var round = 0; round < 5; round++)
        {
            var (a, b) = await db.PairAsync();

            var results = await Race.RunAsync(10, i => i % 2 == 0 ? Contacts.RequestAsync(a, b) : Contacts.RequestAsync(b, a));

            Assert.All(results, r => Assert.Null(r.Error));
            var rows = await RowsAsync(a, b);
            Assert.Equal(2, rows.Count);
            Assert.All(rows, row => Assert.Equal("accepted", row.Status));
            Assert.Single(rows.Select(row => row.RequestedBy).Distinct());
        }
    }

    [Fact]
    public async Task Concurrent_accepts_and_declines_leave_both_rows_in_one_state()
    {
        for (var round = 0; round < 5; round++)
        {
            var (a, b) = await db.PairAsync();
            await Contacts.RequestAsync(a, b);

            var results = await Race.RunAsync(10, async i => i % 2 == 0 ? (object?)await Contacts.AcceptAsync(b, a) : await Contacts.DeclineAsync(b, a));

            Assert.All(results, r => Assert.Null(r.Error));
            var rows = await RowsAsync(a, b);
            Assert.True(rows.Count == 0 || rows.All(row => row.Status == "accepted"));
        }
    }
}
