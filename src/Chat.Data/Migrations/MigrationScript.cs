using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using FluentMigrator;

namespace Chat.Data.Migrations;

/// <summary>
/// The pair of SQL scripts one migration class runs: <c>NNNN_name.up.sql</c> and <c>NNNN_name.down.sql</c>,
/// embedded in the class's assembly under the class's namespace and named by its <c>[Migration(N, "name")]</c>.
/// </summary>
internal sealed record MigrationScript(long Version, string Name, string UpSql, string DownSql)
{
    /// <summary>The up script's file name, as errors name a migration: <c>0001_users.up.sql</c>.</summary>
    public string FileName => $"{Version:D4}_{Name}.up.sql";

    public string DownFileName => $"{Version:D4}_{Name}.down.sql";

    /// <summary>
    /// SHA-256 of both scripts with line endings normalised, so a checkout's line-ending settings never
    /// count as an edit. Chat.Data 0.1.0 recorded the same value, so its history is carried over as it is.
    /// </summary>
    public string Checksum => ComputeChecksum(UpSql, DownSql);

    public static MigrationScript Of(Type migration)
    {
        var attribute = migration.GetCustomAttribute<MigrationAttribute>()
            ?? throw new InvalidOperationException($"{migration.Name} needs a [Migration(version, \"name\")] attribute.");
        var name = attribute.Description
            ?? throw new InvalidOperationException($"{migration.Name} needs its scripts' name in [Migration({attribute.Version}, \"name\")].");
        var stem = $"{attribute.Version:D4}_{name}";
        return new MigrationScript(attribute.Version, name, Read(migration, stem + ".up.sql"), Read(migration, stem + ".down.sql"));
    }

    private static string ComputeChecksum(string up, string down)
    {
        var text = Normalise(up) + "\n-- down --\n" + Normalise(down);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static string Normalise(string sql) => sql.ReplaceLineEndings("\n");

    private static string Read(Type migration, string fileName)
    {
        using var stream = migration.Assembly.GetManifestResourceStream(migration, fileName)
            ?? throw new InvalidOperationException($"{migration.Name} needs the embedded script {migration.Namespace}.{fileName}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
