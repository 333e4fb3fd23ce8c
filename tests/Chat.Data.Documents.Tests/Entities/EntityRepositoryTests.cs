using Chat.Data.Documents;
using Chat.Data.Entities;
using Chat.Data.Documents.Tests.Documents;
using Chat.Data.Users;
using Dapper;

namespace Chat.Data.Documents.Tests.Entities;

/// <summary>Entities: free-form and contact entities, search, links to documents, cascades.</summary>
public sealed class EntityRepositoryTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    private IEntityRepository Entities => db.Entities;

    private Task<Entity> EntityAsync(Guid ownerId, string name, string? type = null, Guid? contactUserId = null) =>
        Entities.CreateAsync(new NewEntity { Name = name, Type = type, OwnerId = ownerId, ContactUserId = contactUserId });

    private static async Task<List<T>> AllPagesAsync<T>(Func<string?, Task<Page<T>>> list)
    {
        var items = new List<T>();
        string? cursor = null;
        do
        {
            var page = await list(cursor);
            items.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return items;
    }

    [Fact]
    public async Task Create_a_free_form_entity_and_a_contact_entity_in_one_round_trip_each()
    {
        var (owner, contact) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());

        Entity plot;
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            plot = await EntityAsync(owner.Id, "Sawah Blok C", "lahan");
            Assert.Equal(1, roundTrips.Count);
        }
        var person = await EntityAsync(owner.Id, "Pak Joko", "kontak", contact.Id);
        var untyped = await EntityAsync(owner.Id, "Sesuatu");

        Assert.Equal(7, plot.Id.Version);
        Assert.Equal(("Sawah Blok C", "lahan", owner.Id, (Guid?)null), (plot.Name, plot.Type, plot.OwnerId, plot.ContactUserId));
        Assert.Equal(contact.Id, person.ContactUserId);
        Assert.Null(untyped.Type);
        foreach (var entity in new[] { plot, person, untyped })
            Assert.Equal(entity, await Entities.FindByIdAsync(entity.Id));
        Assert.Null(await Entities.FindByIdAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Create_for_a_missing_owner_or_contact_user_is_refused_naming_the_field()
    {
        var owner = await db.Arrange.UserAsync();

        Assert.Equal("OwnerId", (await Assert.ThrowsAsync<ReferenceNotFoundException>(() => EntityAsync(Guid.CreateVersion7(), "x"))).Field);
        Assert.Equal("ContactUserId", (await Assert.ThrowsAsync<ReferenceNotFoundException>(() => EntityAsync(owner.Id, "x", "kontak", Guid.CreateVersion7()))).Field);
        Assert.Empty((await Entities.ListByOwnerAsync(owner.Id)).Items);
    }

    [Fact]
    public async Task List_by_owner_goes_by_name_case_insensitively_filters_by_type_and_pages()
    {
        var (owner, other) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        foreach (var (name, type) in new[] { ("truk", "kendaraan"), ("Avanza", "kendaraan"), ("sawah", "lahan"), ("Bu Rina", "kontak"), ("Motor|Lama", "kendaraan") })
            await EntityAsync(owner.Id, name, type);
        await EntityAsync(other.Id, "Not mine", "kendaraan");

        var all = await AllPagesAsync(cursor => Entities.ListByOwnerAsync(owner.Id, cursor: cursor, limit: 2));
        var vehicles = await AllPagesAsync(cursor => Entities.ListByOwnerAsync(owner.Id, "kendaraan", cursor, 1));

        Assert.Equal(["Avanza", "Bu Rina", "Motor|Lama", "sawah", "truk"], all.Select(e => e.Name));
        Assert.Equal(["Avanza", "Motor|Lama", "truk"], vehicles.Select(e => e.Name));
        Assert.Empty((await Entities.ListByOwnerAsync(owner.Id, "KENDARAAN")).Items);
    }

    [Fact]
    public async Task Search_is_case_insensitive_substring_with_prefix_matches_first()
    {
        var (owner, other) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        foreach (var name in new[] { "Tanah Abang", "Kebun tanah merah", "TANAH Ujung", "Rumah", "Pertanahan", "tanah subur", "Tan" })
            await EntityAsync(owner.Id, name, "lahan");
        await EntityAsync(other.Id, "Tanah orang lain");

        var hits = (await Entities.SearchAsync(owner.Id, "tanah")).Items.Select(e => e.Name);

        Assert.Equal(["Tanah Abang", "tanah subur", "TANAH Ujung", "Kebun tanah merah", "Pertanahan"], hits);
        Assert.Equal(["Rumah"], (await Entities.SearchAsync(owner.Id, "UMA")).Items.Select(e => e.Name));
        Assert.Empty((await Entities.SearchAsync(owner.Id, "xyz")).Items);
    }

    [Fact]
    public async Task Search_treats_like_wildcards_literally_and_finds_non_latin_names()
    {
        var owner = await db.Arrange.UserAsync();
        foreach (var name in new[] { "100% lunas", "1000 lunas", "a_b", "axb", "東京の土地", "Участок 5" })
            await EntityAsync(owner.Id, name);

        Assert.Equal(["100% lunas"], (await Entities.SearchAsync(owner.Id, "0%")).Items.Select(e => e.Name));
        Assert.Equal(["a_b"], (await Entities.SearchAsync(owner.Id, "_")).Items.Select(e => e.Name));
        Assert.Equal(["東京の土地"], (await Entities.SearchAsync(owner.Id, "土地")).Items.Select(e => e.Name));
        Assert.Equal(["Участок 5"], (await Entities.SearchAsync(owner.Id, "участок")).Items.Select(e => e.Name));
    }

    [Fact]
    public async Task Search_pages_through_prefix_then_substring_matches()
    {
        var owner = await db.Arrange.UserAsync();
        var names = new[] { "mobil a", "Mobil b", "mobil|c", "sewa mobil", "x mobil", "ada Mobil" };
        foreach (var name in names)
            await EntityAsync(owner.Id, name);

        var paged = await AllPagesAsync(cursor => Entities.SearchAsync(owner.Id, "mobil", cursor, 2));

        Assert.Equal(["mobil a", "Mobil b", "mobil|c", "ada Mobil", "sewa mobil", "x mobil"], paged.Select(e => e.Name));
    }

    [Fact]
    public async Task The_name_search_can_use_the_trigram_index()
    {
        await using var connection = await db.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off", transaction: transaction);

        var plan = string.Join("\n", await connection.QueryAsync<string>(
            "EXPLAIN SELECT id FROM chat.entities e WHERE e.name ILIKE '%tanah%'", transaction: transaction));

        Assert.Contains("entities_name_trgm_idx", plan);
    }

    [Fact]
    public async Task Link_unlink_and_list_in_both_directions_are_many_to_many_and_logged()
    {
        var scene = await db.SharedAsync();
        var owner = scene.Owner.Id;
        var other = await db.StandaloneAsync(owner);
        var (truck, plot, person) = (await EntityAsync(owner, "Truk", "kendaraan"), await EntityAsync(owner, "Lahan A", "lahan"), await EntityAsync(owner, "Bu Sri", "kontak", scene.Viewer.Id));

        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            Assert.True(await Entities.LinkAsync(scene.Id, truck.Id, scene.Editor.Id));
            Assert.Equal(1, roundTrips.Count);
        }
        Assert.True(await Entities.LinkAsync(scene.Id, plot.Id, owner));
        Assert.True(await Entities.LinkAsync(scene.Id, person.Id, owner));
        Assert.True(await Entities.LinkAsync(other.Id, truck.Id, owner));
        Assert.False(await Entities.LinkAsync(other.Id, truck.Id, owner));

        Assert.Equal(["Bu Sri", "Lahan A", "Truk"], (await Entities.ListByDocumentAsync(scene.Id)).Items.Select(e => e.Name));
        Assert.Equal(["Bu Sri", "Lahan A", "Truk"], (await AllPagesAsync(c => Entities.ListByDocumentAsync(scene.Id, c, 1))).Select(e => e.Name));
        Assert.Equal([other.Id, scene.Id], (await Entities.ListDocumentsAsync(truck.Id)).Items.Select(d => d.Id));
        Assert.Equal([other.Id, scene.Id], (await AllPagesAsync(c => Entities.ListDocumentsAsync(truck.Id, c, 1))).Select(d => d.Id));

        Assert.True(await Entities.UnlinkAsync(scene.Id, truck.Id, scene.Editor.Id));
        Assert.False(await Entities.UnlinkAsync(scene.Id, truck.Id, scene.Editor.Id));
        Assert.Equal([other.Id], (await Entities.ListDocumentsAsync(truck.Id)).Items.Select(d => d.Id));
        var history = (await db.DocumentHistory.ListAsync(scene.Id)).Items;
        Assert.Equal((DocumentActions.EntityUnlinked, scene.Editor.Id), (history[0].Action, history[0].UserId));
        Assert.Equal($$"""{"name": "Truk", "entityId": "{{truck.Id}}"}""", history[0].Details);
        Assert.Equal(3, history.Count(h => h.Action == DocumentActions.EntityLinked));
    }

    [Fact]
    public async Task Linking_needs_an_editor_an_existing_document_and_entity()
    {
        var scene = await db.SharedAsync();
        var entity = await EntityAsync(scene.Owner.Id, "Rumah");
        var before = await db.FootprintAsync(scene.Id);

        await Assert.ThrowsAsync<NotPermittedException>(() => Entities.LinkAsync(scene.Id, entity.Id, scene.Viewer.Id));
        await Assert.ThrowsAsync<NotPermittedException>(() => Entities.UnlinkAsync(scene.Id, entity.Id, scene.Stranger.Id));
        Assert.Equal("entityId", (await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Entities.LinkAsync(scene.Id, Guid.CreateVersion7(), scene.Owner.Id))).Field);
        Assert.Equal("documentId", (await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Entities.LinkAsync(Guid.CreateVersion7(), entity.Id, scene.Owner.Id))).Field);
        Assert.False(await Entities.UnlinkAsync(Guid.CreateVersion7(), entity.Id, scene.Owner.Id));

        Assert.Equal(before, await db.FootprintAsync(scene.Id));
    }

    [Fact]
    public async Task Delete_removes_the_entity_and_its_links_logging_it_on_each_document_even_a_locked_one()
    {
        var scene = await db.SharedAsync();
        var owner = scene.Owner.Id;
        var other = await db.StandaloneAsync(owner);
        var entity = await EntityAsync(owner, "Sertifikat 12");
        await Entities.LinkAsync(scene.Id, entity.Id, owner);
        await Entities.LinkAsync(other.Id, entity.Id, owner);
        await db.Documents.LockAsync(other.Id, owner);

        Assert.True(await Entities.DeleteAsync(entity.Id));
        Assert.False(await Entities.DeleteAsync(entity.Id));

        Assert.Null(await Entities.FindByIdAsync(entity.Id));
        Assert.Empty((await Entities.ListByDocumentAsync(scene.Id)).Items);
        Assert.Empty((await Entities.ListByDocumentAsync(other.Id)).Items);
        foreach (var document in new[] { scene.Id, other.Id })
        {
            var entry = (await db.DocumentHistory.ListAsync(document)).Items[0];
            Assert.Equal((DocumentActions.EntityUnlinked, (Guid?)owner), (entry.Action, entry.UserId));
        }
        Assert.NotNull(await db.Documents.FindByIdAsync(scene.Id));
    }

    [Fact]
    public async Task Cascades_a_document_takes_its_links_an_owner_their_entities_and_a_contact_leaves_a_plain_entity()
    {
        var (owner, contact) = (await db.Arrange.UserAsync(), await db.Arrange.UserAsync());
        var document = await db.StandaloneAsync(owner.Id);
        var person = await EntityAsync(owner.Id, "Pak Budi", "kontak", contact.Id);
        var plot = await EntityAsync(owner.Id, "Kebun");
        await Entities.LinkAsync(document.Id, plot.Id, owner.Id);

        await db.Documents.DeleteAsync(document.Id, owner.Id);
        Assert.Empty((await Entities.ListDocumentsAsync(plot.Id)).Items);
        Assert.NotNull(await Entities.FindByIdAsync(plot.Id));

        await db.Users.DeleteAsync(contact.Id);
        Assert.Equal(person with { ContactUserId = null }, await Entities.FindByIdAsync(person.Id));

        await db.Users.DeleteAsync(owner.Id);
        Assert.Null(await Entities.FindByIdAsync(person.Id));
        Assert.Null(await Entities.FindByIdAsync(plot.Id));
    }
}
