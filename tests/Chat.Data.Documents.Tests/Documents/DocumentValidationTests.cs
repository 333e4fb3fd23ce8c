using Chat.Data.Documents;

namespace Chat.Data.Documents.Tests.Documents;

/// <summary>Bad input to every public method of the document repositories is refused before the database, naming the field.</summary>
public sealed class DocumentValidationTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    /// <summary>A real document with a block, so that only the input under test is wrong.</summary>
    public sealed record Target(DocumentsDatabaseFixture Db, Guid DocumentId, Guid OwnerId, Guid BlockId);

    private static readonly Guid E = Guid.Empty;
    private static readonly string Long = new('x', 100_001);

    public static TheoryData<string, string, Func<Target, Task>> BadCalls => new()
    {
        // Documents
        { "create: blank title", "Title", t => t.Db.Documents.CreateAsync(new NewDocument { Title = "  ", OwnerId = t.OwnerId }) },
        { "create: long title", "Title", t => t.Db.Documents.CreateAsync(new NewDocument { Title = new string('t', 201), OwnerId = t.OwnerId }) },
        { "create: NUL title", "Title", t => t.Db.Documents.CreateAsync(new NewDocument { Title = "a\0b", OwnerId = t.OwnerId }) },
        { "create: empty owner", "OwnerId", t => t.Db.Documents.CreateAsync(new NewDocument { Title = "x", OwnerId = E }) },
        { "create: empty chat", "ChatId", t => t.Db.Documents.CreateAsync(new NewDocument { Title = "x", OwnerId = t.OwnerId, ChatId = E }) },
        { "create: empty icon", "Icon", t => t.Db.Documents.CreateAsync(new NewDocument { Title = "x", OwnerId = t.OwnerId, Icon = "" }) },
        { "create: long icon", "Icon", t => t.Db.Documents.CreateAsync(new NewDocument { Title = "x", OwnerId = t.OwnerId, Icon = new string('i', 51) }) },
        { "create: long cover", "Cover", t => t.Db.Documents.CreateAsync(new NewDocument { Title = "x", OwnerId = t.OwnerId, Cover = new string('c', 501) }) },
        { "create: NUL cover", "Cover", t => t.Db.Documents.CreateAsync(new NewDocument { Title = "x", OwnerId = t.OwnerId, Cover = "\0" }) },
        { "find: empty id", "documentId", t => t.Db.Documents.FindByIdAsync(E) },
        { "list by chat: empty id", "chatId", t => t.Db.Documents.ListByChatUncheckedAsync(E) },
        { "list by chat: limit 0", "limit", t => t.Db.Documents.ListByChatUncheckedAsync(t.DocumentId, limit: 0) },
        { "list by chat: bad cursor", "cursor", t => t.Db.Documents.ListByChatUncheckedAsync(t.DocumentId, "not-a-cursor") },
        { "list by owner: empty id", "ownerId", t => t.Db.Documents.ListByOwnerAsync(E) },
        { "list by owner: limit 201", "limit", t => t.Db.Documents.ListByOwnerAsync(t.OwnerId, limit: 201) },
        { "list by owner: bad cursor", "cursor", t => t.Db.Documents.ListByOwnerAsync(t.OwnerId, "QQ") },
        { "list by tag: blank", "tag", t => t.Db.Documents.ListByTagAsync(" ") },
        { "list by tag: long", "tag", t => t.Db.Documents.ListByTagAsync(new string('g', 101)) },
        { "list by tag: limit -1", "limit", t => t.Db.Documents.ListByTagAsync("x", limit: -1) },
        { "update: empty id", "documentId", t => t.Db.Documents.UpdateAsync(E, new DocumentUpdate { Title = "x" }, t.OwnerId) },
        { "update: empty actor", "actorId", t => t.Db.Documents.UpdateAsync(t.DocumentId, new DocumentUpdate { Title = "x" }, E) },
        { "update: blank title", "Title", t => t.Db.Documents.UpdateAsync(t.DocumentId, new DocumentUpdate { Title = "" }, t.OwnerId) },
        { "update: blank icon", "Icon", t => t.Db.Documents.UpdateAsync(t.DocumentId, new DocumentUpdate { Icon = " " }, t.OwnerId) },
        { "update: long cover", "Cover", t => t.Db.Documents.UpdateAsync(t.DocumentId, new DocumentUpdate { Cover = new string('c', 501) }, t.OwnerId) },
        { "lock: empty id", "documentId", t => t.Db.Documents.LockAsync(E, t.OwnerId) },
        { "lock: empty actor", "actorId", t => t.Db.Documents.LockAsync(t.DocumentId, E) },
        { "unlock: empty id", "documentId", t => t.Db.Documents.UnlockAsync(E, t.OwnerId) },
        { "unlock: empty actor", "actorId", t => t.Db.Documents.UnlockAsync(t.DocumentId, E) },
        { "delete: empty id", "documentId", t => t.Db.Documents.DeleteAsync(E, t.OwnerId) },
        { "delete: empty actor", "actorId", t => t.Db.Documents.DeleteAsync(t.DocumentId, E) },

        // Collaborators
        { "add collaborator: empty document", "documentId", t => t.Db.Collaborators.AddAsync(E, t.OwnerId, CollaboratorRole.Editor, t.OwnerId) },
        { "add collaborator: empty user", "userId", t => t.Db.Collaborators.AddAsync(t.DocumentId, E, CollaboratorRole.Editor, t.OwnerId) },
        { "add collaborator: empty actor", "actorId", t => t.Db.Collaborators.AddAsync(t.DocumentId, t.OwnerId, CollaboratorRole.Editor, E) },
        { "add collaborator: unknown role", "role", t => t.Db.Collaborators.AddAsync(t.DocumentId, t.OwnerId, (CollaboratorRole)7, t.OwnerId) },
        { "change role: empty user", "userId", t => t.Db.Collaborators.ChangeRoleAsync(t.DocumentId, E, CollaboratorRole.Viewer, t.OwnerId) },
        { "change role: unknown role", "role", t => t.Db.Collaborators.ChangeRoleAsync(t.DocumentId, t.OwnerId, (CollaboratorRole)(-1), t.OwnerId) },
        { "remove collaborator: empty document", "documentId", t => t.Db.Collaborators.RemoveAsync(E, t.OwnerId, t.OwnerId) },
        { "remove collaborator: empty actor", "actorId", t => t.Db.Collaborators.RemoveAsync(t.DocumentId, t.OwnerId, E) },
        { "list collaborators: empty id", "documentId", t => t.Db.Collaborators.ListAsync(E) },

        // Signatures
        { "add signer: empty document", "documentId", t => t.Db.Signatures.AddSignerAsync(E, t.OwnerId, t.OwnerId) },
        { "add signer: empty user", "userId", t => t.Db.Signatures.AddSignerAsync(t.DocumentId, E, t.OwnerId) },
        { "add signer: empty actor", "actorId", t => t.Db.Signatures.AddSignerAsync(t.DocumentId, t.OwnerId, E) },
        { "remove signer: empty user", "userId", t => t.Db.Signatures.RemoveSignerAsync(t.DocumentId, E, t.OwnerId) },
        { "sign: empty document", "documentId", t => t.Db.Signatures.SignAsync(E, t.OwnerId, "Name") },
        { "sign: empty user", "userId", t => t.Db.Signatures.SignAsync(t.DocumentId, E, "Name") },
        { "sign: blank name", "signerName", t => t.Db.Signatures.SignAsync(t.DocumentId, t.OwnerId, " ") },
        { "sign: long name", "signerName", t => t.Db.Signatures.SignAsync(t.DocumentId, t.OwnerId, new string('n', 101)) },
        { "sign: NUL name", "signerName", t => t.Db.Signatures.SignAsync(t.DocumentId, t.OwnerId, "Na\0me") },
        { "status: empty id", "documentId", t => t.Db.Signatures.GetStatusAsync(E) },

        // Tags
        { "add tag: empty document", "documentId", t => t.Db.Tags.AddAsync(E, "x", t.OwnerId) },
        { "add tag: empty actor", "actorId", t => t.Db.Tags.AddAsync(t.DocumentId, "x", E) },
        { "add tag: blank", "tag", t => t.Db.Tags.AddAsync(t.DocumentId, "", t.OwnerId) },
        { "add tag: long", "tag", t => t.Db.Tags.AddAsync(t.DocumentId, new string('g', 101), t.OwnerId) },
        { "add tag: NUL", "tag", t => t.Db.Tags.AddAsync(t.DocumentId, "a\0", t.OwnerId) },
        { "remove tag: blank", "tag", t => t.Db.Tags.RemoveAsync(t.DocumentId, "\t", t.OwnerId) },
        { "list tags: empty id", "documentId", t => t.Db.Tags.ListAsync(E) },

        // Blocks
        { "add block: empty document", "DocumentId", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = E, Type = BlockType.Paragraph }, t.OwnerId) },
        { "add block: empty actor", "actorId", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Paragraph }, E) },
        { "add block: unknown type", "Type", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = (BlockType)13 }, t.OwnerId) },
        { "add block: empty parent", "ParentBlockId", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Paragraph, ParentBlockId = E }, t.OwnerId) },
        { "add block: negative position", "Position", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Paragraph, Position = -1 }, t.OwnerId) },
        { "add block: long content", "Content", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Paragraph, Content = Long }, t.OwnerId) },
        { "add block: NUL content", "Content", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Paragraph, Content = "\0" }, t.OwnerId) },
        { "add block: rows not an array", "Rows", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Table, Rows = "{}" }, t.OwnerId) },
        { "add block: rows not JSON", "Rows", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Table, Rows = "[1," }, t.OwnerId) },
        { "add block: empty rows", "Rows", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Table, Rows = "" }, t.OwnerId) },
        { "add block: columns not an array", "Columns", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Table, Columns = "1" }, t.OwnerId) },
        { "add block: long language", "Language", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Code, Language = new string('l', 31) }, t.OwnerId) },
        { "add block: long emoji", "Emoji", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Callout, Emoji = new string('e', 51) }, t.OwnerId) },
        { "add block: long color", "Color", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Paragraph, Color = new string('c', 21) }, t.OwnerId) },
        { "add block: checked paragraph", "Checked", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Paragraph, Checked = false }, t.OwnerId) },
        { "add block: rows on a quote", "Rows", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Quote, Rows = "[]" }, t.OwnerId) },
        { "add block: columns on a toggle", "Columns", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Toggle, Columns = "[]" }, t.OwnerId) },
        { "add block: language on a quote", "Language", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Quote, Language = "go" }, t.OwnerId) },
        { "add block: emoji on a heading", "Emoji", t => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Heading1, Emoji = "🔥" }, t.OwnerId) },
        { "find block: empty id", "blockId", t => t.Db.DocumentBlocks.FindByIdAsync(E) },
        { "tree: empty id", "documentId", t => t.Db.DocumentBlocks.ListTreeAsync(E) },
        { "update block: empty id", "blockId", t => t.Db.DocumentBlocks.UpdateAsync(E, new BlockUpdate { Content = "x" }, t.OwnerId) },
        { "update block: empty actor", "actorId", t => t.Db.DocumentBlocks.UpdateAsync(t.BlockId, new BlockUpdate { Content = "x" }, E) },
        { "update block: unknown type", "Type", t => t.Db.DocumentBlocks.UpdateAsync(t.BlockId, new BlockUpdate { Type = (BlockType)99 }, t.OwnerId) },
        { "update block: long content", "Content", t => t.Db.DocumentBlocks.UpdateAsync(t.BlockId, new BlockUpdate { Content = Long }, t.OwnerId) },
        { "update block: rows not an array", "Rows", t => t.Db.DocumentBlocks.UpdateAsync(t.BlockId, new BlockUpdate { Type = BlockType.Table, Rows = "\"row\"" }, t.OwnerId) },
        { "update block: checked on a new paragraph", "Checked", t => t.Db.DocumentBlocks.UpdateAsync(t.BlockId, new BlockUpdate { Type = BlockType.Paragraph, Checked = true }, t.OwnerId) },
        { "update block: NUL color", "Color", t => t.Db.DocumentBlocks.UpdateAsync(t.BlockId, new BlockUpdate { Color = "\0" }, t.OwnerId) },
        { "move: empty id", "blockId", t => t.Db.DocumentBlocks.MoveAsync(E, null, null, t.OwnerId) },
        { "move: empty actor", "actorId", t => t.Db.DocumentBlocks.MoveAsync(t.BlockId, null, null, E) },
        { "move: empty parent", "parentBlockId", t => t.Db.DocumentBlocks.MoveAsync(t.BlockId, E, null, t.OwnerId) },
        { "move: negative position", "position", t => t.Db.DocumentBlocks.MoveAsync(t.BlockId, null, -2, t.OwnerId) },
        { "move: under itself", "parentBlockId", t => t.Db.DocumentBlocks.MoveAsync(t.BlockId, t.BlockId, null, t.OwnerId) },
        { "reorder: empty document", "documentId", t => t.Db.DocumentBlocks.ReorderAsync(E, null, [t.BlockId], t.OwnerId) },
        { "reorder: empty actor", "actorId", t => t.Db.DocumentBlocks.ReorderAsync(t.DocumentId, null, [t.BlockId], E) },
        { "reorder: empty parent", "parentBlockId", t => t.Db.DocumentBlocks.ReorderAsync(t.DocumentId, E, [t.BlockId], t.OwnerId) },
        { "reorder: an empty id", "blockIds[1]", t => t.Db.DocumentBlocks.ReorderAsync(t.DocumentId, null, [t.BlockId, E], t.OwnerId) },
        { "reorder: a repeated id", "blockIds", t => t.Db.DocumentBlocks.ReorderAsync(t.DocumentId, null, [t.BlockId, t.BlockId], t.OwnerId) },
        { "reorder: too many ids", "blockIds", t => t.Db.DocumentBlocks.ReorderAsync(t.DocumentId, null, Enumerable.Range(0, 1001).Select(_ => Guid.NewGuid()).ToArray(), t.OwnerId) },
        { "delete block: empty id", "blockId", t => t.Db.DocumentBlocks.DeleteAsync(E, t.OwnerId) },
        { "delete block: empty actor", "actorId", t => t.Db.DocumentBlocks.DeleteAsync(t.BlockId, E) },

        // History
        { "append: empty document", "documentId", t => t.Db.DocumentHistory.AppendAsync(E, "viewed") },
        { "append: blank action", "action", t => t.Db.DocumentHistory.AppendAsync(t.DocumentId, " ") },
        { "append: long action", "action", t => t.Db.DocumentHistory.AppendAsync(t.DocumentId, new string('a', 51)) },
        { "append: NUL action", "action", t => t.Db.DocumentHistory.AppendAsync(t.DocumentId, "view\0ed") },
        { "append: empty user", "userId", t => t.Db.DocumentHistory.AppendAsync(t.DocumentId, "viewed", E) },
        { "append: details not an object", "details", t => t.Db.DocumentHistory.AppendAsync(t.DocumentId, "viewed", t.OwnerId, "[1]") },
        { "append: details not JSON", "details", t => t.Db.DocumentHistory.AppendAsync(t.DocumentId, "viewed", t.OwnerId, "{") },
        { "history: empty id", "documentId", t => t.Db.DocumentHistory.ListAsync(E) },
        { "history: limit 0", "limit", t => t.Db.DocumentHistory.ListAsync(t.DocumentId, limit: 0) },
        { "history: bad cursor", "cursor", t => t.Db.DocumentHistory.ListAsync(t.DocumentId, "eA") },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task Bad_input_is_refused_before_the_database_naming_the_field_and_nothing_is_written(string call, string field, Func<Target, Task> run)
    {
        var owner = await db.Arrange.UserAsync();
        var document = await db.StandaloneAsync(owner.Id);
        var block = await db.BlockAsync(document.Id, owner.Id, "block", type: BlockType.Checklist);
        var before = await db.FootprintAsync(document.Id);

        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => run(new Target(db, document.Id, owner.Id, block.Id)));
            Assert.True(field == error.Field, $"{call}: expected field {field}, got {error.Field} ({error.Reason})");
            Assert.Equal(0, roundTrips.Count);
        }

        Assert.Equal(before, await db.FootprintAsync(document.Id));
        Assert.Single((await db.Documents.ListByOwnerAsync(owner.Id)).Items);
    }

    [Fact]
    public async Task Null_arguments_are_refused()
    {
        var owner = await db.Arrange.UserAsync();
        var document = await db.StandaloneAsync(owner.Id);

        await Assert.ThrowsAsync<ArgumentNullException>(() => db.Documents.CreateAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => db.Documents.UpdateAsync(document.Id, null!, owner.Id));
        await Assert.ThrowsAsync<ArgumentNullException>(() => db.DocumentBlocks.CreateAsync(null!, owner.Id));
        await Assert.ThrowsAsync<ArgumentNullException>(() => db.DocumentBlocks.UpdateAsync(document.Id, null!, owner.Id));
        await Assert.ThrowsAsync<ArgumentNullException>(() => db.DocumentBlocks.ReorderAsync(document.Id, null, null!, owner.Id));
        var nullName = await Assert.ThrowsAsync<ChatDataValidationException>(() => db.Signatures.SignAsync(document.Id, owner.Id, null!));
        Assert.Equal("signerName", nullName.Field);
        var nullTag = await Assert.ThrowsAsync<ChatDataValidationException>(() => db.Tags.AddAsync(document.Id, null!, owner.Id));
        Assert.Equal("tag", nullTag.Field);
    }

    [Fact]
    public async Task A_field_the_blocks_own_type_does_not_use_is_refused_by_the_database_check_naming_it()
    {
        var owner = await db.Arrange.UserAsync();
        var document = await db.StandaloneAsync(owner.Id);
        var paragraph = await db.BlockAsync(document.Id, owner.Id, "text");
        var before = await db.FootprintAsync(document.Id);

        foreach (var (update, field) in new (BlockUpdate, string)[]
                 {
                     (new BlockUpdate { Checked = true }, "Checked"),
                     (new BlockUpdate { Rows = "[]" }, "Rows"),
                     (new BlockUpdate { Columns = "[]" }, "Columns"),
                     (new BlockUpdate { Language = "go" }, "Language"),
                     (new BlockUpdate { Emoji = "🔥" }, "Emoji"),
                 })
        {
            var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => db.DocumentBlocks.UpdateAsync(paragraph.Id, update, owner.Id));
            Assert.Equal(field, error.Field);
        }

        Assert.Equal(before, await db.FootprintAsync(document.Id));
    }
}
