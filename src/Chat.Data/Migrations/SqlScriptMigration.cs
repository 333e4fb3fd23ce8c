namespace Chat.Data.Migrations;

/// <summary>
/// A migration that runs its pair of embedded SQL scripts unchanged (see <see cref="MigrationScript"/>).
/// The scripts name no schema: the migrator sets the search path to the configured schema in the
/// migration's transaction, and records the script's checksum in the same transaction.
/// </summary>
/// <remarks>
/// <c>Execute.Sql</c> rather than <c>Execute.EmbeddedScript</c>: what runs is the very text whose checksum
/// the migrator checked.
/// </remarks>
internal abstract class SqlScriptMigration : FluentMigrator.Migration
{
    public override void Up() => Execute.Sql(MigrationScript.Of(GetType()).UpSql);

    public override void Down() => Execute.Sql(MigrationScript.Of(GetType()).DownSql);
}
