using Chat.Data.Documents;

namespace Chat.Data.Documents.Tests.Documents;

/// <summary>Tags: add, list and remove; a tag may be on many documents and a document may have many tags.</summary>
public sealed class DocumentTagTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    private IDocumentTagRepository Tags => db.Tags;

    [Fact]
    public async Task Add_list_and_remove_tags_each_change_logged_in_one_round_trip()
    {
        var scene = await db.SharedAsync();

        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            Assert.True(await Tags.AddAsync(scene.Id, "urgent", scene.Editor.Id));
            Assert.Equal(1, roundTrips.Count);
        }
        Assert.True(await Tags.AddAsync(scene.Id, "Kontrak", scene.Owner.Id));
        Assert.True(await Tags.AddAsync(scene.Id, "kontrak", scene.Owner.Id));
        Assert.False(await Tags.AddAsync(scene.Id, "urgent", scene.Owner.Id));

        Assert.Equal(["Kontrak", "kontrak", "urgent"], await Tags.ListAsync(scene.Id));
        Assert.True(await Tags.RemoveAsync(scene.Id, "Kontrak", scene.Editor.Id));
        Assert.False(await Tags.RemoveAsync(scene.Id, "Kontrak", scene.Editor.Id));
        Assert.Equal(["kontrak", "urgent"], await Tags.ListAsync(scene.Id));
        var actions = await db.ActionsAsync(scene.Id);
        Assert.Equal(3, actions.Count(a => a == DocumentActions.TagAdded));
        Assert.Equal(DocumentActions.TagRemoved, actions[^1]);
        Assert.Equal("""{"tag": "Kontrak"}""", (await db.DocumentHistory.ListAsync(scene.Id)).Items[0].Details);
        Assert.True((await db.Documents.FindByIdAsync(scene.Id))!.UpdatedAt > scene.Document.UpdatedAt);
    }

    [Fact]
    public async Task Tags_are_many_to_many_one_tag_many_documents_one_document_many_tags()
    {
        var owner = await db.Arrange.UserAsync();
        var (a, b, c) = (await db.StandaloneAsync(owner.Id), await db.StandaloneAsync(owner.Id), await db.StandaloneAsync(owner.Id));
        var shared = $"shared-{TestData.Next()}";
        foreach (var document in new[] { a, b })
            await Tags.AddAsync(document.Id, shared, owner.Id);
        await Tags.AddAsync(a.Id, "only-a", owner.Id);

        Assert.Equal([b.Id, a.Id], (await db.Documents.ListByTagAsync(shared)).Items.Select(d => d.Id));
        Assert.Equal(["only-a", shared], await Tags.ListAsync(a.Id));
        Assert.Empty(await Tags.ListAsync(c.Id));
        await db.Documents.DeleteAsync(a.Id, owner.Id);
        Assert.Equal([b.Id], (await db.Documents.ListByTagAsync(shared)).Items.Select(d => d.Id));
    }

    [Fact]
    public async Task Tagging_a_document_that_does_not_exist_is_refused_and_untagging_it_is_false()
    {
        var user = await db.Arrange.UserAsync();

        var error = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Tags.AddAsync(Guid.CreateVersion7(), "x", user.Id));

        Assert.Equal("documentId", error.Field);
        Assert.False(await Tags.RemoveAsync(Guid.CreateVersion7(), "x", user.Id));
        Assert.Empty(await Tags.ListAsync(Guid.CreateVersion7()));
    }
}
