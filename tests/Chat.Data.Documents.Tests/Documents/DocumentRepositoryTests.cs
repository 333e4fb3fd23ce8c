using Chat.Data.Chats;
using Chat.Data.Documents;
using Chat.Data.Entities;
using Npgsql;

namespace Chat.Data.Documents.Tests.Documents;

/// <summary>Documents: the context rule, finding, listing, updating, locking and deleting.</summary>
public sealed class DocumentRepositoryTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    private IDocumentRepository Documents => db.Documents;

    [Fact]
    public async Task Create_in_a_chat_stores_the_document_and_its_created_history_row_in_one_round_trip()
    {
        var (owner, _, group) = await db.GroupAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        Document document;
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            document = await Documents.CreateAsync(new NewDocument { Title = "Surat perjanjian", OwnerId = owner.Id, ChatId = group.Id, Cover = "sunset" });
            Assert.Equal(1, roundTrips.Count);
        }

        Assert.Equal(7, document.Id.Version);
        Assert.Equal("Surat perjanjian", document.Title);
        Assert.Equal("📄", document.Icon);
        Assert.Equal("sunset", document.Cover);
        Assert.Equal(owner.Id, document.OwnerId);
        Assert.Equal(group.Id, document.ChatId);
        Assert.False(document.IsStandalone);
        Assert.False(document.RequiresSignatures);
        Assert.False(document.IsLocked);
        Assert.Null(document.LockReason);
        Assert.InRange(document.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(document, await Documents.FindByIdAsync(document.Id));
        var created = Assert.Single((await db.DocumentHistory.ListAsync(document.Id)).Items);
        Assert.Equal(DocumentActions.Created, created.Action);
        Assert.Equal(owner.Id, created.UserId);
        Assert.Contains("Surat perjanjian", created.Details);
    }

    [Fact]
    public async Task Create_in_a_topic_puts_the_topic_as_the_documents_chat()
    {
        var (owner, members, group) = await db.GroupAsync();
        var topic = await db.Chats.CreateTopicAsync(new NewTopic { Name = "Lahan", CreatedBy = owner.Id, ParentChatId = group.Id, MemberIds = [members[0].Id] });

        var document = await Documents.CreateAsync(new NewDocument { Title = "Topic doc", OwnerId = owner.Id, ChatId = topic.Id, Icon = "🌾", RequireSignatures = true });

        Assert.Equal(topic.Id, document.ChatId);
        Assert.False(document.IsStandalone);
        Assert.True(document.RequiresSignatures);
        Assert.Equal("🌾", document.Icon);
        Assert.Equal([document.Id], (await Documents.ListByChatUncheckedAsync(topic.Id)).Items.Select(d => d.Id));
        Assert.Empty((await Documents.ListByChatUncheckedAsync(group.Id)).Items);
    }

    [Fact]
    public async Task Create_standalone_has_no_chat()
    {
        var owner = await db.Arrange.UserAsync();

        var document = await db.StandaloneAsync(owner.Id, "Catatan pribadi");

        Assert.Null(document.ChatId);
        Assert.True(document.IsStandalone);
        Assert.Equal([document.Id], (await Documents.ListByOwnerAsync(owner.Id)).Items.Select(d => d.Id));
    }

    [Fact]
    public async Task Exactly_one_context_holds_in_the_schema_is_standalone_is_derived_from_chat_id()
    {
        var (owner, _, group) = await db.GroupAsync();
        var document = await Documents.CreateAsync(new NewDocument { Title = "In chat", OwnerId = owner.Id, ChatId = group.Id });

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            db.ScalarAsync<int>("UPDATE chat.documents SET is_standalone = true WHERE id = @id", new { id = document.Id }));

        Assert.Equal("428C9", error.SqlState); // generated_always
        await db.ScalarAsync<int>("UPDATE chat.documents SET chat_id = NULL WHERE id = @id", new { id = document.Id });
        Assert.True((await Documents.FindByIdAsync(document.Id))!.IsStandalone);
    }

    [Fact]
    public async Task Create_in_a_chat_that_does_not_exist_or_was_soft_deleted_is_refused_and_writes_nothing()
    {
        var (owner, _, group) = await db.GroupAsync();
        await db.Chats.SoftDeleteAsync(group.Id);

        foreach (var chatId in new[] { Guid.CreateVersion7(), group.Id })
        {
            var error = await Assert.ThrowsAsync<ReferenceNotFoundException>(() =>
                Documents.CreateAsync(new NewDocument { Title = "Nowhere", OwnerId = owner.Id, ChatId = chatId }));
            Assert.Equal("ChatId", error.Field);
        }
        Assert.Empty((await Documents.ListByOwnerAsync(owner.Id)).Items);
    }

    [Fact]
    public async Task Create_in_a_chat_needs_the_owner_to_be_an_active_member()
    {
        var (owner, members, group) = await db.GroupAsync();
        var outsider = await db.Arrange.UserAsync();
        await db.Members.LeaveAsync(group.Id, members[0].Id);

        foreach (var userId in new[] { outsider.Id, members[0].Id })
        {
            var error = await Assert.ThrowsAsync<NotAMemberException>(() =>
                Documents.CreateAsync(new NewDocument { Title = "Not mine", OwnerId = userId, ChatId = group.Id }));
            Assert.Equal(group.Id, error.ChatId);
            Assert.Equal(userId, error.UserId);
            Assert.Empty((await Documents.ListByOwnerAsync(userId)).Items);
        }
        Assert.Empty((await Documents.ListByChatUncheckedAsync(group.Id)).Items);
    }

    [Fact]
    public async Task Create_for_an_owner_who_does_not_exist_is_refused()
    {
        var error = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => db.StandaloneAsync(Guid.CreateVersion7()));

        Assert.Equal("OwnerId", error.Field);
    }

    [Fact]
    public async Task Find_returns_null_for_an_unknown_id()
    {
        Assert.Null(await Documents.FindByIdAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Lists_by_chat_owner_and_tag_page_newest_first()
    {
        var (owner, _, group) = await db.GroupAsync();
        var inChat = new List<Document>();
        for (var i = 0; i < 5; i++)
            inChat.Add(await Documents.CreateAsync(new NewDocument { Title = $"Chat doc {i}", OwnerId = owner.Id, ChatId = group.Id }));
        var standalone = await db.StandaloneAsync(owner.Id);
        var tag = $"kontrak-{TestData.Next()}";
        foreach (var document in inChat.Where((_, i) => i % 2 == 0).Append(standalone))
            await db.Tags.AddAsync(document.Id, tag, owner.Id);

        var byChat = await AllPagesAsync(cursor => Documents.ListByChatUncheckedAsync(group.Id, cursor, 2));
        var byOwner = await AllPagesAsync(cursor => Documents.ListByOwnerAsync(owner.Id, cursor, 2));
        var byTag = await AllPagesAsync(cursor => Documents.ListByTagAsync(tag, cursor, 2));

        // Newest first by id: creation order to the millisecond, id order within one (Guid orders as uuid does).
        Assert.Equal(inChat.Select(d => d.Id).OrderDescending(), byChat);
        Assert.Equal(inChat.Append(standalone).Select(d => d.Id).OrderDescending(), byOwner);
        Assert.Equal(new[] { inChat[0], inChat[2], inChat[4], standalone }.Select(d => d.Id).OrderDescending(), byTag);
        Assert.Empty((await Documents.ListByTagAsync(tag.ToUpperInvariant())).Items);
    }

    private static async Task<List<Guid>> AllPagesAsync(Func<string?, Task<Page<Document>>> list)
    {
        var ids = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await list(cursor);
            Assert.InRange(page.Items.Count, 0, 2);
            ids.AddRange(page.Items.Select(d => d.Id));
            cursor = page.NextCursor;
            Assert.True(++pages < 10);
        }
        while (cursor is not null);
        return ids;
    }

    [Fact]
    public async Task Update_changes_only_what_is_set_and_logs_it_in_one_round_trip()
    {
        var scene = await db.SharedAsync();
        await Documents.UpdateAsync(scene.Id, new DocumentUpdate { Cover = "ocean" }, scene.Owner.Id);

        Document? updated;
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            updated = await Documents.UpdateAsync(scene.Id, new DocumentUpdate { Title = "Renamed", Cover = "" }, scene.Editor.Id);
            Assert.Equal(1, roundTrips.Count);
        }

        Assert.Equal("Renamed", updated!.Title);
        Assert.Equal(scene.Document.Icon, updated.Icon);
        Assert.Null(updated.Cover);
        Assert.True(updated.UpdatedAt > scene.Document.UpdatedAt);
        Assert.Equal(updated, await Documents.FindByIdAsync(scene.Id));
        var entry = (await db.DocumentHistory.ListAsync(scene.Id)).Items[0];
        Assert.Equal(DocumentActions.Updated, entry.Action);
        Assert.Equal(scene.Editor.Id, entry.UserId);
        Assert.Equal("""{"cover": "", "title": "Renamed"}""", entry.Details);
    }

    [Fact]
    public async Task An_empty_update_returns_the_document_without_a_history_row()
    {
        var scene = await db.SharedAsync();
        var before = await db.FootprintAsync(scene.Id);

        Assert.Equal(scene.Document, await Documents.UpdateAsync(scene.Id, new DocumentUpdate(), scene.Owner.Id));

        Assert.Equal(before, await db.FootprintAsync(scene.Id));
    }

    [Fact]
    public async Task Update_of_an_unknown_document_returns_null()
    {
        Assert.Null(await Documents.UpdateAsync(Guid.CreateVersion7(), new DocumentUpdate { Title = "x" }, Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Manual_lock_and_unlock_are_the_owners_logged_and_idempotent()
    {
        var scene = await db.SharedAsync();

        var locked = await Documents.LockAsync(scene.Id, scene.Owner.Id);
        var again = await Documents.LockAsync(scene.Id, scene.Owner.Id);

        Assert.True(locked!.IsLocked);
        Assert.Equal(LockReason.Manual, locked.LockReason);
        Assert.Equal(locked, again);
        await Assert.ThrowsAsync<NotPermittedException>(() => Documents.UnlockAsync(scene.Id, scene.Editor.Id));
        var unlocked = await Documents.UnlockAsync(scene.Id, scene.Owner.Id);
        Assert.False(unlocked!.IsLocked);
        Assert.Null(unlocked.LockReason);
        Assert.Equal(unlocked, await Documents.UnlockAsync(scene.Id, scene.Owner.Id));
        Assert.Equal(
            [DocumentActions.Created, DocumentActions.CollaboratorAdded, DocumentActions.CollaboratorAdded, DocumentActions.Locked, DocumentActions.Unlocked],
            await db.ActionsAsync(scene.Id));
        Assert.Equal("""{"reason": "manual"}""", (await db.DocumentHistory.ListAsync(scene.Id)).Items[1].Details);
    }

    [Fact]
    public async Task Only_the_owner_locks_and_unlocking_an_unknown_document_returns_null()
    {
        var scene = await db.SharedAsync();

        foreach (var user in new[] { scene.Editor, scene.Viewer, scene.Stranger })
            await Assert.ThrowsAsync<NotPermittedException>(() => Documents.LockAsync(scene.Id, user.Id));

        Assert.False((await Documents.FindByIdAsync(scene.Id))!.IsLocked);
        Assert.Null(await Documents.LockAsync(Guid.CreateVersion7(), scene.Owner.Id));
        Assert.Null(await Documents.UnlockAsync(Guid.CreateVersion7(), scene.Owner.Id));
    }

    [Fact]
    public async Task Delete_is_the_owners_and_cascades_to_everything_under_the_document()
    {
        var scene = await db.SharedAsync();
        var parent = await db.BlockAsync(scene.Id, scene.Owner.Id, "Toggle", type: BlockType.Toggle);
        await db.BlockAsync(scene.Id, scene.Owner.Id, "Child", parent.Id);
        await db.Signatures.AddSignerAsync(scene.Id, scene.Viewer.Id, scene.Owner.Id);
        await db.Tags.AddAsync(scene.Id, "urgent", scene.Owner.Id);
        var entity = await db.Entities.CreateAsync(new NewEntity { Name = "Lahan A-12", Type = "lahan", OwnerId = scene.Owner.Id });
        await db.Entities.LinkAsync(scene.Id, entity.Id, scene.Owner.Id);

        await Assert.ThrowsAsync<NotPermittedException>(() => Documents.DeleteAsync(scene.Id, scene.Editor.Id));
        Assert.True(await Documents.DeleteAsync(scene.Id, scene.Owner.Id));

        Assert.Null(await Documents.FindByIdAsync(scene.Id));
        foreach (var table in new[] { "document_blocks", "document_collaborators", "document_signers", "document_tags", "document_history", "document_entities" })
            Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM chat.{table} WHERE document_id = @id", new { id = scene.Id }));
        Assert.NotNull(await db.Entities.FindByIdAsync(entity.Id));
        Assert.False(await Documents.DeleteAsync(scene.Id, scene.Owner.Id));
    }

    [Fact]
    public async Task A_locked_document_cannot_be_deleted()
    {
        var scene = await db.SharedAsync();
        await Documents.LockAsync(scene.Id, scene.Owner.Id);

        var error = await Assert.ThrowsAsync<DocumentLockedException>(() => Documents.DeleteAsync(scene.Id, scene.Owner.Id));

        Assert.Equal(scene.Id, error.DocumentId);
        Assert.Equal(LockReason.Manual, error.LockReason);
        Assert.NotNull(await Documents.FindByIdAsync(scene.Id));
    }

    [Fact]
    public async Task Deleting_a_chat_deletes_its_topics_and_their_documents_and_its_own_become_standalone_with_everything_under_them()
    {
        var (owner, members, group) = await db.GroupAsync();
        var topic = await db.Chats.CreateTopicAsync(new NewTopic { Name = "Kendaraan", CreatedBy = owner.Id, ParentChatId = group.Id, MemberIds = [members[0].Id] });
        var inChat = await Documents.CreateAsync(new NewDocument { Title = "In chat", OwnerId = owner.Id, ChatId = group.Id });
        var inTopic = await Documents.CreateAsync(new NewDocument { Title = "In topic", OwnerId = owner.Id, ChatId = topic.Id });
        await db.BlockAsync(inTopic.Id, owner.Id, "Still here");
        await db.Tags.AddAsync(inTopic.Id, "kept", owner.Id);
        var before = await db.FootprintAsync(inTopic.Id);

        Assert.True(await db.Chats.DeleteAsync(group.Id));

        Assert.Null(await db.Chats.FindByIdUncheckedAsync(topic.Id));
        foreach (var id in new[] { inChat.Id, inTopic.Id })
        {
            var document = await Documents.FindByIdAsync(id);
            Assert.Null(document!.ChatId);
            Assert.True(document.IsStandalone);
        }
        Assert.Equal(before, await db.FootprintAsync(inTopic.Id));
        Assert.Equal(2, (await Documents.ListByOwnerAsync(owner.Id)).Items.Count);
        Assert.Empty((await Documents.ListByChatUncheckedAsync(topic.Id)).Items);
    }

    [Fact]
    public async Task A_soft_deleted_chat_keeps_its_documents()
    {
        var (owner, _, group) = await db.GroupAsync();
        var document = await Documents.CreateAsync(new NewDocument { Title = "Kept", OwnerId = owner.Id, ChatId = group.Id });

        await db.Chats.SoftDeleteAsync(group.Id);

        Assert.Equal(group.Id, (await Documents.FindByIdAsync(document.Id))!.ChatId);
    }

    [Fact]
    public async Task Deleting_the_owner_deletes_their_documents_and_other_users_history_rows_lose_their_author()
    {
        var scene = await db.SharedAsync();
        var other = await db.StandaloneAsync(scene.Editor.Id);
        await db.Collaborators.AddAsync(other.Id, scene.Owner.Id, CollaboratorRole.Editor, scene.Editor.Id);
        await db.Tags.AddAsync(other.Id, "by-owner", scene.Owner.Id);

        Assert.True(await db.Users.DeleteAsync(scene.Owner.Id));

        Assert.Null(await Documents.FindByIdAsync(scene.Id));
        Assert.Empty(await db.Collaborators.ListAsync(other.Id));
        var tagged = (await db.DocumentHistory.ListAsync(other.Id)).Items[0];
        Assert.Equal(DocumentActions.TagAdded, tagged.Action);
        Assert.Null(tagged.UserId);
    }
}
