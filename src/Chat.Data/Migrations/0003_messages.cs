using FluentMigrator;

namespace Chat.Data.Migrations;

[Migration(3, "messages")]
internal sealed class Migration0003Messages : SqlScriptMigration;
