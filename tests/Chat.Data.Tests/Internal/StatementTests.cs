using Chat.Data.Internal;

namespace Chat.Data.Tests.Internal;

/// <summary>
/// Templates as Npgsql runs them: <c>@name</c> placeholders numbered <c>$n</c>, one command per statement.
/// </summary>
public sealed class StatementTests
{
    [Fact]
    public void Names_are_numbered_in_order_of_first_use_and_a_repeated_name_keeps_its_number()
    {
        var command = Statement.Parse("SELECT * FROM t WHERE a = @chatId OR b = @userId OR c = @chatId").Commands.Single();

        Assert.Equal("SELECT * FROM t WHERE a = $1 OR b = $2 OR c = $1", command.Sql);
        Assert.Equal(["chatId", "userId"], command.Names);
    }

    [Fact]
    public void Operators_casts_strings_quoted_names_and_comments_are_left_as_they_are()
    {
        const string sql = """
            -- @inLineComment; not a parameter
            SELECT v @@ to_tsquery(@query), tags @> @tags, tags <@ array[@tag], @n::int, '@inString;', "@quoted;",
                   E'it\'s @escaped;', $body$ @inBody; $body$ /* @inBlock /* @nested; */ ; */
            FROM t
            """;

        var command = Statement.Parse(sql).Commands.Single();

        Assert.Equal(["query", "tags", "tag", "n"], command.Names);
        Assert.Contains("v @@ to_tsquery($1), tags @> $2, tags <@ array[$3], $4::int, '@inString;', \"@quoted;\"", command.Sql);
        Assert.Contains("E'it\\'s @escaped;', $body$ @inBody; $body$ /* @inBlock /* @nested; */ ; */", command.Sql);
        Assert.StartsWith("-- @inLineComment; not a parameter", command.Sql);
    }

    [Fact]
    public void Each_statement_is_a_command_numbered_from_one()
    {
        var statement = Statement.Parse("SELECT 1 FROM t WHERE id = @chatId FOR UPDATE;\nSELECT @userId, @chatId;\n-- done\n");

        Assert.Collection(statement.Commands,
            first =>
            {
                Assert.Equal("SELECT 1 FROM t WHERE id = $1 FOR UPDATE", first.Sql);
                Assert.Equal(["chatId"], first.Names);
            },
            second =>
            {
                Assert.Equal("SELECT $1, $2", second.Sql);
                Assert.Equal(["userId", "chatId"], second.Names);
            });
    }
}
