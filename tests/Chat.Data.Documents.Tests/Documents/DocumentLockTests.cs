using Chat.Data.Documents;
using Chat.Data.Entities;

namespace Chat.Data.Documents.Tests.Documents;

/// <summary>
/// A locked document cannot be updated: no change to it or
/// its blocks, tags, signers, collaborators or entity links goes through, and nothing is written.
/// </summary>
public sealed class DocumentLockTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    private sealed record LockedScene(SharedDocument Shared, DocumentBlock Toggle, DocumentBlock Child, DocumentBlock SecondChild, Entity Linked, Entity Unlinked);

    /// <summary>Every change the library offers on a document, as its owner would make it.</summary>
    public static TheoryData<string> Changes => new()
    {
        "update", "delete", "add collaborator", "change role", "remove collaborator", "collaborator leaves", "add signer", "remove signer",
        "add tag", "remove tag", "add block", "update block", "move block", "reorder blocks", "delete block", "link entity", "unlink entity",
    };

    private Task Change(string change, LockedScene scene)
    {
        var (shared, toggle, child, secondChild, linked, unlinked) = scene;
        var (id, owner) = (shared.Id, shared.Owner.Id);
        return change switch
        {
            "update" => db.Documents.UpdateAsync(id, new DocumentUpdate { Title = "Changed" }, owner),
            "delete" => db.Documents.DeleteAsync(id, owner),
            "add collaborator" => db.Collaborators.AddAsync(id, shared.Stranger.Id, CollaboratorRole.Viewer, owner),
            "change role" => db.Collaborators.ChangeRoleAsync(id, shared.Viewer.Id, CollaboratorRole.Editor, owner),
            "remove collaborator" => db.Collaborators.RemoveAsync(id, shared.Viewer.Id, owner),
            "collaborator leaves" => db.Collaborators.RemoveAsync(id, shared.Editor.Id, shared.Editor.Id),
            "add signer" => db.Signatures.AddSignerAsync(id, shared.Stranger.Id, owner),
            "remove signer" => db.Signatures.RemoveSignerAsync(id, shared.Viewer.Id, owner),
            "add tag" => db.Tags.AddAsync(id, "new", owner),
            "remove tag" => db.Tags.RemoveAsync(id, "kept", owner),
            "add block" => db.BlockAsync(id, owner, "new"),
            "update block" => db.DocumentBlocks.UpdateAsync(child.Id, new BlockUpdate { Content = "changed" }, shared.Editor.Id),
            "move block" => db.DocumentBlocks.MoveAsync(child.Id, null, 0, owner),
            "reorder blocks" => db.DocumentBlocks.ReorderAsync(id, toggle.Id, [secondChild.Id, child.Id], owner),
            "delete block" => db.DocumentBlocks.DeleteAsync(toggle.Id, owner),
            "link entity" => db.Entities.LinkAsync(id, unlinked.Id, owner),
            "unlink entity" => db.Entities.UnlinkAsync(id, linked.Id, owner),
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
    }

    private async Task<LockedScene> SceneAsync()
    {
        var shared = await db.SharedAsync(requireSignatures: true);
        var toggle = await db.BlockAsync(shared.Id, shared.Owner.Id, "toggle", type: BlockType.Toggle);
        var child = await db.BlockAsync(shared.Id, shared.Owner.Id, "child", toggle.Id);
        var secondChild = await db.BlockAsync(shared.Id, shared.Owner.Id, "second child", toggle.Id);
        await db.Tags.AddAsync(shared.Id, "kept", shared.Owner.Id);
        var linked = await db.Entities.CreateAsync(new NewEntity { Name = "Lahan B-7", Type = "lahan", OwnerId = shared.Owner.Id });
        var unlinked = await db.Entities.CreateAsync(new NewEntity { Name = "Truk", Type = "kendaraan", OwnerId = shared.Owner.Id });
        await db.Entities.LinkAsync(shared.Id, linked.Id, shared.Owner.Id);
        await db.Signatures.AddSignerAsync(shared.Id, shared.Viewer.Id, shared.Owner.Id);
        return new LockedScene(shared, toggle, child, secondChild, linked, unlinked);
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task A_manually_locked_document_refuses_the_change_and_writes_nothing_saying_why_in_the_same_round_trip(string change)
    {
        var scene = await SceneAsync();
        await db.Documents.LockAsync(scene.Shared.Id, scene.Shared.Owner.Id);
        var before = await db.FootprintAsync(scene.Shared.Id);

        DocumentLockedException error;
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            error = await Assert.ThrowsAsync<DocumentLockedException>(() => Change(change, scene));
            Assert.Equal(1, roundTrips.Count);
        }

        Assert.Equal(scene.Shared.Id, error.DocumentId);
        Assert.Equal(LockReason.Manual, error.LockReason);
        Assert.Equal(before, await db.FootprintAsync(scene.Shared.Id));
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task A_document_locked_by_its_signatures_refuses_the_change_and_writes_nothing(string change)
    {
        var scene = await SceneAsync();
        await db.Signatures.SignAsync(scene.Shared.Id, scene.Shared.Viewer.Id, "Viewer Signer");
        var before = await db.FootprintAsync(scene.Shared.Id);

        var error = await Assert.ThrowsAsync<DocumentLockedException>(() => Change(change, scene));

        Assert.Equal(LockReason.Signatures, error.LockReason);
        Assert.Equal(before, await db.FootprintAsync(scene.Shared.Id));
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Once_unlocked_the_same_change_goes_through_in_one_round_trip(string change)
    {
        var scene = await SceneAsync();
        await db.Documents.LockAsync(scene.Shared.Id, scene.Shared.Owner.Id);
        await db.Documents.UnlockAsync(scene.Shared.Id, scene.Shared.Owner.Id);
        var before = await db.FootprintAsync(scene.Shared.Id);

        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            await Change(change, scene);
            Assert.Equal(1, roundTrips.Count);
        }

        Assert.NotEqual(before, await db.FootprintAsync(scene.Shared.Id));
    }

    [Fact]
    public async Task Permission_is_checked_before_the_lock()
    {
        var scene = await SceneAsync();
        await db.Documents.LockAsync(scene.Shared.Id, scene.Shared.Owner.Id);

        await Assert.ThrowsAsync<NotPermittedException>(() => db.Tags.AddAsync(scene.Shared.Id, "no", scene.Shared.Viewer.Id));
        await Assert.ThrowsAsync<DocumentLockedException>(() => db.Tags.AddAsync(scene.Shared.Id, "no", scene.Shared.Editor.Id));
    }

    [Fact]
    public async Task Reads_and_host_history_still_work_on_a_locked_document()
    {
        var scene = await SceneAsync();
        await db.Documents.LockAsync(scene.Shared.Id, scene.Shared.Owner.Id);

        var toggle = Assert.Single(await db.DocumentBlocks.ListTreeAsync(scene.Shared.Id));
        Assert.Equal(["child", "second child"], toggle.Children.Select(c => c.Block.Content));
        Assert.Equal(["kept"], await db.Tags.ListAsync(scene.Shared.Id));
        var entry = await db.DocumentHistory.AppendAsync(scene.Shared.Id, "exported_pdf", scene.Shared.Viewer.Id, """{"pages": 3}""");
        Assert.Equal("exported_pdf", (await db.DocumentHistory.ListAsync(scene.Shared.Id)).Items[0].Action);
        Assert.Equal(scene.Shared.Viewer.Id, entry.UserId);
    }
}
