using Chat.Data.Documents;

namespace Chat.Data.Documents.Tests.Documents;

/// <summary>A signature that completes the lock racing edits of every kind: no edit ever lands after the lock.</summary>
public sealed class DocumentConcurrencyTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    private const int Documents = 8;
    private const int Rounds = 3;

    /// <summary>What one editor did: each edit it got through, in order, until the lock stopped it.</summary>
    private sealed record EditorRun(string Action, int Succeeded, Exception? StoppedBy);

    [Fact]
    public async Task A_signature_completing_the_lock_and_edits_at_the_same_moment_never_leave_an_edit_after_the_lock()
    {
        for (var round = 0; round < Rounds; round++)
            await Task.WhenAll(Enumerable.Range(0, Documents).Select(i => RaceOnOneDocumentAsync(delayMs: (round * Documents + i) % 15)));
    }

    private async Task RaceOnOneDocumentAsync(int delayMs)
    {
        var scene = await db.SharedAsync(requireSignatures: true);
        var (first, second) = (scene.Viewer, scene.Stranger);
        await db.Signatures.AddSignerAsync(scene.Id, first.Id, scene.Owner.Id);
        await db.Signatures.AddSignerAsync(scene.Id, second.Id, scene.Owner.Id);
        await db.Signatures.SignAsync(scene.Id, first.Id, "First");
        var block = await db.BlockAsync(scene.Id, scene.Owner.Id, "original");

        // Editors keep editing until the lock stops them; the last signature lands in the middle.
        var editors = new (string Action, Func<int, Task> Edit)[]
        {
            (DocumentActions.BlockUpdated, n => db.DocumentBlocks.UpdateAsync(block.Id, new BlockUpdate { Content = $"edit {n}" }, scene.Editor.Id)),
            (DocumentActions.Updated, n => db.Documents.UpdateAsync(scene.Id, new DocumentUpdate { Title = $"title {n}" }, scene.Owner.Id)),
            (DocumentActions.TagAdded, n => db.Tags.AddAsync(scene.Id, $"tag-{n}", scene.Editor.Id)),
            (DocumentActions.BlockAdded, n => db.BlockAsync(scene.Id, scene.Owner.Id, $"block {n}", position: 0)),
        };
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = editors.Select(e => Task.Run(async () =>
        {
            await start.Task;
            for (var n = 0; ; n++)
            {
                try
                {
                    await e.Edit(n);
                }
                catch (Exception ex)
                {
                    return new EditorRun(e.Action, n, ex);
                }
            }
        })).ToList();
        var signature = Task.Run(async () =>
        {
            await start.Task;
            await Task.Delay(delayMs);
            return await db.Signatures.SignAsync(scene.Id, second.Id, "Second");
        });
        start.SetResult();
        var status = await signature;
        var results = await Task.WhenAll(runs);

        Assert.Equal(LockReason.Signatures, status!.LockReason);
        Assert.All(results, r => Assert.IsType<DocumentLockedException>(r.StoppedBy));
        var actions = await db.ActionsAsync(scene.Id);
        // The lock is the last thing that happened to the document, and every edit that went through is logged before it.
        Assert.Equal(DocumentActions.Locked, actions[^1]);
        Assert.Equal(DocumentActions.Signed, actions[^2]);
        foreach (var run in results)
            Assert.Equal(run.Succeeded, actions.Count(a => a == run.Action) - (run.Action == DocumentActions.BlockAdded ? 1 : 0));
        var document = await db.Documents.FindByIdAsync(scene.Id);
        var blocks = await db.DocumentBlocks.ListTreeAsync(scene.Id);
        Assert.All(blocks, b => Assert.True(b.Block.UpdatedAt < document!.LockedAt));
        Assert.True(document!.UpdatedAt <= document.LockedAt);
        var edits = results.Single(r => r.Action == DocumentActions.BlockUpdated).Succeeded;
        Assert.Equal(edits == 0 ? "original" : $"edit {edits - 1}", (await db.DocumentBlocks.FindByIdAsync(block.Id))!.Content);
        Assert.Equal(results.Single(r => r.Action == DocumentActions.TagAdded).Succeeded, (await db.Tags.ListAsync(scene.Id)).Count);
    }
}
