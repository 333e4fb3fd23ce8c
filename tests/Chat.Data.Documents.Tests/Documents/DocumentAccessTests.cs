using Chat.Data.Security;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chat.Data.Documents.Tests.Documents;

/// <summary>
/// A chat's documents follow the chat's read rule (an active member sees them; a stranger or a former
/// member gets nothing), and the restricted role of row-level security has no grant on the documents tables.
/// </summary>
public sealed class DocumentAccessTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    [Fact]
    public async Task A_member_sees_the_chats_documents_and_a_stranger_or_former_member_gets_nothing()
    {
        var owner = await db.Arrange.UserAsync("Owner");
        var (member, former, stranger) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var chatId = await db.Arrange.GroupAsync(owner.Id, member.Id, former.Id);
        await db.Documents.CreateAsync(new NewDocument { Title = "Plan", OwnerId = owner.Id, ChatId = chatId });
        await db.Members.LeaveAsync(chatId, former.Id);

        Assert.NotEmpty((await db.Documents.ListByChatAsync(chatId, member.Id)).Items);
        Assert.Empty((await db.Documents.ListByChatAsync(chatId, stranger.Id)).Items);
        Assert.Empty((await db.Documents.ListByChatAsync(chatId, former.Id)).Items);
    }

    [Fact]
    public async Task A_scoped_call_the_restricted_role_may_not_make_is_a_typed_refusal()
    {
        var (owner, _, group) = await db.GroupAsync();
        var rls = db.Services.GetRequiredService<IRowLevelSecurity>();
        using (rls.ActAs(owner.Id))
        {
            var refused = await Assert.ThrowsAsync<NotPermittedException>(() => db.Documents.ListByChatAsync(group.Id, owner.Id));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, Assert.IsType<PostgresException>(refused.InnerException).SqlState);
        }
    }
}
