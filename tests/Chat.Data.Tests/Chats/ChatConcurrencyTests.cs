using Chat.Data.Chats;
using Chat.Data.Tests.Infrastructure;
using Chat.Data.TestSupport;

namespace Chat.Data.Tests.Chats;

/// <summary>Real parallel calls, each on its own pooled connection, released together.</summary>
public sealed class ChatConcurrencyTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Twenty_concurrent_get_or_create_direct_calls_for_a_pair_return_one_chat_with_two_members()
    {
        for (var pair = 0; pair < 3; pair++)
        {
            var (a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());

            var results = await Race.RunAsync(20, i => i % 2 == 0 ? db.Chats.GetOrCreateDirectAsync(a.Id, b.Id) : db.Chats.GetOrCreateDirectAsync(b.Id, a.Id));

            Assert.All(results, r => Assert.Null(r.Error));
            var chatId = Assert.Single(results.Select(r => r.Value!.Id).Distinct());
            Assert.All(results, r => Assert.Equal(2, r.Value!.MemberCount));
            Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chats WHERE type = 'direct' AND direct_key LIKE '%' || @a || '%'", new { a = a.Id.ToString() }));
            Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chat_members WHERE chat_id = @chatId", new { chatId }));
            await db.AssertMemberCountAsync(chatId, 2);
        }
    }

    [Fact]
    public async Task Concurrent_add_many_calls_racing_the_member_limit_never_exceed_it()
    {
        await using var services = db.WithMaxGroupMembers(10);
        var owner = await db.Arrange.UserAsync();
        var users = await db.Arrange.UsersAsync(40);
        var chat = (await services.Chats().CreateGroupAsync(new NewGroupChat { Name = "Race", CreatedBy = owner.Id })).Id;

        var results = await Race.RunAsync(20, i => services.Members().AddManyAsync(chat, [users[2 * i].Id, users[2 * i + 1].Id]));

        Assert.All(results.Where(r => r.Error is not null), r => Assert.IsType<MemberLimitException>(r.Error));
        Assert.Equal(4, results.Count(r => r.Error is null));
        await db.AssertMemberCountAsync(chat, 9);
        var added = results.Where(r => r.Error is null).SelectMany(r => r.Value!).Select(m => m.UserId).Append(owner.Id).Order();
        Assert.Equal(added, (await db.ActiveRolesAsync(chat)).Keys.Order());
    }

    [Fact]
    public async Task Concurrent_single_adds_fill_the_group_exactly_to_the_limit()
    {
        await using var services = db.WithMaxGroupMembers(10);
        var owner = await db.Arrange.UserAsync();
        var users = await db.Arrange.UsersAsync(15);
        var chat = (await services.Chats().CreateGroupAsync(new NewGroupChat { Name = "Fill", CreatedBy = owner.Id })).Id;

        var results = await Race.RunAsync(15, i => services.Members().AddAsync(chat, users[i].Id));

        Assert.Equal(9, results.Count(r => r.Error is null));
        Assert.All(results.Where(r => r.Error is not null), r => Assert.IsType<MemberLimitException>(r.Error));
        await db.AssertMemberCountAsync(chat, 10);
    }

    [Fact]
    public async Task Concurrent_adds_of_the_same_users_add_each_once()
    {
        var owner = await db.Arrange.UserAsync();
        var users = await db.Arrange.UsersAsync(3);
        var chat = await db.Arrange.GroupAsync(owner.Id);

        var results = await Race.RunAsync(10, _ => db.Members.AddManyAsync(chat, users.Select(u => u.Id).ToArray()));

        Assert.All(results, r => Assert.Equal(3, r.Value!.Count));
        Assert.Single(results.SelectMany(r => r.Value!).Select(m => m.JoinedAt).Distinct());
        await db.AssertMemberCountAsync(chat, 4);
    }

    [Fact]
    public async Task Concurrent_leaves_of_the_owner_and_an_admin_leave_exactly_one_owner()
    {
        for (var round = 0; round < 10; round++)
        {
            var (owner, admin, member) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
            var chat = await db.Arrange.GroupAsync(owner.Id, admin.Id, member.Id);
            await db.Members.ChangeRoleAsync(chat, admin.Id, MemberRole.Admin);

            var results = await Race.RunAsync(2, i => db.Members.LeaveAsync(chat, i == 0 ? owner.Id : admin.Id));

            Assert.All(results, r => Assert.True(r.Value!.Left));
            Assert.Equal(new Dictionary<Guid, string> { [member.Id] = "owner" }, await db.ActiveRolesAsync(chat));
            await db.AssertMemberCountAsync(chat, 1);
        }
    }

    [Fact]
    public async Task Concurrent_leaves_of_everyone_leave_no_owner()
    {
        for (var round = 0; round < 10; round++)
        {
            var (owner, admin) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
            var chat = await db.Arrange.GroupAsync(owner.Id, admin.Id);
            await db.Members.ChangeRoleAsync(chat, admin.Id, MemberRole.Admin);

            var results = await Race.RunAsync(2, i => db.Members.LeaveAsync(chat, i == 0 ? owner.Id : admin.Id));

            Assert.All(results, r => Assert.True(r.Value!.Left));
            Assert.Empty(await db.ActiveRolesAsync(chat));
            await db.AssertMemberCountAsync(chat, 0);
        }
    }

    [Fact]
    public async Task Concurrent_adds_removals_and_leaves_keep_the_member_count_exact()
    {
        var owner = await db.Arrange.UserAsync();
        var present = await db.Arrange.UsersAsync(20);
        var joining = await db.Arrange.UsersAsync(20);
        var chat = await db.Arrange.GroupAsync(owner.Id, present.Select(u => u.Id).ToArray());

        var results = await Race.RunAsync(40, i => (i % 4) switch
        {
            0 => db.Members.RemoveAsync(chat, present[i / 2].Id, owner.Id),
            1 => db.Members.LeaveAsync(chat, present[i / 2 + 1].Id).ContinueWith(t => t.Result.Left),
            2 => db.Members.AddAsync(chat, joining[i / 2].Id).ContinueWith(t => t.Result.LeftAt is null),
            _ => db.Members.AddAsync(chat, joining[i / 2 - 1].Id).ContinueWith(t => t.Result.LeftAt is null),
        });

        Assert.All(results, r => Assert.True(r.Value));
        await db.AssertMemberCountAsync(chat, 21);
    }
}
