using Chat.Data.Chats;
using Chat.Data.Tests.Infrastructure;

// A host app's namespace often starts with Chat too: there a type named Chat would lose to the
// namespace (CS0118), so this file compiling is the proof that the models' short names work.
namespace Chat.Consumer;

/// <summary>The chat model's short name from a host namespace under Chat (the namespace differs from the folder on purpose).</summary>
public sealed class ShortNameTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Code_in_a_namespace_under_Chat_names_the_chat_model_by_its_short_name()
    {
        var owner = await db.Arrange.UserAsync();

        ChatRoom created = await db.Chats.CreateGroupAsync(new NewGroupChat { Name = "Consumers", CreatedBy = owner.Id });
        ChatRoom? found = await db.Chats.FindByIdAsync(created.Id, owner.Id);

        Assert.Equal(created, found);
    }
}
