using System.Buffers.Text;
using System.Text;
using Chat.Data.Chats;
using Chat.Data.Tests.Infrastructure;

namespace Chat.Data.Tests.Chats;

/// <summary>Bad input to every chat and member method is refused before the database, naming the field, and nothing is written.</summary>
public sealed class ChatValidationTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static readonly Guid SomeUser = Guid.CreateVersion7();

    private IChatRepository Chats => db.Chats;

    private IChatMemberRepository Members => db.Members;

    private static async Task<string> FieldAsync(Func<Task> call) =>
        (await Assert.ThrowsAsync<ChatDataValidationException>(call)).Field;

    private Task<long> CountChatsAsync() => db.ScalarAsync<long>("SELECT count(*) FROM chat.chats");

    public static TheoryData<NewGroupChat, string> InvalidGroups => new()
    {
        { new NewGroupChat { Name = "", CreatedBy = SomeUser }, "Name" },
        { new NewGroupChat { Name = "   ", CreatedBy = SomeUser }, "Name" },
        { new NewGroupChat { Name = null!, CreatedBy = SomeUser }, "Name" },
        { new NewGroupChat { Name = new string('n', 101), CreatedBy = SomeUser }, "Name" },
        { new NewGroupChat { Name = "Nul\0", CreatedBy = SomeUser }, "Name" },
        { new NewGroupChat { Name = "No creator", CreatedBy = Guid.Empty }, "CreatedBy" },
        { new NewGroupChat { Name = "Empty member", CreatedBy = SomeUser, MemberIds = [Guid.CreateVersion7(), Guid.Empty] }, "MemberIds[1]" },
        { new NewGroupChat { Name = "Slug", CreatedBy = SomeUser, Slug = "" }, "Slug" },
        { new NewGroupChat { Name = "Slug", CreatedBy = SomeUser, Slug = "Upper-Case" }, "Slug" },
        { new NewGroupChat { Name = "Slug", CreatedBy = SomeUser, Slug = "double--dash" }, "Slug" },
        { new NewGroupChat { Name = "Slug", CreatedBy = SomeUser, Slug = "-leading" }, "Slug" },
        { new NewGroupChat { Name = "Slug", CreatedBy = SomeUser, Slug = "with space" }, "Slug" },
        { new NewGroupChat { Name = "Slug", CreatedBy = SomeUser, Slug = "trailing\n" }, "Slug" },
        { new NewGroupChat { Name = "Slug", CreatedBy = SomeUser, Slug = new string('a', 101) }, "Slug" },
        { new NewGroupChat { Name = "Slug", CreatedBy = SomeUser, Slug = "nul\0" }, "Slug" },
        { new NewGroupChat { Name = "Long", CreatedBy = SomeUser, Description = new string('d', 1001) }, "Description" },
        { new NewGroupChat { Name = "Nul", CreatedBy = SomeUser, Description = "a\0b" }, "Description" },
        { new NewGroupChat { Name = "Icon", CreatedBy = SomeUser, Icon = new string('i', 501) }, "Icon" },
        { new NewGroupChat { Name = "Json", CreatedBy = SomeUser, Metadata = "[1, 2]" }, "Metadata" },
        { new NewGroupChat { Name = "Json", CreatedBy = SomeUser, Metadata = "not json" }, "Metadata" },
        { new NewGroupChat { Name = "Json", CreatedBy = SomeUser, Metadata = "{\"a\": 1" }, "Metadata" },
        { new NewGroupChat { Name = "Entity", CreatedBy = SomeUser, EntityType = "order" }, "EntityId" },
        { new NewGroupChat { Name = "Entity", CreatedBy = SomeUser, EntityId = "1" }, "EntityType" },
        { new NewGroupChat { Name = "Entity", CreatedBy = SomeUser, EntityType = " ", EntityId = "1" }, "EntityType" },
        { new NewGroupChat { Name = "Entity", CreatedBy = SomeUser, EntityType = new string('t', 101), EntityId = "1" }, "EntityType" },
        { new NewGroupChat { Name = "Entity", CreatedBy = SomeUser, EntityType = "order", EntityId = new string('1', 201) }, "EntityId" },
    };

    [Theory]
    [MemberData(nameof(InvalidGroups))]
    public async Task Create_group_rejects_bad_input_naming_the_field_and_writes_nothing(NewGroupChat group, string field)
    {
        var before = await CountChatsAsync();

        Assert.Equal(field, await FieldAsync(() => Chats.CreateGroupAsync(group)));

        Assert.Equal(before, await CountChatsAsync());
    }

    public static TheoryData<NewTopic, string> InvalidTopics => new()
    {
        { new NewTopic { Name = "", CreatedBy = SomeUser, ParentChatId = SomeUser }, "Name" },
        { new NewTopic { Name = "T\0", CreatedBy = SomeUser, ParentChatId = SomeUser }, "Name" },
        { new NewTopic { Name = "T", CreatedBy = Guid.Empty, ParentChatId = SomeUser }, "CreatedBy" },
        { new NewTopic { Name = "T", CreatedBy = SomeUser, ParentChatId = Guid.Empty }, "ParentChatId" },
        { new NewTopic { Name = "Nowhere", CreatedBy = SomeUser }, "EntityType" },
        { new NewTopic { Name = "T", CreatedBy = SomeUser, EntityType = "order" }, "EntityId" },
        { new NewTopic { Name = "T", CreatedBy = SomeUser, ParentChatId = SomeUser, EntityId = "1" }, "EntityType" },
        { new NewTopic { Name = "T", CreatedBy = SomeUser, ParentChatId = SomeUser, MemberIds = [Guid.Empty] }, "MemberIds[0]" },
        { new NewTopic { Name = "T", CreatedBy = SomeUser, ParentChatId = SomeUser, Description = new string('d', 1001) }, "Description" },
        { new NewTopic { Name = "T", CreatedBy = SomeUser, ParentChatId = SomeUser, Icon = "\0" }, "Icon" },
        { new NewTopic { Name = "T", CreatedBy = SomeUser, ParentChatId = SomeUser, Metadata = "\"text\"" }, "Metadata" },
    };

    [Theory]
    [MemberData(nameof(InvalidTopics))]
    public async Task Create_topic_rejects_bad_input_naming_the_field_and_writes_nothing(NewTopic topic, string field)
    {
        var before = await CountChatsAsync();

        Assert.Equal(field, await FieldAsync(() => Chats.CreateTopicAsync(topic)));

        Assert.Equal(before, await CountChatsAsync());
    }

    public static TheoryData<ChatUpdate, string> InvalidUpdates => new()
    {
        { new ChatUpdate { Name = "" }, "Name" },
        { new ChatUpdate { Name = "a\0" }, "Name" },
        { new ChatUpdate { Name = new string('n', 101) }, "Name" },
        { new ChatUpdate { Slug = "Not A Slug" }, "Slug" },
        { new ChatUpdate { Description = new string('d', 1001) }, "Description" },
        { new ChatUpdate { Icon = new string('i', 501) }, "Icon" },
        { new ChatUpdate { Metadata = "" }, "Metadata" },
        { new ChatUpdate { Metadata = "[]" }, "Metadata" },
    };

    [Theory]
    [MemberData(nameof(InvalidUpdates))]
    public async Task Update_rejects_bad_input_naming_the_field_and_changes_nothing(ChatUpdate update, string field)
    {
        var owner = await db.Arrange.UserAsync();
        var chat = await Chats.CreateGroupAsync(new NewGroupChat { Name = "Stable", CreatedBy = owner.Id });

        Assert.Equal(field, await FieldAsync(() => Chats.UpdateAsync(chat.Id, update)));

        Assert.Equal(chat, await Chats.FindByIdUncheckedAsync(chat.Id));
    }

    [Fact]
    public async Task Empty_ids_are_rejected_by_every_chat_method()
    {
        var id = Guid.CreateVersion7();
        var empty = Guid.Empty;

        Assert.Equal("userId", await FieldAsync(() => Chats.GetOrCreateDirectAsync(empty, id)));
        Assert.Equal("otherUserId", await FieldAsync(() => Chats.GetOrCreateDirectAsync(id, empty)));
        Assert.Equal("userId", await FieldAsync(() => Chats.FindDirectAsync(empty, id)));
        Assert.Equal("otherUserId", await FieldAsync(() => Chats.FindDirectAsync(id, empty)));
        Assert.Equal("chatId", await FieldAsync(() => Chats.FindByIdUncheckedAsync(empty)));
        Assert.Equal("parentChatId", await FieldAsync(() => Chats.ListTopicsAsync(empty)));
        Assert.Equal("userId", await FieldAsync(() => Chats.ListForUserAsync(empty)));
        Assert.Equal("chatId", await FieldAsync(() => Chats.UpdateAsync(empty, new ChatUpdate { Name = "x" })));
        Assert.Equal("chatId", await FieldAsync(() => Chats.ArchiveAsync(empty)));
        Assert.Equal("chatId", await FieldAsync(() => Chats.UnarchiveAsync(empty)));
        Assert.Equal("chatId", await FieldAsync(() => Chats.SoftDeleteAsync(empty)));
        Assert.Equal("chatId", await FieldAsync(() => Chats.DeleteAsync(empty)));
    }

    [Fact]
    public async Task Empty_ids_are_rejected_by_every_member_method()
    {
        var id = Guid.CreateVersion7();
        var empty = Guid.Empty;

        Assert.Equal("chatId", await FieldAsync(() => Members.AddAsync(empty, id)));
        Assert.Equal("userId", await FieldAsync(() => Members.AddAsync(id, empty)));
        Assert.Equal("chatId", await FieldAsync(() => Members.AddManyAsync(empty, [id])));
        Assert.Equal("userIds[1]", await FieldAsync(() => Members.AddManyAsync(id, [id, empty])));
        Assert.Equal("chatId", await FieldAsync(() => Members.RemoveAsync(empty, id, id)));
        Assert.Equal("userId", await FieldAsync(() => Members.RemoveAsync(id, empty, id)));
        Assert.Equal("removedBy", await FieldAsync(() => Members.RemoveAsync(id, id, empty)));
        Assert.Equal("chatId", await FieldAsync(() => Members.LeaveAsync(empty, id)));
        Assert.Equal("userId", await FieldAsync(() => Members.LeaveAsync(id, empty)));
        Assert.Equal("userId", await FieldAsync(() => Members.ChangeRoleAsync(id, empty, MemberRole.Admin)));
        Assert.Equal("chatId", await FieldAsync(() => Members.FindAsync(empty, id)));
        Assert.Equal("userId", await FieldAsync(() => Members.FindAsync(id, empty)));
        Assert.Equal("chatId", await FieldAsync(() => Members.ListActiveUncheckedAsync(empty)));
        Assert.Equal("userId", await FieldAsync(() => Members.SetPinnedAsync(id, empty, true)));
        Assert.Equal("chatId", await FieldAsync(() => Members.MuteAsync(empty, id, null)));
        Assert.Equal("userId", await FieldAsync(() => Members.SetNotificationLevelAsync(id, empty, NotificationLevel.None)));
        Assert.Equal("chatId", await FieldAsync(() => Members.ClearHistoryAsync(empty, id)));
        Assert.Equal("userId", await FieldAsync(() => Members.HideAsync(id, empty)));
    }

    [Fact]
    public async Task Unknown_enum_values_are_rejected_and_change_nothing()
    {
        var (owner, a) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chat = await db.Arrange.GroupAsync(owner.Id, a.Id);
        var member = await Members.FindAsync(chat, a.Id);
        var stranger = await db.Arrange.UserAsync();

        Assert.Equal("role", await FieldAsync(() => Members.AddAsync(chat, stranger.Id, (MemberRole)42)));
        Assert.Equal("role", await FieldAsync(() => Members.AddManyAsync(chat, [stranger.Id], (MemberRole)(-1))));
        Assert.Equal("role", await FieldAsync(() => Members.AddManyAsync(chat, [], (MemberRole)42)));
        Assert.Equal("role", await FieldAsync(() => Members.ChangeRoleAsync(chat, a.Id, (MemberRole)42)));
        Assert.Equal("level", await FieldAsync(() => Members.SetNotificationLevelAsync(chat, a.Id, (NotificationLevel)42)));

        Assert.Equal(member, await Members.FindAsync(chat, a.Id));
        Assert.Null(await Members.FindAsync(chat, stranger.Id));
    }

    [Fact]
    public async Task Page_sizes_outside_1_to_200_are_rejected()
    {
        var id = Guid.CreateVersion7();

        foreach (var limit in new[] { 0, -1, 201 })
        {
            Assert.Equal("limit", await FieldAsync(() => Chats.ListForUserAsync(id, limit: limit)));
            Assert.Equal("limit", await FieldAsync(() => Members.ListActiveUncheckedAsync(id, limit: limit)));
        }
        Assert.Empty((await Chats.ListForUserAsync(id, limit: 200)).Items);
        Assert.Empty((await Members.ListActiveUncheckedAsync(id, limit: 1)).Items);
    }

    public static TheoryData<string> GarbageCursors => new()
    {
        "",
        "not a cursor!",
        "%%%",
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("only-one-part")),
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("a|b|c|d")),
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("|123|not-a-guid")),
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("x|123|" + Guid.NewGuid().ToString("N"))),
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("123|" + Guid.NewGuid().ToString("D"))),
    };

    [Theory]
    [MemberData(nameof(GarbageCursors))]
    public async Task Cursors_the_lists_did_not_return_are_rejected(string cursor)
    {
        var id = Guid.CreateVersion7();

        Assert.Equal("cursor", await FieldAsync(() => Chats.ListForUserAsync(id, cursor)));
        Assert.Equal("cursor", await FieldAsync(() => Members.ListActiveUncheckedAsync(id, cursor)));
    }

    [Fact]
    public async Task Text_lookups_reject_malformed_keys_naming_the_parameter()
    {
        Assert.Equal("slug", await FieldAsync(() => Chats.FindBySlugAsync("Not a slug")));
        Assert.Equal("slug", await FieldAsync(() => Chats.FindBySlugAsync("nul\0")));
        Assert.Equal("slug", await FieldAsync(() => Chats.FindBySlugAsync(null!)));
        Assert.Equal("entityType", await FieldAsync(() => Chats.ListByEntityAsync("", "1")));
        Assert.Equal("entityType", await FieldAsync(() => Chats.ListByEntityAsync("order\0", "1")));
        Assert.Equal("entityId", await FieldAsync(() => Chats.ListByEntityAsync("order", new string('1', 201))));
    }

    [Fact]
    public async Task A_direct_chat_needs_two_different_users()
    {
        var a = await db.Arrange.UserAsync();

        Assert.Equal("otherUserId", await FieldAsync(() => Chats.GetOrCreateDirectAsync(a.Id, a.Id)));
        Assert.Equal("otherUserId", await FieldAsync(() => Chats.FindDirectAsync(a.Id, a.Id)));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.chat_members WHERE user_id = @id", new { id = a.Id }));
    }

    [Fact]
    public async Task Null_arguments_are_refused()
    {
        var id = Guid.CreateVersion7();

        await Assert.ThrowsAsync<ArgumentNullException>(() => Chats.CreateGroupAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Chats.CreateTopicAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Chats.UpdateAsync(id, null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Chats.CreateGroupAsync(new NewGroupChat { Name = "x", CreatedBy = id, MemberIds = null! }));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Members.AddManyAsync(id, null!));
    }
}
