using FluentMigrator;

namespace Chat.Data.Migrations;

[Migration(4, "social")]
internal sealed class Migration0004Social : SqlScriptMigration;
