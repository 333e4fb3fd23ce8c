using Chat.Data.Migrations;
using FluentMigrator;

namespace Chat.Data.Documents.Migrations;

[Migration(1, "documents")]
internal sealed class Migration0001Documents : SqlScriptMigration;
