using FluentMigrator;

namespace Chat.Data.Migrations;

[Migration(10, "messages_search_statistics")]
internal sealed class Migration0010MessagesSearchStatistics : SqlScriptMigration;
