using System.Text.RegularExpressions;
using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.Migrations;

/// <summary>
/// docs/scaling.md lists what distributing the schema on Citus still needs, table by table. This test
/// derives that list from the migrated schema's catalog (keys, unique indexes, foreign keys) and the
/// placement below, and fails when the document's list differs, printing the list as it now is.
/// </summary>
public sealed partial class DistributionPlanTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private sealed record Placement(string? Column, string Group);

    private static Placement Distributed(string column, string group) => new(column, group);

    private static readonly Placement Reference = new(null, "reference");

    // The plan docs/scaling.md explains: chat content by chat, the activity feed by its recipient,
    // documents by document, the rest (small or read everywhere) as reference tables on every node.
    private static readonly Dictionary<string, Placement> Plan = new()
    {
        ["chats"] = Distributed("id", "chat"),
        ["chat_members"] = Distributed("chat_id", "chat"),
        ["messages"] = Distributed("chat_id", "chat"),
        ["message_edits"] = Distributed("chat_id", "chat"),
        ["message_hides"] = Distributed("chat_id", "chat"),
        ["message_reactions"] = Distributed("chat_id", "chat"),
        ["message_attachments"] = Distributed("chat_id", "chat"),
        ["read_marks"] = Distributed("chat_id", "chat"),
        ["activity_feed"] = Distributed("user_id", "user"),
        ["documents"] = Distributed("id", "document"),
        ["document_blocks"] = Distributed("document_id", "document"),
        ["document_collaborators"] = Distributed("document_id", "document"),
        ["document_entities"] = Distributed("document_id", "document"),
        ["document_history"] = Distributed("document_id", "document"),
        ["document_signers"] = Distributed("document_id", "document"),
        ["document_tags"] = Distributed("document_id", "document"),
        ["users"] = Reference,
        ["user_blocks"] = Reference,
        ["contacts"] = Reference,
        ["message_requests"] = Reference,
        ["entities"] = Reference,
        ["revoked_tokens"] = Reference,
        ["user_token_revocations"] = Reference,
        // The migration history, whichever runner keeps it.
        ["schema_migrations"] = Reference,
        ["version_info"] = Reference,
        ["version_checksums"] = Reference,
    };

    [Fact]
    public async Task The_documents_list_of_what_distribution_needs_matches_the_schema()
    {
        var needed = await NeededAsync();
        var documented = DocumentedList();
        Assert.True(needed.SequenceEqual(documented),
            "docs/scaling.md's list differs from the schema. The list as the schema now is:\n" + string.Join('\n', needed) +
            "\n\nMissing from the document:\n" + string.Join('\n', needed.Except(documented)) +
            "\n\nNo longer true:\n" + string.Join('\n', documented.Except(needed)));
    }

    private async Task<List<string>> NeededAsync()
    {
        await using var connection = await db.OpenAsync();
        var tables = (await connection.QueryAsync<string>(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'chat'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1")).ToList();
        var columns = (await connection.QueryAsync<(string Table, string Column)>(
            "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid " +
            "WHERE c.relnamespace = 'chat'::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped")).ToHashSet();
        // Primary keys, unique constraints and unique indexes: their columns (an expression counts as none).
        var uniques = await connection.QueryAsync<(string Table, string Kind, string[] Columns)>("""
            SELECT t.relname,
                   CASE WHEN con.contype = 'p' THEN 'primary key' ELSE 'unique' END,
                   array(SELECT coalesce(a.attname, '(expression)') FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord)
                         LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.ord)
            FROM pg_index x
            JOIN pg_class t ON t.oid = x.indrelid
            LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.contype IN ('p', 'u')
            WHERE t.relnamespace = 'chat'::regnamespace AND x.indisunique
            ORDER BY 1, 2, 3
            """);
        var foreignKeys = await connection.QueryAsync<(string Table, string[] Columns, string Target, string[] TargetColumns)>("""
            SELECT t.relname,
                   array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord),
                   r.relname,
                   array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)
            FROM pg_constraint con
            JOIN pg_class t ON t.oid = con.conrelid
            JOIN pg_class r ON r.oid = con.confrelid
            WHERE t.relnamespace = 'chat'::regnamespace AND con.contype = 'f'
            ORDER BY 1, 2, 3
            """);

        var needed = new List<string>();
        foreach (var table in tables)
        {
            if (!Plan.TryGetValue(table, out var placement))
            {
                needed.Add($"{table}: no placement in the plan");
                continue;
            }
            if (placement.Column is not { } column)
                continue;
            if (!columns.Contains((table, column)))
                needed.Add($"{table}: no column {column}");
            foreach (var unique in uniques.Where(u => u.Table == table && !u.Columns.Contains(column)))
                needed.Add($"{table}: {unique.Kind} ({string.Join(", ", unique.Columns)}) without {column}");
        }
        foreach (var fk in foreignKeys)
        {
            if (!Plan.TryGetValue(fk.Table, out var from) || !Plan.TryGetValue(fk.Target, out var to) || to.Column is null)
                continue;
            var key = $"{fk.Table}: foreign key ({string.Join(", ", fk.Columns)}) to {fk.Target}";
            if (from.Column is null)
                needed.Add($"{key}, from a reference table to a distributed one");
            else if (from.Group != to.Group)
                needed.Add($"{key}, across co-location groups ({from.Group}, {to.Group})");
            else if (Array.IndexOf(fk.Columns, from.Column) is var at && (at < 0 || fk.TargetColumns[at] != to.Column))
                needed.Add($"{key} without {from.Column}");
        }
        return needed.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The lines of the fenced <c>citus-needs</c> block in docs/scaling.md.</summary>
    private static List<string> DocumentedList()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "scaling.md");
        var match = NeedsBlock().Match(File.ReadAllText(path));
        Assert.True(match.Success, $"{path} has no ```text citus-needs block");
        return match.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Order(StringComparer.Ordinal).ToList();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Chat.Data.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Chat.Data.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"```text citus-needs\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex NeedsBlock();
}
