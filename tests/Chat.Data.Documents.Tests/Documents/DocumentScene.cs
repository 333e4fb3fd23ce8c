using Chat.Data.Chats;
using Chat.Data.Documents;
using Chat.Data.Users;
using Dapper;

namespace Chat.Data.Documents.Tests.Documents;

/// <summary>A document with an owner, an editor, a viewer and a stranger, made with the real repositories.</summary>
internal sealed record SharedDocument(Document Document, User Owner, User Editor, User Viewer, User Stranger)
{
    public Guid Id => Document.Id;
}

/// <summary>Scenes for the document tests, and raw reads of what the document repositories wrote.</summary>
internal static class DocumentScene
{
    /// <summary>A group of the owner and <paramref name="members"/> other fresh users.</summary>
    public static async Task<(User Owner, User[] Members, ChatRoom Group)> GroupAsync(this DocumentsDatabaseFixture db, int members = 1)
    {
        var owner = await db.Arrange.UserAsync("Owner");
        var others = await db.Arrange.UsersAsync(members);
        var group = await db.Chats.CreateGroupAsync(new NewGroupChat { Name = "Documents team", CreatedBy = owner.Id, MemberIds = others.Select(u => u.Id).ToArray() });
        return (owner, others, group);
    }

    public static Task<Document> StandaloneAsync(this DocumentsDatabaseFixture db, Guid ownerId, string title = "Standalone", bool requireSignatures = false) =>
        db.Documents.CreateAsync(new NewDocument { Title = title, OwnerId = ownerId, RequireSignatures = requireSignatures });

    /// <summary>A standalone document shared with an editor and a viewer, and a stranger who has no part in it.</summary>
    public static async Task<SharedDocument> SharedAsync(this DocumentsDatabaseFixture db, bool requireSignatures = false)
    {
        var (owner, editor, viewer, stranger) = (await db.Arrange.UserAsync("Owner"), await db.Arrange.UserAsync("Editor"),
            await db.Arrange.UserAsync("Viewer"), await db.Arrange.UserAsync("Stranger"));
        var document = await db.StandaloneAsync(owner.Id, "Shared", requireSignatures);
        await db.Collaborators.AddAsync(document.Id, editor.Id, CollaboratorRole.Editor, owner.Id);
        await db.Collaborators.AddAsync(document.Id, viewer.Id, CollaboratorRole.Viewer, owner.Id);
        return new SharedDocument((await db.Documents.FindByIdAsync(document.Id))!, owner, editor, viewer, stranger);
    }

    public static Task<DocumentBlock> BlockAsync(this DocumentsDatabaseFixture db, Guid documentId, Guid actorId, string content, Guid? parentBlockId = null, int? position = null, BlockType type = BlockType.Paragraph) =>
        db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = documentId, Type = type, Content = content, ParentBlockId = parentBlockId, Position = position }, actorId);

    /// <summary>The document's history actions, oldest first, straight from the table.</summary>
    public static async Task<List<string>> ActionsAsync(this DocumentsDatabaseFixture db, Guid documentId)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<string>(
            "SELECT action FROM chat.document_history WHERE document_id = @documentId ORDER BY id", new { documentId })).ToList();
    }

    /// <summary>Everything under a document, counted per table, to check that a refused call wrote nothing.</summary>
    public static async Task<string> FootprintAsync(this DocumentsDatabaseFixture db, Guid documentId)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleAsync<string>("""
            SELECT concat_ws(' | ',
                (SELECT row(d.title, d.icon, d.cover, d.locked_at, d.lock_reason, d.updated_at)::text FROM chat.documents d WHERE d.id = @documentId),
                (SELECT string_agg(row(b.id, b.parent_block_id, b.type, b.content, b.checked, b.sort_order, b.updated_at)::text, ',' ORDER BY b.id) FROM chat.document_blocks b WHERE b.document_id = @documentId),
                (SELECT string_agg(row(c.user_id, c.role)::text, ',' ORDER BY c.user_id) FROM chat.document_collaborators c WHERE c.document_id = @documentId),
                (SELECT string_agg(row(s.user_id, s.signed_at, s.signer_name)::text, ',' ORDER BY s.user_id) FROM chat.document_signers s WHERE s.document_id = @documentId),
                (SELECT string_agg(t.tag, ',' ORDER BY t.tag) FROM chat.document_tags t WHERE t.document_id = @documentId),
                (SELECT string_agg(l.entity_id::text, ',' ORDER BY l.entity_id) FROM chat.document_entities l WHERE l.document_id = @documentId),
                (SELECT count(*) FROM chat.document_history h WHERE h.document_id = @documentId))
            """, new { documentId });
    }

    public static async Task<T> ScalarAsync<T>(this DocumentsDatabaseFixture db, string sql, object? param = null)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, param))!;
    }
}
