using Chat.Data.Entities;
using Chat.Data.Documents.Tests.Documents;

namespace Chat.Data.Documents.Tests.Entities;

/// <summary>Bad input to every method of the entity repository is refused before the database, naming the field.</summary>
public sealed class EntityValidationTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    /// <summary>A real owner, document and entity, so that only the input under test is wrong.</summary>
    public sealed record Target(IEntityRepository Entities, Guid OwnerId, Guid DocumentId, Guid EntityId);

    private static readonly Guid E = Guid.Empty;

    public static TheoryData<string, string, Func<Target, Task>> BadCalls => new()
    {
        { "create: blank name", "Name", t => t.Entities.CreateAsync(new NewEntity { Name = " ", OwnerId = t.OwnerId }) },
        { "create: long name", "Name", t => t.Entities.CreateAsync(new NewEntity { Name = new string('n', 101), OwnerId = t.OwnerId }) },
        { "create: NUL name", "Name", t => t.Entities.CreateAsync(new NewEntity { Name = "a\0", OwnerId = t.OwnerId }) },
        { "create: blank type", "Type", t => t.Entities.CreateAsync(new NewEntity { Name = "x", Type = "", OwnerId = t.OwnerId }) },
        { "create: long type", "Type", t => t.Entities.CreateAsync(new NewEntity { Name = "x", Type = new string('t', 51), OwnerId = t.OwnerId }) },
        { "create: empty owner", "OwnerId", t => t.Entities.CreateAsync(new NewEntity { Name = "x", OwnerId = E }) },
        { "create: empty contact", "ContactUserId", t => t.Entities.CreateAsync(new NewEntity { Name = "x", OwnerId = t.OwnerId, ContactUserId = E }) },
        { "find: empty id", "entityId", t => t.Entities.FindByIdAsync(E) },
        { "list by owner: empty id", "ownerId", t => t.Entities.ListByOwnerAsync(E) },
        { "list by owner: blank type", "type", t => t.Entities.ListByOwnerAsync(t.OwnerId, " ") },
        { "list by owner: limit 0", "limit", t => t.Entities.ListByOwnerAsync(t.OwnerId, limit: 0) },
        { "list by owner: bad cursor", "cursor", t => t.Entities.ListByOwnerAsync(t.OwnerId, cursor: "bad") },
        { "list by owner: bad name in cursor", "cursor", t => t.Entities.ListByOwnerAsync(t.OwnerId, cursor: "ISF8MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA") },
        { "search: empty owner", "ownerId", t => t.Entities.SearchAsync(E, "x") },
        { "search: blank query", "query", t => t.Entities.SearchAsync(t.OwnerId, "  ") },
        { "search: long query", "query", t => t.Entities.SearchAsync(t.OwnerId, new string('q', 101)) },
        { "search: NUL query", "query", t => t.Entities.SearchAsync(t.OwnerId, "\0") },
        { "search: limit 201", "limit", t => t.Entities.SearchAsync(t.OwnerId, "x", limit: 201) },
        { "search: bad cursor", "cursor", t => t.Entities.SearchAsync(t.OwnerId, "x", "QQ") },
        { "link: empty document", "documentId", t => t.Entities.LinkAsync(E, t.EntityId, t.OwnerId) },
        { "link: empty entity", "entityId", t => t.Entities.LinkAsync(t.DocumentId, E, t.OwnerId) },
        { "link: empty actor", "actorId", t => t.Entities.LinkAsync(t.DocumentId, t.EntityId, E) },
        { "unlink: empty document", "documentId", t => t.Entities.UnlinkAsync(E, t.EntityId, t.OwnerId) },
        { "unlink: empty entity", "entityId", t => t.Entities.UnlinkAsync(t.DocumentId, E, t.OwnerId) },
        { "unlink: empty actor", "actorId", t => t.Entities.UnlinkAsync(t.DocumentId, t.EntityId, E) },
        { "list by document: empty id", "documentId", t => t.Entities.ListByDocumentAsync(E) },
        { "list by document: limit -5", "limit", t => t.Entities.ListByDocumentAsync(t.DocumentId, limit: -5) },
        { "list documents: empty id", "entityId", t => t.Entities.ListDocumentsAsync(E) },
        { "list documents: bad cursor", "cursor", t => t.Entities.ListDocumentsAsync(t.EntityId, "zz") },
        { "delete: empty id", "entityId", t => t.Entities.DeleteAsync(E) },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task Bad_input_is_refused_before_the_database_naming_the_field_and_nothing_is_written(string call, string field, Func<Target, Task> run)
    {
        var owner = await db.Arrange.UserAsync();
        var document = await db.StandaloneAsync(owner.Id);
        var entity = await db.Entities.CreateAsync(new NewEntity { Name = "Existing", OwnerId = owner.Id });
        var before = await db.FootprintAsync(document.Id);

        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => run(new Target(db.Entities, owner.Id, document.Id, entity.Id)));
            Assert.True(field == error.Field, $"{call}: expected field {field}, got {error.Field} ({error.Reason})");
            Assert.Equal(0, roundTrips.Count);
        }

        Assert.Equal(before, await db.FootprintAsync(document.Id));
        Assert.Equal([entity], (await db.Entities.ListByOwnerAsync(owner.Id)).Items);
    }

    [Fact]
    public async Task A_null_entity_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => db.Entities.CreateAsync(null!));
    }
}
