using FluentMigrator;

namespace Chat.Data.Migrations;

[Migration(1, "users")]
internal sealed class Migration0001Users : SqlScriptMigration;
