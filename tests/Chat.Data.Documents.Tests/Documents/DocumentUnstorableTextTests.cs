using Chat.Data.Documents;

namespace Chat.Data.Documents.Tests.Documents;

/// <summary>
/// Text PostgreSQL cannot store, as any HTTP client can send it, in the document fields: a JSON escape of NUL
/// (jsonb refuses it) and half of a UTF-16 surrogate pair. Every field refuses it before the database, naming the field.
/// </summary>
public sealed class DocumentUnstorableTextTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    /// <summary>A document with a table, so only the input under test is wrong.</summary>
    public sealed record Target(DocumentsDatabaseFixture Db, Guid OwnerId, Guid DocumentId, Guid TableId);

    // As the JSON text arrives: the escapes are six characters each, not the characters they stand for.
    private const string EscapedNulValue = """{"k": "a\u0000b"}""";
    private const string EscapedNulKey = """{"a\u0000": 1}""";
    private const string EscapedNulDeep = """{"k": [{"x": "\u0000"}]}""";
    private const string EscapedLoneSurrogate = """{"k": "\ud800"}""";

    public static TheoryData<string, string, Func<Target, string, Task>> JsonFields => new()
    {
        { "document history details", "details", (t, json) => t.Db.DocumentHistory.AppendAsync(t.DocumentId, "viewed", t.OwnerId, json) },
        { "new table rows", "Rows", (t, json) => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Table, Rows = $"[{json}]", Columns = "[\"A\"]" }, t.OwnerId) },
        { "new table columns", "Columns", (t, json) => t.Db.DocumentBlocks.CreateAsync(new NewBlock { DocumentId = t.DocumentId, Type = BlockType.Table, Rows = "[]", Columns = $"[{json}]" }, t.OwnerId) },
        { "table rows update", "Rows", (t, json) => t.Db.DocumentBlocks.UpdateAsync(t.TableId, new BlockUpdate { Rows = $"[{json}]" }, t.OwnerId) },
    };

    [Theory]
    [MemberData(nameof(JsonFields))]
    public async Task Json_with_an_escaped_nul_is_refused_naming_the_field(string @case, string field, Func<Target, string, Task> call)
    {
        foreach (var json in new[] { EscapedNulValue, EscapedNulKey, EscapedNulDeep })
            await AssertRefusedAsync(@case, field, call, json);
    }

    [Theory]
    [MemberData(nameof(JsonFields))]
    public async Task Json_with_an_escaped_half_surrogate_pair_is_refused_naming_the_field(string @case, string field, Func<Target, string, Task> call) =>
        await AssertRefusedAsync(@case, field, call, EscapedLoneSurrogate);

    [Fact]
    public async Task A_title_with_half_a_surrogate_pair_is_refused_naming_the_field()
    {
        foreach (var text in new[] { "a\ud800b", "a\udc00", "\ud83d" })
            await AssertRefusedAsync("document title", "Title", (t, title) => t.Db.Documents.CreateAsync(new NewDocument { Title = title, OwnerId = t.OwnerId }), text);
    }

    private async Task AssertRefusedAsync(string @case, string field, Func<Target, string, Task> call, string value)
    {
        var target = await ArrangeAsync();

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => call(target, value));

        Assert.True(field == error.Field, $"{@case}: expected field {field}, got {error.Field} ({error.Reason})");
        // Refused before the database: nothing was written.
        Assert.Equal(0, roundTrips.Count);
    }

    private async Task<Target> ArrangeAsync()
    {
        var owner = await db.Arrange.UserAsync("Owner");
        var document = await db.StandaloneAsync(owner.Id);
        var table = await db.DocumentBlocks.CreateAsync(
            new NewBlock { DocumentId = document.Id, Type = BlockType.Table, Rows = "[[\"a\"]]", Columns = "[\"A\"]" }, owner.Id);
        return new Target(db, owner.Id, document.Id, table.Id);
    }
}
