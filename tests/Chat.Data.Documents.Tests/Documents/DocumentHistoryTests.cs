using Chat.Data.Documents;
using Chat.Data.Entities;

namespace Chat.Data.Documents.Tests.Documents;

/// <summary>History logging: the library's rows, the host's own, newest first by keyset.</summary>
public sealed class DocumentHistoryTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    private IDocumentHistoryRepository History => db.DocumentHistory;

    [Fact]
    public async Task Every_change_the_library_makes_appends_its_action_by_the_acting_user()
    {
        var scene = await db.SharedAsync(requireSignatures: true);
        var (owner, editor) = (scene.Owner.Id, scene.Editor.Id);
        var entity = await db.Entities.CreateAsync(new NewEntity { Name = "Rumah", OwnerId = owner });

        await db.Documents.UpdateAsync(scene.Id, new DocumentUpdate { Icon = "📝" }, editor);
        await db.Collaborators.ChangeRoleAsync(scene.Id, scene.Viewer.Id, CollaboratorRole.Editor, owner);
        await db.Collaborators.RemoveAsync(scene.Id, scene.Viewer.Id, owner);
        await db.Tags.AddAsync(scene.Id, "t", editor);
        await db.Tags.RemoveAsync(scene.Id, "t", editor);
        var a = await db.BlockAsync(scene.Id, editor, "a", type: BlockType.Toggle);
        var b = await db.BlockAsync(scene.Id, editor, "b");
        await db.DocumentBlocks.UpdateAsync(b.Id, new BlockUpdate { Content = "b2" }, editor);
        await db.DocumentBlocks.ReorderAsync(scene.Id, null, [b.Id, a.Id], editor);
        await db.DocumentBlocks.MoveAsync(b.Id, a.Id, null, editor);
        await db.DocumentBlocks.DeleteAsync(b.Id, editor);
        await db.Entities.LinkAsync(scene.Id, entity.Id, editor);
        await db.Entities.UnlinkAsync(scene.Id, entity.Id, editor);
        await db.Documents.LockAsync(scene.Id, owner);
        await db.Documents.UnlockAsync(scene.Id, owner);
        await db.Signatures.AddSignerAsync(scene.Id, scene.Stranger.Id, owner);
        await db.Signatures.AddSignerAsync(scene.Id, editor, owner);
        await db.Signatures.RemoveSignerAsync(scene.Id, editor, owner);
        await db.Signatures.SignAsync(scene.Id, scene.Stranger.Id, "Stranger");

        var entries = (await History.ListAsync(scene.Id, limit: 200)).Items.Reverse().ToList();

        (string, Guid?)[] expected =
        [
            (DocumentActions.Created, owner), (DocumentActions.CollaboratorAdded, owner), (DocumentActions.CollaboratorAdded, owner),
            (DocumentActions.Updated, editor), (DocumentActions.CollaboratorRoleChanged, owner), (DocumentActions.CollaboratorRemoved, owner),
            (DocumentActions.TagAdded, editor), (DocumentActions.TagRemoved, editor),
            (DocumentActions.BlockAdded, editor), (DocumentActions.BlockAdded, editor), (DocumentActions.BlockUpdated, editor),
            (DocumentActions.BlocksReordered, editor), (DocumentActions.BlockMoved, editor), (DocumentActions.BlockDeleted, editor),
            (DocumentActions.EntityLinked, editor), (DocumentActions.EntityUnlinked, editor),
            (DocumentActions.Locked, owner), (DocumentActions.Unlocked, owner),
            (DocumentActions.SignerAdded, owner), (DocumentActions.SignerAdded, owner), (DocumentActions.SignerRemoved, owner),
            (DocumentActions.Signed, scene.Stranger.Id), (DocumentActions.Locked, scene.Stranger.Id),
        ];
        Assert.Equal(expected, entries.Select(e => (e.Action, e.UserId)));
        Assert.All(entries, e => Assert.Equal(scene.Id, e.DocumentId));
        Assert.Equal("""{"icon": "📝"}""", entries[3].Details);
        Assert.Equal($$"""{"name": "Rumah", "entityId": "{{entity.Id}}"}""", entries[14].Details);
        Assert.Null(entries[17].Details);
    }

    [Fact]
    public async Task Hosts_append_their_own_entries_and_the_list_pages_newest_first()
    {
        var owner = await db.Arrange.UserAsync();
        var document = await db.StandaloneAsync(owner.Id);

        DocumentHistoryEntry viewed;
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            viewed = await History.AppendAsync(document.Id, "viewed", owner.Id, """{"device": "android"}""");
            Assert.Equal(1, roundTrips.Count);
        }
        var system = await History.AppendAsync(document.Id, "archived_copy_made");
        for (var i = 0; i < 3; i++)
            await History.AppendAsync(document.Id, $"exported_{i}", owner.Id);

        Assert.Equal(("viewed", owner.Id, """{"device": "android"}"""), (viewed.Action, viewed.UserId!.Value, viewed.Details));
        Assert.Null(system.UserId);
        Assert.Null(system.Details);
        var actions = new List<string>();
        string? cursor = null;
        do
        {
            var page = await History.ListAsync(document.Id, cursor, 2);
            actions.AddRange(page.Items.Select(h => h.Action));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(["exported_2", "exported_1", "exported_0", "archived_copy_made", "viewed", DocumentActions.Created], actions);
    }

    [Fact]
    public async Task Appending_to_a_missing_document_or_for_a_missing_user_is_refused()
    {
        var owner = await db.Arrange.UserAsync();
        var document = await db.StandaloneAsync(owner.Id);

        Assert.Equal("documentId", (await Assert.ThrowsAsync<ReferenceNotFoundException>(() => History.AppendAsync(Guid.CreateVersion7(), "x"))).Field);
        Assert.Equal("userId", (await Assert.ThrowsAsync<ReferenceNotFoundException>(() => History.AppendAsync(document.Id, "x", Guid.CreateVersion7()))).Field);
        Assert.Single((await History.ListAsync(document.Id)).Items);
        Assert.Empty((await History.ListAsync(Guid.CreateVersion7())).Items);
    }
}
