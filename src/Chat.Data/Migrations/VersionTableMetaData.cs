using FluentMigrator.Runner.VersionTableInfo;

namespace Chat.Data.Migrations;

/// <summary>
/// FluentMigrator's version table for one stream, in the library's schema, with PostgreSQL's lower-case
/// names. The schema holds the library's tables too, so FluentMigrator does not own it.
/// </summary>
internal sealed class VersionTableMetaData(string schema, string table) : IVersionTableMetaData
{
    public bool OwnsSchema => false;

    public string SchemaName => schema;

    public string TableName => table;

    public string ColumnName => "version";

    public string DescriptionColumnName => "description";

    public string UniqueIndexName => table + "_version_key";

    public string AppliedOnColumnName => "applied_on";

    public bool CreateWithPrimaryKey => false;
}
