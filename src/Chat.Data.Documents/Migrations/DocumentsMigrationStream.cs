using Chat.Data.Migrations;

namespace Chat.Data.Documents.Migrations;

/// <summary>
/// The documents tables' own line of migrations, recorded in <c>documents_version_info</c> and
/// <c>documents_version_checksums</c>. Before documents were a package of their own, Chat.Data created the
/// same tables as its migration 0006: a database that ran it adopts it as this stream's 0001.
/// </summary>
internal static class DocumentsMigrationStream
{
    /// <summary>The checksum Chat.Data recorded for 0006_documents, whose SQL 0001_documents runs (only comments differ).</summary>
    private const string ChatMigration0006Checksum = "50b9f6207531201f870d91d02a97b33f2cd3efc88ba55b26bca2bb68769e0ca1";

    public static MigrationStream Instance { get; } = new(
        typeof(DocumentsMigrationStream).Assembly, "documents", "documents_version_info", "documents_version_checksums",
        adopts: new MigrationHandover(MigrationStream.Chat, FromVersion: 6, ChatMigration0006Checksum, Version: 1));
}
