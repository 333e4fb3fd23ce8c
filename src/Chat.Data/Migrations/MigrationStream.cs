using System.Reflection;
using System.Text.RegularExpressions;
using FluentMigrator.Runner.Initialization;

namespace Chat.Data.Migrations;

/// <summary>
/// One package's own line of migrations: the <see cref="SqlScriptMigration"/> classes of an assembly, and
/// the two tables in the library's schema that record which of them ran (FluentMigrator's version table)
/// and what their scripts said (the checksum table). A package with its own tables owns a stream of its
/// own, with its own table names, and migrates at its own pace.
/// </summary>
internal sealed partial class MigrationStream : IMigrationSourceItem
{
    private readonly Lazy<IReadOnlyList<(Type Type, MigrationScript Script)>> _migrations;

    public MigrationStream(Assembly assembly, string name, string versionTable, string checksumTable, IReadOnlyCollection<long>? handedOver = null, MigrationHandover? adopts = null)
    {
        Name = name;
        VersionTable = versionTable;
        ChecksumTable = checksumTable;
        HandedOver = handedOver ?? [];
        Adopts = adopts;
        _migrations = new(() => Load(assembly));
    }

    /// <summary>
    /// The chat core's migrations, the ones shipped in Chat.Data. Its version 6 (documents) moved to the
    /// Chat.Data.Documents package, which adopts it from this stream's table.
    /// </summary>
    public static MigrationStream Chat { get; } = new(typeof(MigrationStream).Assembly, "chat", "version_info", "version_checksums", handedOver: [6]);

    /// <summary>What the stream is called in statuses and runs: <c>chat</c>, <c>documents</c>.</summary>
    public string Name { get; }

    public string VersionTable { get; }

    public string ChecksumTable { get; }

    /// <summary>
    /// Versions an earlier release shipped in this stream and another package's stream now owns: this
    /// stream neither reports nor reverts them when its table still records them.
    /// </summary>
    public IReadOnlyCollection<long> HandedOver { get; }

    /// <summary>A migration this stream took over from another, recorded there by an earlier release.</summary>
    public MigrationHandover? Adopts { get; }

    /// <summary>The scripts in version order.</summary>
    public IEnumerable<MigrationScript> Scripts => _migrations.Value.Select(m => m.Script);

    /// <summary>What FluentMigrator runs: the classes themselves, which are not public.</summary>
    public IEnumerable<Type> MigrationTypeCandidates => _migrations.Value.Select(m => m.Type);

    private static List<(Type, MigrationScript)> Load(Assembly assembly)
    {
        var migrations = assembly.GetTypes()
            .Where(type => type.IsSubclassOf(typeof(SqlScriptMigration)) && !type.IsAbstract)
            .Select(type => (Type: type, Script: MigrationScript.Of(type)))
            .OrderBy(m => m.Script.Version)
            .ToList();

        foreach (var duplicate in migrations.GroupBy(m => m.Script.Version).Where(g => g.Count() > 1))
            throw new InvalidOperationException($"Two migrations share version {duplicate.Key:D4}: {string.Join(", ", duplicate.Select(m => m.Type.Name))}.");

        // A script pair nothing runs would be skipped without a word: each needs its [Migration] class.
        var run = migrations.SelectMany(m => new[] { m.Script.FileName, m.Script.DownFileName }).ToHashSet();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (ScriptName().Match(resource) is { Success: true } match && !run.Contains(match.Value))
                throw new InvalidOperationException($"{match.Value} is embedded in {assembly.GetName().Name} but no [Migration] class runs it.");
        }
        return migrations;
    }

    [GeneratedRegex(@"\d{4}_[a-z0-9_]+\.(up|down)\.sql$")]
    private static partial Regex ScriptName();
}

/// <summary>
/// Migration <paramref name="FromVersion"/> of stream <paramref name="From"/>, as an earlier release shipped it
/// (its scripts' checksum <paramref name="FromChecksum"/>), is this stream's <paramref name="Version"/>: a database
/// that applied it there has this one's tables already. The migrator moves its history row here instead of running it.
/// </summary>
internal sealed record MigrationHandover(MigrationStream From, long FromVersion, string FromChecksum, long Version);

