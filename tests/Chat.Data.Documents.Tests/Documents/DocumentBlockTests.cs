using Chat.Data.Documents;

namespace Chat.Data.Documents.Tests.Documents;

/// <summary>Blocks: create, tree, update, reorder, move, delete, kept in sort order under their parent blocks.</summary>
public sealed class DocumentBlockTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    private IDocumentBlockRepository Blocks => db.DocumentBlocks;

    /// <summary>The tree as text: each level in order, children in brackets.</summary>
    private static string Shape(IEnumerable<DocumentBlockNode> nodes) =>
        string.Join(" ", nodes.Select(n => n.Children.Count == 0 ? n.Block.Content! : $"{n.Block.Content}[{Shape(n.Children)}]"));

    private async Task<string> ShapeAsync(Guid documentId) => Shape(await Blocks.ListTreeAsync(documentId));

    [Fact]
    public async Task Every_block_type_is_stored_and_read_back_with_its_own_fields()
    {
        var scene = await db.SharedAsync();
        var blocks = new NewBlock[]
        {
            new() { DocumentId = scene.Id, Type = BlockType.Paragraph, Content = "Plain", Color = "gray" },
            new() { DocumentId = scene.Id, Type = BlockType.Heading1, Content = "H1" },
            new() { DocumentId = scene.Id, Type = BlockType.Heading2, Content = "H2" },
            new() { DocumentId = scene.Id, Type = BlockType.Heading3, Content = "H3" },
            new() { DocumentId = scene.Id, Type = BlockType.BulletList, Content = "Bullet" },
            new() { DocumentId = scene.Id, Type = BlockType.NumberedList, Content = "Numbered" },
            new() { DocumentId = scene.Id, Type = BlockType.Checklist, Content = "Todo", Checked = true },
            new() { DocumentId = scene.Id, Type = BlockType.Table, Rows = """[["A-12", "300"]]""", Columns = """["Plot", "Area"]""" },
            new() { DocumentId = scene.Id, Type = BlockType.Callout, Content = "Note", Emoji = "💡" },
            new() { DocumentId = scene.Id, Type = BlockType.Code, Content = "SELECT 1", Language = "sql" },
            new() { DocumentId = scene.Id, Type = BlockType.Toggle, Content = "More" },
            new() { DocumentId = scene.Id, Type = BlockType.Divider },
            new() { DocumentId = scene.Id, Type = BlockType.Quote, Content = "Quoted" },
        };
        Assert.Equal(Enum.GetValues<BlockType>().Length, blocks.Length);

        var created = new List<DocumentBlock>();
        foreach (var block in blocks)
            created.Add(await Blocks.CreateAsync(block, scene.Editor.Id));

        Assert.Equal(Enum.GetValues<BlockType>(), created.Select(b => b.Type));
        Assert.Equal(Enumerable.Range(0, 13), created.Select(b => b.SortOrder));
        Assert.True(created[6].Checked);
        Assert.Equal("""[["A-12", "300"]]""", created[7].Rows);
        Assert.Equal("""["Plot", "Area"]""", created[7].Columns);
        Assert.Equal("💡", created[8].Emoji);
        Assert.Equal("sql", created[9].Language);
        Assert.Equal("gray", created[0].Color);
        Assert.Null(created[11].Content);
        Assert.All(created.Where(b => b.Type != BlockType.Checklist), b => Assert.Null(b.Checked));
        Assert.Equal(created, (await Blocks.ListTreeAsync(scene.Id)).Select(n => n.Block));
        Assert.Equal("bullet_list", await db.ScalarAsync<string>("SELECT type FROM chat.document_blocks WHERE id = @id", new { id = created[4].Id }));
        foreach (var block in created)
            Assert.Equal(block, await Blocks.FindByIdAsync(block.Id));
    }

    [Fact]
    public async Task A_checklist_item_starts_unchecked()
    {
        var scene = await db.SharedAsync();

        var item = await Blocks.CreateAsync(new NewBlock { DocumentId = scene.Id, Type = BlockType.Checklist, Content = "Bayar pajak" }, scene.Owner.Id);

        Assert.False(item.Checked);
    }

    [Fact]
    public async Task Create_at_a_position_moves_the_later_siblings_down_in_one_round_trip()
    {
        var scene = await db.SharedAsync();
        await db.BlockAsync(scene.Id, scene.Owner.Id, "a");
        await db.BlockAsync(scene.Id, scene.Owner.Id, "c");

        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            await db.BlockAsync(scene.Id, scene.Owner.Id, "b", position: 1);
            Assert.Equal(1, roundTrips.Count);
        }
        await db.BlockAsync(scene.Id, scene.Owner.Id, "first", position: 0);
        await db.BlockAsync(scene.Id, scene.Owner.Id, "last", position: 99);

        Assert.Equal("first a b c last", await ShapeAsync(scene.Id));
        Assert.Equal(Enumerable.Range(0, 5), (await Blocks.ListTreeAsync(scene.Id)).Select(n => n.Block.SortOrder));
    }

    [Fact]
    public async Task Blocks_under_a_parent_form_a_tree_listed_in_order_in_one_query()
    {
        var scene = await db.SharedAsync();
        var toggle = await db.BlockAsync(scene.Id, scene.Owner.Id, "toggle", type: BlockType.Toggle);
        await db.BlockAsync(scene.Id, scene.Owner.Id, "after");
        var child2 = await db.BlockAsync(scene.Id, scene.Owner.Id, "child2", toggle.Id);
        await db.BlockAsync(scene.Id, scene.Owner.Id, "child1", toggle.Id, position: 0);
        await db.BlockAsync(scene.Id, scene.Owner.Id, "grandchild", child2.Id, type: BlockType.BulletList);

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var shape = await ShapeAsync(scene.Id);

        Assert.Equal(1, roundTrips.Count);
        Assert.Equal("toggle[child1 child2[grandchild]] after", shape);
        Assert.Empty(await Blocks.ListTreeAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Deep_nesting_builds_without_recursion_limits()
    {
        var scene = await db.SharedAsync();
        Guid? parent = null;
        for (var i = 0; i < 60; i++)
            parent = (await db.BlockAsync(scene.Id, scene.Owner.Id, $"level{i}", parent, type: BlockType.Toggle)).Id;

        var depth = 0;
        for (var level = await Blocks.ListTreeAsync(scene.Id); level.Count > 0; level = level[0].Children)
            depth++;

        Assert.Equal(60, depth);
    }

    [Fact]
    public async Task A_parent_must_be_a_block_of_the_same_document()
    {
        var scene = await db.SharedAsync();
        var other = await db.StandaloneAsync(scene.Owner.Id);
        var foreign = await db.BlockAsync(other.Id, scene.Owner.Id, "elsewhere");

        foreach (var parent in new[] { foreign.Id, Guid.CreateVersion7() })
        {
            var error = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => db.BlockAsync(scene.Id, scene.Owner.Id, "orphan", parent));
            Assert.Equal("ParentBlockId", error.Field);
        }
        Assert.Empty(await Blocks.ListTreeAsync(scene.Id));
    }

    [Fact]
    public async Task Create_in_a_document_that_does_not_exist_is_refused()
    {
        var user = await db.Arrange.UserAsync();

        var error = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => db.BlockAsync(Guid.CreateVersion7(), user.Id, "nowhere"));

        Assert.Equal("DocumentId", error.Field);
    }

    [Fact]
    public async Task Update_changes_what_is_set_clears_with_the_empty_string_and_logs_it_in_one_round_trip()
    {
        var scene = await db.SharedAsync();
        var block = await db.BlockAsync(scene.Id, scene.Owner.Id, "Draft");
        await Blocks.UpdateAsync(block.Id, new BlockUpdate { Color = "red" }, scene.Owner.Id);

        DocumentBlock? updated;
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            updated = await Blocks.UpdateAsync(block.Id, new BlockUpdate { Content = "Final", Color = "" }, scene.Editor.Id);
            Assert.Equal(1, roundTrips.Count);
        }

        Assert.Equal("Final", updated!.Content);
        Assert.Null(updated.Color);
        Assert.Equal(block.SortOrder, updated.SortOrder);
        Assert.True(updated.UpdatedAt > block.UpdatedAt);
        Assert.Equal(updated, await Blocks.FindByIdAsync(block.Id));
        var entry = (await db.DocumentHistory.ListAsync(scene.Id)).Items[0];
        Assert.Equal(DocumentActions.BlockUpdated, entry.Action);
        Assert.Equal(scene.Editor.Id, entry.UserId);
        Assert.Contains(block.Id.ToString(), entry.Details);
        Assert.True((await db.Documents.FindByIdAsync(scene.Id))!.UpdatedAt > scene.Document.UpdatedAt);
    }

    [Fact]
    public async Task Checked_rows_columns_language_and_emoji_belong_to_their_types()
    {
        var scene = await db.SharedAsync();
        var paragraph = await db.BlockAsync(scene.Id, scene.Owner.Id, "Plain");
        var table = await Blocks.CreateAsync(new NewBlock { DocumentId = scene.Id, Type = BlockType.Table, Rows = "[[1]]", Columns = "[\"n\"]" }, scene.Owner.Id);

        var item = await Blocks.UpdateAsync(paragraph.Id, new BlockUpdate { Type = BlockType.Checklist, Checked = true }, scene.Owner.Id);
        Assert.Equal(BlockType.Checklist, item!.Type);
        Assert.True(item.Checked);
        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => Blocks.UpdateAsync(table.Id, new BlockUpdate { Checked = true }, scene.Owner.Id));
        Assert.Equal("Checked", error.Field);
        error = await Assert.ThrowsAsync<ChatDataValidationException>(() => Blocks.UpdateAsync(paragraph.Id, new BlockUpdate { Language = "sql" }, scene.Owner.Id));
        Assert.Equal("Language", error.Field);
        Assert.Equal(item, await Blocks.FindByIdAsync(paragraph.Id));

        // A type change clears what the new type does not use.
        var text = await Blocks.UpdateAsync(table.Id, new BlockUpdate { Type = BlockType.Paragraph, Content = "was a table" }, scene.Owner.Id);
        Assert.Null(text!.Rows);
        Assert.Null(text.Columns);
        var back = await Blocks.UpdateAsync(paragraph.Id, new BlockUpdate { Type = BlockType.Code, Language = "go" }, scene.Owner.Id);
        Assert.Null(back!.Checked);
        Assert.Equal("go", back.Language);
        var cleared = await Blocks.UpdateAsync(paragraph.Id, new BlockUpdate { Language = "" }, scene.Owner.Id);
        Assert.Null(cleared!.Language);
    }

    [Fact]
    public async Task Update_of_an_unknown_block_returns_null_and_an_empty_update_changes_nothing()
    {
        var scene = await db.SharedAsync();
        var block = await db.BlockAsync(scene.Id, scene.Owner.Id, "Same");
        var before = await db.FootprintAsync(scene.Id);

        Assert.Null(await Blocks.UpdateAsync(Guid.CreateVersion7(), new BlockUpdate { Content = "x" }, scene.Owner.Id));
        Assert.Equal(block, await Blocks.UpdateAsync(block.Id, new BlockUpdate(), scene.Owner.Id));

        Assert.Equal(before, await db.FootprintAsync(scene.Id));
    }

    [Fact]
    public async Task Reorder_puts_a_level_in_the_given_order_in_one_round_trip()
    {
        var scene = await db.SharedAsync();
        var a = await db.BlockAsync(scene.Id, scene.Owner.Id, "a");
        var b = await db.BlockAsync(scene.Id, scene.Owner.Id, "b", type: BlockType.Toggle);
        var c = await db.BlockAsync(scene.Id, scene.Owner.Id, "c");
        var x = await db.BlockAsync(scene.Id, scene.Owner.Id, "x", b.Id);
        var y = await db.BlockAsync(scene.Id, scene.Owner.Id, "y", b.Id);

        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            Assert.True(await Blocks.ReorderAsync(scene.Id, null, [c.Id, a.Id, b.Id], scene.Editor.Id));
            Assert.Equal(1, roundTrips.Count);
        }
        Assert.True(await Blocks.ReorderAsync(scene.Id, b.Id, [y.Id, x.Id], scene.Owner.Id));

        Assert.Equal("c a b[y x]", await ShapeAsync(scene.Id));
        var entry = (await db.DocumentHistory.ListAsync(scene.Id)).Items[0];
        Assert.Equal(DocumentActions.BlocksReordered, entry.Action);
        Assert.Contains(b.Id.ToString(), entry.Details);
    }

    [Fact]
    public async Task Reorder_into_the_current_order_changes_and_logs_nothing()
    {
        var scene = await db.SharedAsync();
        var a = await db.BlockAsync(scene.Id, scene.Owner.Id, "a");
        var b = await db.BlockAsync(scene.Id, scene.Owner.Id, "b");
        var before = await db.FootprintAsync(scene.Id);

        Assert.True(await Blocks.ReorderAsync(scene.Id, null, [a.Id, b.Id], scene.Owner.Id));

        Assert.Equal(before, await db.FootprintAsync(scene.Id));
    }

    [Fact]
    public async Task Reorder_refuses_ids_that_are_not_exactly_the_levels_blocks_and_changes_nothing()
    {
        var scene = await db.SharedAsync();
        var a = await db.BlockAsync(scene.Id, scene.Owner.Id, "a", type: BlockType.Toggle);
        var b = await db.BlockAsync(scene.Id, scene.Owner.Id, "b");
        var child = await db.BlockAsync(scene.Id, scene.Owner.Id, "child", a.Id);
        var elsewhere = await db.BlockAsync((await db.StandaloneAsync(scene.Owner.Id)).Id, scene.Owner.Id, "elsewhere");
        var before = await db.FootprintAsync(scene.Id);

        Guid[][] wrong =
        [
            [b.Id],
            [b.Id, a.Id, child.Id],
            [b.Id, child.Id],
            [b.Id, elsewhere.Id],
            [b.Id, Guid.CreateVersion7()],
            [],
        ];
        foreach (var ids in wrong)
        {
            var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => Blocks.ReorderAsync(scene.Id, null, ids, scene.Owner.Id));
            Assert.Equal("blockIds", error.Field);
        }
        var duplicate = await Assert.ThrowsAsync<ChatDataValidationException>(() => Blocks.ReorderAsync(scene.Id, null, [b.Id, a.Id, b.Id], scene.Owner.Id));
        Assert.Equal("blockIds", duplicate.Field);
        var notAParent = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Blocks.ReorderAsync(scene.Id, elsewhere.Id, [], scene.Owner.Id));
        Assert.Equal("parentBlockId", notAParent.Field);

        Assert.Equal(before, await db.FootprintAsync(scene.Id));
        Assert.False(await Blocks.ReorderAsync(Guid.CreateVersion7(), null, [a.Id], scene.Owner.Id));
    }

    [Fact]
    public async Task Move_puts_a_block_and_its_children_under_another_parent_at_a_position()
    {
        var scene = await db.SharedAsync();
        var a = await db.BlockAsync(scene.Id, scene.Owner.Id, "a", type: BlockType.Toggle);
        var b = await db.BlockAsync(scene.Id, scene.Owner.Id, "b", type: BlockType.Toggle);
        await db.BlockAsync(scene.Id, scene.Owner.Id, "a1", a.Id);
        await db.BlockAsync(scene.Id, scene.Owner.Id, "a2", a.Id);
        await db.BlockAsync(scene.Id, scene.Owner.Id, "b1", b.Id);

        var moved = await Blocks.MoveAsync(b.Id, a.Id, 1, scene.Editor.Id);

        Assert.Equal(a.Id, moved!.ParentBlockId);
        Assert.Equal(1, moved.SortOrder);
        Assert.Equal("a[a1 b[b1] a2]", await ShapeAsync(scene.Id));
        var back = await Blocks.MoveAsync(b.Id, null, 0, scene.Owner.Id);
        Assert.Null(back!.ParentBlockId);
        Assert.Equal("b[b1] a[a1 a2]", await ShapeAsync(scene.Id));
        Assert.Equal("b[b1] a[a1 a2]", Shape(await Blocks.ListTreeAsync(scene.Id)));
        var moves = (await db.DocumentHistory.ListAsync(scene.Id)).Items.Take(2).ToList();
        Assert.All(moves, m => Assert.Equal(DocumentActions.BlockMoved, m.Action));
        Assert.Equal(scene.Editor.Id, moves[1].UserId);
    }

    [Fact]
    public async Task Move_within_its_own_level_reorders_it()
    {
        var scene = await db.SharedAsync();
        await db.BlockAsync(scene.Id, scene.Owner.Id, "a");
        await db.BlockAsync(scene.Id, scene.Owner.Id, "b");
        var c = await db.BlockAsync(scene.Id, scene.Owner.Id, "c");

        await Blocks.MoveAsync(c.Id, null, 0, scene.Owner.Id);

        Assert.Equal("c a b", await ShapeAsync(scene.Id));
    }

    [Fact]
    public async Task Move_refuses_cycles_and_parents_from_other_documents()
    {
        var scene = await db.SharedAsync();
        var a = await db.BlockAsync(scene.Id, scene.Owner.Id, "a", type: BlockType.Toggle);
        var child = await db.BlockAsync(scene.Id, scene.Owner.Id, "child", a.Id, type: BlockType.Toggle);
        var grandchild = await db.BlockAsync(scene.Id, scene.Owner.Id, "grandchild", child.Id);
        var elsewhere = await db.BlockAsync((await db.StandaloneAsync(scene.Owner.Id)).Id, scene.Owner.Id, "elsewhere");
        var before = await db.FootprintAsync(scene.Id);

        foreach (var parent in new[] { a.Id, child.Id, grandchild.Id })
        {
            var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => Blocks.MoveAsync(a.Id, parent, null, scene.Owner.Id));
            Assert.Equal("parentBlockId", error.Field);
        }
        var foreign = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Blocks.MoveAsync(a.Id, elsewhere.Id, null, scene.Owner.Id));
        Assert.Equal("parentBlockId", foreign.Field);

        Assert.Equal(before, await db.FootprintAsync(scene.Id));
        Assert.Null(await Blocks.MoveAsync(Guid.CreateVersion7(), null, null, scene.Owner.Id));
    }

    [Fact]
    public async Task Concurrent_moves_of_two_blocks_under_each_other_never_make_a_cycle()
    {
        var scene = await db.SharedAsync();
        for (var round = 0; round < 10; round++)
        {
            var a = await db.BlockAsync(scene.Id, scene.Owner.Id, $"a{round}", type: BlockType.Toggle);
            var b = await db.BlockAsync(scene.Id, scene.Owner.Id, $"b{round}", type: BlockType.Toggle);

            var results = await Race.RunAsync(2, i => i == 0 ? Blocks.MoveAsync(a.Id, b.Id, null, scene.Owner.Id) : Blocks.MoveAsync(b.Id, a.Id, null, scene.Owner.Id));

            Assert.Single(results, r => r.Error is null);
            Assert.IsType<ChatDataValidationException>(Assert.Single(results, r => r.Error is not null).Error);
            var parents = new[] { (await Blocks.FindByIdAsync(a.Id))!.ParentBlockId, (await Blocks.FindByIdAsync(b.Id))!.ParentBlockId };
            Assert.Single(parents, p => p is null);
        }
    }

    [Fact]
    public async Task Delete_removes_a_block_and_everything_under_it()
    {
        var scene = await db.SharedAsync();
        var a = await db.BlockAsync(scene.Id, scene.Owner.Id, "a", type: BlockType.Toggle);
        var child = await db.BlockAsync(scene.Id, scene.Owner.Id, "child", a.Id, type: BlockType.Toggle);
        await db.BlockAsync(scene.Id, scene.Owner.Id, "grandchild", child.Id);
        await db.BlockAsync(scene.Id, scene.Owner.Id, "b");

        Assert.True(await Blocks.DeleteAsync(a.Id, scene.Editor.Id));

        Assert.Equal("b", await ShapeAsync(scene.Id));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM chat.document_blocks WHERE document_id = @id", new { id = scene.Id }));
        Assert.Equal(DocumentActions.BlockDeleted, (await db.ActionsAsync(scene.Id))[^1]);
        Assert.False(await Blocks.DeleteAsync(a.Id, scene.Editor.Id));
        // A gap left by a delete closes when the level next gets a block.
        await db.BlockAsync(scene.Id, scene.Owner.Id, "c");
        Assert.Equal([0, 1], (await Blocks.ListTreeAsync(scene.Id)).Select(n => n.Block.SortOrder));
    }

    [Fact]
    public async Task Viewers_and_strangers_cannot_change_blocks()
    {
        var scene = await db.SharedAsync();
        var block = await db.BlockAsync(scene.Id, scene.Owner.Id, "Mine");
        var before = await db.FootprintAsync(scene.Id);

        foreach (var user in new[] { scene.Viewer, scene.Stranger })
        {
            await Assert.ThrowsAsync<NotPermittedException>(() => db.BlockAsync(scene.Id, user.Id, "no"));
            await Assert.ThrowsAsync<NotPermittedException>(() => Blocks.UpdateAsync(block.Id, new BlockUpdate { Content = "no" }, user.Id));
            await Assert.ThrowsAsync<NotPermittedException>(() => Blocks.MoveAsync(block.Id, null, 0, user.Id));
            await Assert.ThrowsAsync<NotPermittedException>(() => Blocks.ReorderAsync(scene.Id, null, [block.Id], user.Id));
            await Assert.ThrowsAsync<NotPermittedException>(() => Blocks.DeleteAsync(block.Id, user.Id));
        }

        Assert.Equal(before, await db.FootprintAsync(scene.Id));
    }
}
