using FluentMigrator;

namespace Chat.Data.Migrations;

[Migration(5, "message_reactions")]
internal sealed class Migration0005MessageReactions : SqlScriptMigration;
