using FluentMigrator;

namespace Chat.Data.Migrations;

[Migration(7, "chats_hot_updates")]
internal sealed class Migration0007ChatsHotUpdates : SqlScriptMigration;
