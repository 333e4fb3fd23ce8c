using Chat.Data.Documents.Migrations;
using Chat.Data.Migrations;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chat.Data.Documents.Tests.Migrations;

/// <summary>
/// The documents tables are a stream of migrations of their own: a host with the chat core alone gets none
/// of them, adding documents later migrates only them, reverting them drops only them, and a database
/// whose documents tables an earlier Chat.Data made (as its migration 0006) keeps them and their rows.
/// Each test gets an empty database of its own.
/// </summary>
public sealed class DocumentsMigrationTests : IAsyncLifetime
{
    private static readonly string[] DocumentTables =
        ["document_blocks", "document_collaborators", "document_entities", "document_history", "document_signers", "document_tags", "documents", "entities"];

    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateEmptyAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private ServiceProvider ChatOnly() => TestDatabase.Compose(_database.ConnectionString, _ => { });

    private ServiceProvider WithDocuments() => TestDatabase.Compose(_database.ConnectionString, chatData => chatData.AddDocuments());

    private static IChatDataMigrator Migrator(ServiceProvider services) => services.GetRequiredService<IChatDataMigrator>();

    [Fact]
    public async Task A_host_with_the_chat_core_alone_gets_no_documents_tables()
    {
        await using var services = ChatOnly();

        var runs = await Migrator(services).MigrateUpAsync();

        Assert.All(runs, r => Assert.Equal("chat", r.Stream));
        Assert.Equal(MigrationStream.Chat.Scripts.Select(s => s.Version), runs.Select(r => r.Version));
        Assert.Empty((await TablesAsync()).Intersect(DocumentTables.Append("documents_version_info")));
    }

    [Fact]
    public async Task Documents_added_later_migrate_only_the_documents_tables_after_the_chat_cores()
    {
        await using (var chatOnly = ChatOnly())
            await Migrator(chatOnly).MigrateUpAsync();
        var chatTables = await TablesAsync();
        await using var services = WithDocuments();

        var runs = await Migrator(services).MigrateUpAsync();

        Assert.Equal([("documents", 1L)], runs.Select(r => (r.Stream, r.Version)));
        Assert.Equal(chatTables.Concat(DocumentTables).Concat(["documents_version_checksums", "documents_version_info"]).Order(), await TablesAsync());
        var statuses = await Migrator(services).GetStatusAsync();
        Assert.Equal(["chat", "documents"], statuses.Select(s => s.Stream).Distinct());
        Assert.All(statuses, s => Assert.Equal(MigrationState.Applied, s.State));
        Assert.Empty(await Migrator(services).MigrateUpAsync());
    }

    [Fact]
    public async Task Reverting_the_documents_stream_drops_only_the_documents_tables()
    {
        await using var services = WithDocuments();
        await Migrator(services).MigrateUpAsync();
        var chatTables = (await TablesAsync()).Except(DocumentTables).ToList();

        var runs = await Migrator(services).MigrateDownAsync();

        Assert.Equal([("documents", 1L)], runs.Select(r => (r.Stream, r.Version)));
        Assert.Equal(chatTables, await TablesAsync());
        Assert.All((await Migrator(services).GetStatusAsync()).Where(s => s.Stream == "chat"), s => Assert.Equal(MigrationState.Applied, s.State));
    }

