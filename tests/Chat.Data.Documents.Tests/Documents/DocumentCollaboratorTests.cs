using Chat.Data.Documents;

namespace Chat.Data.Documents.Tests.Documents;

/// <summary>Collaborators: add, change role, leave, remove, and the roles that limit what each may do.</summary>
public sealed class DocumentCollaboratorTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    private IDocumentCollaboratorRepository Collaborators => db.Collaborators;

    [Fact]
    public async Task Add_change_role_list_and_remove_each_log_a_history_row()
    {
        var owner = await db.Arrange.UserAsync();
        var (a, b) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var document = await db.StandaloneAsync(owner.Id);

        DocumentCollaborator added;
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            added = await Collaborators.AddAsync(document.Id, a.Id, CollaboratorRole.Viewer, owner.Id);
            Assert.Equal(1, roundTrips.Count);
        }
        await Collaborators.AddAsync(document.Id, b.Id, CollaboratorRole.Editor, owner.Id);

        Assert.Equal((document.Id, a.Id, CollaboratorRole.Viewer), (added.DocumentId, added.UserId, added.Role));
        Assert.Equal([(a.Id, CollaboratorRole.Viewer), (b.Id, CollaboratorRole.Editor)], (await Collaborators.ListAsync(document.Id)).Select(c => (c.UserId, c.Role)));

        var changed = await Collaborators.ChangeRoleAsync(document.Id, a.Id, CollaboratorRole.Editor, owner.Id);
        Assert.Equal(CollaboratorRole.Editor, changed!.Role);
        Assert.Equal(added.AddedAt, changed.AddedAt);
        Assert.Equal(changed, await Collaborators.ChangeRoleAsync(document.Id, a.Id, CollaboratorRole.Editor, owner.Id));
        Assert.Null(await Collaborators.ChangeRoleAsync(document.Id, owner.Id, CollaboratorRole.Viewer, owner.Id));

        Assert.True(await Collaborators.RemoveAsync(document.Id, b.Id, owner.Id));
        Assert.False(await Collaborators.RemoveAsync(document.Id, b.Id, owner.Id));
        Assert.Equal([a.Id], (await Collaborators.ListAsync(document.Id)).Select(c => c.UserId));
        Assert.Equal(
            [DocumentActions.Created, DocumentActions.CollaboratorAdded, DocumentActions.CollaboratorAdded, DocumentActions.CollaboratorRoleChanged, DocumentActions.CollaboratorRemoved],
            await db.ActionsAsync(document.Id));
        var details = (await db.DocumentHistory.ListAsync(document.Id)).Items.Select(h => h.Details).ToList();
        Assert.Equal($$"""{"userId": "{{b.Id}}"}""", details[0]);
        Assert.Equal($$"""{"role": "editor", "userId": "{{a.Id}}"}""", details[1]);
    }

    [Fact]
    public async Task Roles_are_enforced_the_owner_manages_an_editor_edits_a_viewer_and_a_stranger_only_read()
    {
        var scene = await db.SharedAsync();

        Assert.NotNull(await db.Documents.UpdateAsync(scene.Id, new DocumentUpdate { Title = "By the editor" }, scene.Editor.Id));
        Assert.True(await db.Tags.AddAsync(scene.Id, "editor-tag", scene.Editor.Id));
        await db.BlockAsync(scene.Id, scene.Editor.Id, "Editor's block");
        var before = await db.FootprintAsync(scene.Id);

        foreach (var user in new[] { scene.Viewer, scene.Stranger })
        {
            await Assert.ThrowsAsync<NotPermittedException>(() => db.Documents.UpdateAsync(scene.Id, new DocumentUpdate { Title = "No" }, user.Id));
            await Assert.ThrowsAsync<NotPermittedException>(() => db.Tags.AddAsync(scene.Id, "no", user.Id));
            await Assert.ThrowsAsync<NotPermittedException>(() => db.BlockAsync(scene.Id, user.Id, "no"));
        }
        foreach (var user in new[] { scene.Editor, scene.Viewer, scene.Stranger })
        {
            await Assert.ThrowsAsync<NotPermittedException>(() => Collaborators.AddAsync(scene.Id, scene.Stranger.Id, CollaboratorRole.Editor, user.Id));
            await Assert.ThrowsAsync<NotPermittedException>(() => Collaborators.ChangeRoleAsync(scene.Id, scene.Viewer.Id, CollaboratorRole.Editor, user.Id));
            await Assert.ThrowsAsync<NotPermittedException>(() => db.Signatures.AddSignerAsync(scene.Id, scene.Viewer.Id, user.Id));
            await Assert.ThrowsAsync<NotPermittedException>(() => db.Documents.LockAsync(scene.Id, user.Id));
            await Assert.ThrowsAsync<NotPermittedException>(() => db.Documents.DeleteAsync(scene.Id, user.Id));
        }
        await Assert.ThrowsAsync<NotPermittedException>(() => Collaborators.RemoveAsync(scene.Id, scene.Viewer.Id, scene.Editor.Id));

        Assert.Equal(before, await db.FootprintAsync(scene.Id));
    }

    [Fact]
    public async Task A_collaborator_may_leave_and_loses_their_rights()
    {
        var scene = await db.SharedAsync();

        Assert.True(await Collaborators.RemoveAsync(scene.Id, scene.Editor.Id, scene.Editor.Id));

        await Assert.ThrowsAsync<NotPermittedException>(() => db.Tags.AddAsync(scene.Id, "gone", scene.Editor.Id));
        Assert.Equal(scene.Editor.Id, (await db.DocumentHistory.ListAsync(scene.Id)).Items[0].UserId);
    }

    [Fact]
    public async Task A_viewer_promoted_to_editor_can_edit_and_an_editor_demoted_cannot()
    {
        var scene = await db.SharedAsync();

        await Collaborators.ChangeRoleAsync(scene.Id, scene.Viewer.Id, CollaboratorRole.Editor, scene.Owner.Id);
        await Collaborators.ChangeRoleAsync(scene.Id, scene.Editor.Id, CollaboratorRole.Viewer, scene.Owner.Id);

        Assert.True(await db.Tags.AddAsync(scene.Id, "promoted", scene.Viewer.Id));
        await Assert.ThrowsAsync<NotPermittedException>(() => db.Tags.AddAsync(scene.Id, "demoted", scene.Editor.Id));
    }

    [Fact]
    public async Task Adding_twice_the_owner_or_a_missing_user_or_document_is_refused_naming_the_parameter()
    {
        var scene = await db.SharedAsync();
        var before = await db.FootprintAsync(scene.Id);

        var duplicate = await Assert.ThrowsAsync<DuplicateException>(() => Collaborators.AddAsync(scene.Id, scene.Viewer.Id, CollaboratorRole.Editor, scene.Owner.Id));
        Assert.Equal("userId", duplicate.Field);
        var owner = await Assert.ThrowsAsync<ChatDataValidationException>(() => Collaborators.AddAsync(scene.Id, scene.Owner.Id, CollaboratorRole.Editor, scene.Owner.Id));
        Assert.Equal("userId", owner.Field);
        var noUser = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Collaborators.AddAsync(scene.Id, Guid.CreateVersion7(), CollaboratorRole.Editor, scene.Owner.Id));
        Assert.Equal("userId", noUser.Field);
        var noDocument = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Collaborators.AddAsync(Guid.CreateVersion7(), scene.Stranger.Id, CollaboratorRole.Editor, scene.Owner.Id));
        Assert.Equal("documentId", noDocument.Field);

        Assert.Equal(before, await db.FootprintAsync(scene.Id));
        Assert.Null(await Collaborators.ChangeRoleAsync(Guid.CreateVersion7(), scene.Viewer.Id, CollaboratorRole.Editor, scene.Owner.Id));
        Assert.False(await Collaborators.RemoveAsync(Guid.CreateVersion7(), scene.Viewer.Id, scene.Owner.Id));
        Assert.Empty(await Collaborators.ListAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Deleting_a_collaborators_account_removes_them_from_the_document()
    {
        var scene = await db.SharedAsync();

        await db.Users.DeleteAsync(scene.Viewer.Id);

        Assert.Equal([scene.Editor.Id], (await Collaborators.ListAsync(scene.Id)).Select(c => c.UserId));
    }
}
