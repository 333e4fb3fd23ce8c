using System.Text.RegularExpressions;

namespace Chat.Data.Cli;

/// <summary>
/// Writes a new migration the way Chat.Data's runner reads it: the scripts <c>NNNN_name.up.sql</c> and
/// <c>NNNN_name.down.sql</c>, and <c>NNNN_name.cs</c>, the FluentMigrator class that runs them.
/// </summary>
internal static partial class MigrationScaffold
{
    /// <summary>
    /// Lower snake case: <c>AddThings</c>, <c>add-things</c> and <c>add things</c> all become
    /// <c>add_things</c>. Null when what is left is not <c>[a-z0-9_]+</c>.
    /// </summary>
    public static string? NormaliseName(string name)
    {
        var snake = WordBoundary().Replace(name.Trim(), "$1_$2");
        snake = Separators().Replace(snake, "_").Trim('_').ToLowerInvariant();
        return ValidName().IsMatch(snake) ? snake : null;
    }

    /// <summary>Writes the migration numbered one past the highest in <paramref name="directory"/> (0001 in an empty one); returns the paths.</summary>
    /// <exception cref="IOException">A file of that name exists already, or the numbers ran out.</exception>
    public static (string Class, string Up, string Down) Create(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var version = Directory.EnumerateFiles(directory)
            .Select(path => ScriptName().Match(Path.GetFileName(path)))
            .Where(match => match.Success)
            .Select(match => int.Parse(match.Groups["version"].Value))
            .DefaultIfEmpty(0)
            .Max() + 1;
        if (version > 9999)
            throw new IOException($"{directory} already holds migration 9999; versions have four digits.");

        var stem = $"{version:D4}_{name}";
        var up = Path.Combine(directory, stem + ".up.sql");
        var down = Path.Combine(directory, stem + ".down.sql");
        var migration = Path.Combine(directory, stem + ".cs");
        WriteNew(up, $"-- {stem}: describe the change. Name tables without a schema: the runner sets search_path.\n");
        WriteNew(down, $"-- {stem}: revert exactly what {stem}.up.sql does.\n");
        WriteNew(migration, $$"""
            using FluentMigrator;

            namespace Chat.Data.Migrations;

            [Migration({{version}}, "{{name}}")]
            internal sealed class Migration{{version:D4}}{{PascalCase(name)}} : SqlScriptMigration;

            """);
        return (migration, up, down);
    }

    private static string PascalCase(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(word => char.ToUpperInvariant(word[0]) + word[1..]));

    // CreateNew: never overwrite a file, even one written since the folder was read.
    private static void WriteNew(string path, string text)
    {
        using var writer = new StreamWriter(new FileStream(path, FileMode.CreateNew));
        writer.Write(text);
    }

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex WordBoundary();

    [GeneratedRegex(@"[\s\-.]+")]
    private static partial Regex Separators();

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex ValidName();

    [GeneratedRegex(@"^(?<version>\d{4})_[a-z0-9_]+\.(up|down)\.sql$")]
    private static partial Regex ScriptName();
}