    [Fact]
    public async Task A_database_whose_documents_were_the_chat_streams_migration_6_keeps_them_and_adopts_them_without_running_anything()
    {
        var documentId = await MigrateTheWayOneStreamDidAsync();
        await using (var chatOnly = ChatOnly())
        {
            // Before documents are added, the chat core neither lists its old version 6 nor runs anything.
            Assert.DoesNotContain(await Migrator(chatOnly).GetStatusAsync(), s => s.State != MigrationState.Applied || s.Version == 6);
            Assert.Empty(await Migrator(chatOnly).MigrateUpAsync());
        }
        await using var services = WithDocuments();
        var before = await Migrator(services).GetStatusAsync();

        var runs = await Migrator(services).MigrateUpAsync();

        Assert.Empty(runs);
        Assert.All(before, s => Assert.Equal(MigrationState.Applied, s.State));
        var adopted = Assert.Single(before, s => s.Stream == "documents");
        Assert.Equal(TimeSpan.FromMilliseconds(7), adopted.Duration);
        Assert.Equal(before, await Migrator(services).GetStatusAsync());
        await using var connection = await OpenAsync();
        Assert.Empty(await connection.QueryAsync<long>("SELECT version FROM chat.version_info WHERE version = 6 UNION ALL SELECT version FROM chat.version_checksums WHERE version = 6"));
        Assert.Equal((1L, "documents", DocumentsMigrationStream.Instance.Scripts.Single().Checksum), await connection.QuerySingleAsync<(long, string, string)>(
            "SELECT v.version, v.description, c.checksum FROM chat.documents_version_info v JOIN chat.documents_version_checksums c USING (version)"));
        // The rows made before are there, and the repositories work on the adopted tables.
        var documents = services.GetRequiredService<IDocumentRepository>();
        var old = await documents.FindByIdAsync(documentId);
        Assert.Equal("Made before the split", old!.Title);
        var made = await documents.CreateAsync(new NewDocument { Title = "Made after", OwnerId = old.OwnerId });
        Assert.Equal([made.Id, documentId], (await documents.ListByOwnerAsync(old.OwnerId)).Items.Select(d => d.Id));
        // Reverting the documents stream now drops its tables, and only those.
        Assert.Equal([("documents", 1L)], (await Migrator(services).MigrateDownAsync()).Select(r => (r.Stream, r.Version)));
        Assert.Empty((await TablesAsync()).Intersect(DocumentTables));
        Assert.Contains("users", await TablesAsync());
    }

    [Fact]
    public async Task An_edited_migration_6_is_not_adopted_and_the_error_names_the_documents_script()
    {
        await MigrateTheWayOneStreamDidAsync();
        await using (var connection = await OpenAsync())
            await connection.ExecuteAsync("UPDATE chat.version_checksums SET checksum = 'checksum of scripts edited after they were applied' WHERE version = 6");
        await using var services = WithDocuments();

        var error = await Assert.ThrowsAsync<MigrationException>(() => Migrator(services).MigrateUpAsync());

        Assert.Equal("0001_documents.up.sql", error.FileName);
        Assert.Equal(MigrationState.Modified, (await Migrator(services).GetStatusAsync()).Single(s => s.Stream == "documents").State);
        await using var check = await OpenAsync();
        Assert.Equal(1, await check.ExecuteScalarAsync<int>("SELECT count(*) FROM chat.version_info WHERE version = 6"));
    }

    /// <summary>
    /// A database as Chat.Data left it when documents were its migration 0006: chat's 0001 to 0005, the
    /// documents script (the same SQL) recorded in chat's tables as version 6 with the checksum that release
    /// recorded, then chat's later ones; and a document in it. Returns the document's id.
    /// </summary>
    private async Task<Guid> MigrateTheWayOneStreamDidAsync()
    {
        await using (var chatOnly = ChatOnly())
            await Migrator(chatOnly).MigrateUpAsync(5);
        var documents = DocumentsMigrationStream.Instance.Scripts.Single();
        await using var connection = await OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("SET LOCAL search_path TO chat, public", transaction: transaction);
            await using (var command = new NpgsqlCommand(documents.UpSql, connection, transaction))
                await command.ExecuteNonQueryAsync();
            await connection.ExecuteAsync("""
                INSERT INTO chat.version_info (version, applied_on, description) VALUES (6, now(), 'documents');
                INSERT INTO chat.version_checksums (version, checksum, duration_ms) VALUES (6, @checksum, 7);
                """, new { checksum = DocumentsMigrationStream.Instance.Adopts!.FromChecksum }, transaction);
            await transaction.CommitAsync();
        }
        await using (var chatOnly = ChatOnly())
            await Migrator(chatOnly).MigrateUpAsync();

        var ownerId = Guid.CreateVersion7();
        var documentId = Guid.CreateVersion7();
        await connection.ExecuteAsync("""
            INSERT INTO chat.users (id, username, display_name) VALUES (@ownerId, @username, 'Owner');
            INSERT INTO chat.documents (id, title, owner_id) VALUES (@documentId, 'Made before the split', @ownerId);
            """, new { ownerId, documentId, username = TestData.Username() });
        return documentId;
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private async Task<List<string>> TablesAsync()
    {
        await using var connection = await OpenAsync();
        return (await connection.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'chat' ORDER BY 1")).ToList();
    }
}
