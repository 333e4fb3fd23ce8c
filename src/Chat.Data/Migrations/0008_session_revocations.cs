using FluentMigrator;

namespace Chat.Data.Migrations;

[Migration(8, "session_revocations")]
internal sealed class Migration0008SessionRevocations : SqlScriptMigration;
