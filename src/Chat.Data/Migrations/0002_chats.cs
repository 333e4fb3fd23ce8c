using FluentMigrator;

namespace Chat.Data.Migrations;

[Migration(2, "chats")]
internal sealed class Migration0002Chats : SqlScriptMigration;
