using Chat.Data.Social;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.TestSupport;

namespace Chat.Data.Tests.Social;

public sealed class MessageRequestRepositoryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IMessageRequestRepository Requests => db.MessageRequests;

    private Task<long> RequestRowsAsync(Guid a, Guid b) =>
        db.ScalarAsync<long>(
            "SELECT count(*) FROM chat.message_requests WHERE (requester_id, recipient_id) IN ((@a, @b), (@b, @a))", new { a, b });

    private Task<long> DirectChatsAsync(Guid a, Guid b) =>
        db.ScalarAsync<long>(
            "SELECT count(*) FROM chat.chats WHERE direct_key = least(@a, @b)::text || ':' || greatest(@a, @b)::text", new { a, b });

    [Fact]
    public async Task Create_stores_a_pending_request_with_no_chat()
    {
        var (a, b) = await db.PairAsync();

        var request = await Requests.CreateAsync(a, b);

        Assert.Equal(7, request.Id.Version);
        Assert.Equal((a, b, MessageRequestStatus.Pending), (request.RequesterId, request.RecipientId, request.Status));
        Assert.Null(request.ChatId);
        Assert.Null(request.RespondedAt);
        Assert.Equal(request, await Requests.FindByIdAsync(request.Id));
        Assert.Equal(0L, await DirectChatsAsync(a, b));
    }

    [Fact]
    public async Task Asking_again_returns_the_same_request()
    {
        var (a, b) = await db.PairAsync();
        var first = await Requests.CreateAsync(a, b);

        Assert.Equal(first, await Requests.CreateAsync(a, b));
        Assert.Equal(1L, await RequestRowsAsync(a, b));
    }

    [Fact]
    public async Task Asking_someone_whose_request_to_you_is_open_returns_their_request()
    {
        var (a, b) = await db.PairAsync();
        var theirs = await Requests.CreateAsync(a, b);

        Assert.Equal(theirs, await Requests.CreateAsync(b, a));
        var accepted = await Requests.AcceptAsync(theirs.Id, b);
        Assert.Equal(accepted, await Requests.CreateAsync(b, a));
        Assert.Equal(1L, await RequestRowsAsync(a, b));
    }

    [Fact]
    public async Task Accept_creates_the_direct_chat_with_both_members_in_one_round_trip()
    {
        var (a, b) = await db.PairAsync();
        var request = await Requests.CreateAsync(a, b);

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var accepted = await Requests.AcceptAsync(request.Id, b);

        Assert.Equal(1, roundTrips.Count);
        Assert.NotNull(accepted);
        Assert.Equal(MessageRequestStatus.Accepted, accepted.Status);
        Assert.NotNull(accepted.RespondedAt);
        var chat = await db.Chats.FindDirectAsync(a, b);
        Assert.NotNull(chat);
        Assert.Equal(chat.Id, accepted.ChatId);
        Assert.Equal(2, chat.MemberCount);
        Assert.Equal(a, chat.CreatedBy);
        Assert.Equal(accepted, await Requests.FindByIdAsync(request.Id));
    }

    [Fact]
    public async Task Accept_reuses_the_pairs_direct_chat()
    {
        var (a, b) = await db.PairAsync();
        var existing = await db.Chats.GetOrCreateDirectAsync(b, a);
        var request = await Requests.CreateAsync(a, b);

        var accepted = await Requests.AcceptAsync(request.Id, b);

        Assert.Equal(existing.Id, accepted!.ChatId);
        Assert.Equal(1L, await DirectChatsAsync(a, b));
    }

    [Fact]
    public async Task Accepting_twice_returns_the_accepted_request_and_one_chat()
    {
        var (a, b) = await db.PairAsync();
        var request = await Requests.CreateAsync(a, b);
        var accepted = await Requests.AcceptAsync(request.Id, b);

        Assert.Equal(accepted, await Requests.AcceptAsync(request.Id, b));
        Assert.Equal(1L, await DirectChatsAsync(a, b));
    }

    [Fact]
    public async Task Only_the_recipient_can_accept_or_decline()
    {
        var (a, b) = await db.PairAsync();
        var request = await Requests.CreateAsync(a, b);

        Assert.Null(await Requests.AcceptAsync(request.Id, a));
        Assert.Null(await Requests.DeclineAsync(request.Id, a));
        Assert.Null(await Requests.AcceptAsync(Guid.CreateVersion7(), b));

        Assert.Equal(request, await Requests.FindByIdAsync(request.Id));
        Assert.Equal(0L, await DirectChatsAsync(a, b));
    }

    [Fact]
    public async Task A_declined_request_stays_declined()
    {
        var (a, b) = await db.PairAsync();
        var request = await Requests.CreateAsync(a, b);

        var declined = await Requests.DeclineAsync(request.Id, b);

        Assert.Equal(MessageRequestStatus.Declined, declined!.Status);
        Assert.NotNull(declined.RespondedAt);
        Assert.Equal(declined, await Requests.DeclineAsync(request.Id, b));
        Assert.Equal(declined, await Requests.CreateAsync(a, b));
        await Assert.ThrowsAsync<NotPermittedException>(() => Requests.AcceptAsync(request.Id, b));
        Assert.Equal(declined, await Requests.FindByIdAsync(request.Id));
        Assert.Equal(0L, await DirectChatsAsync(a, b));
    }

    [Fact]
    public async Task After_declining_the_recipient_can_send_their_own_request()
    {
        var (a, b) = await db.PairAsync();
        var theirs = await Requests.CreateAsync(a, b);
        await Requests.DeclineAsync(theirs.Id, b);

        var mine = await Requests.CreateAsync(b, a);

        Assert.NotEqual(theirs.Id, mine.Id);
        Assert.Equal((b, a, MessageRequestStatus.Pending), (mine.RequesterId, mine.RecipientId, mine.Status));
        Assert.Equal(mine, await Requests.CreateAsync(a, b));
    }

    [Fact]
    public async Task An_accepted_request_cannot_be_declined()
    {
        var (a, b) = await db.PairAsync();
        var request = await Requests.CreateAsync(a, b);
        var accepted = await Requests.AcceptAsync(request.Id, b);

        await Assert.ThrowsAsync<NotPermittedException>(() => Requests.DeclineAsync(request.Id, b));

        Assert.Equal(accepted, await Requests.FindByIdAsync(request.Id));
    }

    [Fact]
    public async Task Accepting_a_request_from_someone_who_since_blocked_you_is_refused_and_nothing_changes()
    {
        var (a, b) = await db.PairAsync();
        var request = await Requests.CreateAsync(a, b);
        await db.Blocks.BlockAsync(a, b);

        var error = await Assert.ThrowsAsync<BlockedException>(() => Requests.AcceptAsync(request.Id, b));

        Assert.Equal(b, error.UserId);
        Assert.Equal(a, error.BlockedBy);
        Assert.Equal(request, await Requests.FindByIdAsync(request.Id));
        Assert.Equal(0L, await DirectChatsAsync(a, b));
    }

    [Fact]
    public async Task List_pending_pages_newest_first_and_leaves_out_answered_and_blocked_requests()
    {
        var recipient = (await db.Arrange.UserAsync()).Id;
        var requesters = (await db.Arrange.UsersAsync(6)).Select(u => u.Id).ToArray();
        var requests = new List<MessageRequest>();
        foreach (var requester in requesters)
            requests.Add(await Requests.CreateAsync(requester, recipient));
        await Requests.AcceptAsync(requests[1].Id, recipient);
        await Requests.DeclineAsync(requests[2].Id, recipient);
        await db.Blocks.BlockAsync(recipient, requesters[3]);
        await Requests.CreateAsync(recipient, requesters[0]);

        var listed = new List<MessageRequest>();
        string? cursor = null;
        do
        {
            var page = await Requests.ListPendingAsync(recipient, cursor, limit: 2);
            listed.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal([requests[5], requests[4], requests[0]], listed);
    }

    [Fact]
    public async Task Deleting_a_user_removes_their_requests_and_deleting_the_chat_unlinks_it()
    {
        var (a, b) = await db.PairAsync();
        var c = (await db.Arrange.UserAsync()).Id;
        var toC = await Requests.CreateAsync(a, c);
        var accepted = await Requests.AcceptAsync((await Requests.CreateAsync(b, c)).Id, c);

        await db.Users.DeleteAsync(a);
        await db.Chats.DeleteAsync(accepted!.ChatId!.Value);

        Assert.Null(await Requests.FindByIdAsync(toC.Id));
        Assert.Equal(accepted with { ChatId = null }, await Requests.FindByIdAsync(accepted.Id));
    }

    [Fact]
    public async Task A_request_to_a_user_who_does_not_exist_is_a_missing_reference()
    {
        var a = (await db.Arrange.UserAsync()).Id;

        await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Requests.CreateAsync(a, Guid.CreateVersion7()));

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.message_requests WHERE requester_id = @a", new { a }));
    }

    [Fact]
    public async Task The_database_holds_the_request_rules_for_writers_that_bypass_the_library()
    {
        var (a, b) = await db.PairAsync();
        const string insert = "INSERT INTO chat.message_requests (id, requester_id, recipient_id, status, responded_at) VALUES (gen_random_uuid(), @from, @to, @status, @at)";
        var pending = new { from = a, to = b, status = "pending", at = (DateTimeOffset?)null };

        Assert.Equal("message_requests_recipient_id_check", await db.ViolatedConstraintAsync(insert, pending with { to = a }));
        Assert.Equal("message_requests_status_check", await db.ViolatedConstraintAsync(insert, pending with { status = "blocked", at = (DateTimeOffset?)DateTimeOffset.UtcNow }));
        Assert.Equal("message_requests_responded_at_check", await db.ViolatedConstraintAsync(insert, pending with { status = "declined" }));
        await db.ExecuteAsync(insert, pending);
        Assert.Equal("message_requests_recipient_id_key", await db.ViolatedConstraintAsync(insert, pending));
        Assert.Equal("message_requests_pair_key", await db.ViolatedConstraintAsync(insert, pending with { from = b, to = a }));
        // A declined request does not hold the pair.
        await db.ExecuteAsync(insert, pending with { from = b, to = a, status = "declined", at = (DateTimeOffset?)DateTimeOffset.UtcNow });
    }

    [Fact]
    public async Task Concurrent_duplicate_requests_store_one_row_and_all_return_it()
    {
        for (var round = 0; round < 5; round++)
        {
            var (a, b) = await db.PairAsync();

            var results = await Race.RunAsync(20, i => i % 2 == 0 ? Requests.CreateAsync(a, b) : Requests.CreateAsync(b, a));

            Assert.All(results, r => Assert.Null(r.Error));
            Assert.Single(results.Select(r => r.Value).Distinct());
            Assert.Equal(1L, await RequestRowsAsync(a, b));
        }
    }

    [Fact]
    public async Task Concurrent_accepts_and_direct_chat_calls_make_one_chat_that_the_request_points_at()
    {
        for (var round = 0; round < 5; round++)
        {
            var (a, b) = await db.PairAsync();
            var request = await Requests.CreateAsync(a, b);

            var results = await Race.RunAsync(20, async i => i % 2 == 0
                ? (await Requests.AcceptAsync(request.Id, b))!.ChatId!.Value
                : (await db.Chats.GetOrCreateDirectAsync(a, b)).Id);

            Assert.All(results, r => Assert.Null(r.Error));
            Assert.Single(results.Select(r => r.Value).Distinct());
            Assert.Equal(1L, await DirectChatsAsync(a, b));
            Assert.Equal(results[0].Value, (await Requests.FindByIdAsync(request.Id))!.ChatId);
        }
    }
}
