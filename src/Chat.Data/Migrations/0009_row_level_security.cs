using FluentMigrator;

namespace Chat.Data.Migrations;

[Migration(9, "row_level_security")]
internal sealed class Migration0009RowLevelSecurity : SqlScriptMigration;
