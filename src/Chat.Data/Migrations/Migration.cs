using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Chat.Data.Migrations;

/// <summary>One numbered schema change: the SQL that applies it and the SQL that reverts it.</summary>
/// <param name="Version">The number the file name starts with; migrations run in this order.</param>
/// <param name="Name">The file name's words, for example <c>users</c>.</param>
/// <param name="UpSql">The script that applies the change.</param>
/// <param name="DownSql">The script that reverts it.</param>
public sealed partial record Migration(long Version, string Name, string UpSql, string DownSql)
{
    /// <summary>The up script's file name, as it is named in errors: <c>0001_users.up.sql</c>.</summary>
    public string FileName => $"{Version:D4}_{Name}.up.sql";

    /// <summary>
    /// SHA-256 of both scripts with line endings normalised, so a checkout's line-ending
    /// settings never count as an edit.
    /// </summary>
    public string Checksum => ComputeChecksum(UpSql, DownSql);

    /// <summary>The migrations shipped in Chat.Data, in version order.</summary>
    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    private static string ComputeChecksum(string up, string down)
    {
        var text = Normalise(up) + "\n-- down --\n" + Normalise(down);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static string Normalise(string sql) => sql.ReplaceLineEndings("\n");

    private static List<Migration> LoadEmbedded()
    {
        var assembly = typeof(Migration).Assembly;
        var scripts = new Dictionary<(long Version, string Name), (string? Up, string? Down)>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourcePattern().Match(resource);
            if (!match.Success)
                continue;
            var key = (long.Parse(match.Groups["version"].Value), match.Groups["name"].Value);
            var sql = Read(assembly, resource);
            var pair = scripts.GetValueOrDefault(key);
            scripts[key] = match.Groups["direction"].Value == "up" ? pair with { Up = sql } : pair with { Down = sql };
        }

        var migrations = new List<Migration>();
        foreach (var ((version, name), (up, down)) in scripts.OrderBy(s => s.Key.Version))
        {
            if (up is null || down is null)
                throw new InvalidOperationException($"Migration {version:D4}_{name} needs both an up and a down script.");
            if (migrations.Count > 0 && migrations[^1].Version == version)
                throw new InvalidOperationException($"Two migrations share version {version:D4}.");
            migrations.Add(new Migration(version, name, up, down));
        }
        return migrations;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^Chat\.Data\.Migrations\.(?<version>\d{4})_(?<name>[a-z0-9_]+)\.(?<direction>up|down)\.sql$")]
    private static partial Regex ResourcePattern();
}
