using FluentMigrator;

namespace Chat.Data.Migrations;

[Migration(6, "documents")]
internal sealed class Migration0006Documents : SqlScriptMigration;
