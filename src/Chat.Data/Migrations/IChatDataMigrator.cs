namespace Chat.Data.Migrations;

/// <summary>
/// Applies and reverts the library's schema migrations: the chat core's, then those of each package added
/// to the registration (<c>.AddDocuments()</c>), each package numbering its own. Safe to call from many app
/// instances at once: a PostgreSQL advisory lock lets one of them work while the others wait, and each
/// migration runs in its own transaction. Every call first refuses to go on when an applied migration's
/// scripts have changed since (<see cref="MigrationException"/> naming the file).
/// </summary>
public interface IChatDataMigrator
{
    /// <summary>
    /// Applies every pending migration, the chat core's first, then each package's; returns what ran. With a
    /// <paramref name="targetVersion"/>, applies the chat core's up to that version only (the packages build
    /// on all of it, so theirs wait for a run without one).
    /// </summary>
    Task<IReadOnlyList<MigrationRun>> MigrateUpAsync(long? targetVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reverts the last <paramref name="steps"/> applied migrations, newest first, a package's before the chat
    /// core's (they build on it); returns what ran.
    /// </summary>
    Task<IReadOnlyList<MigrationRun>> MigrateDownAsync(int steps = 1, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reverts every applied migration of the packages, then every chat core migration newer than
    /// <paramref name="targetVersion"/> (0 reverts all); returns what ran.
    /// </summary>
    Task<IReadOnlyList<MigrationRun>> MigrateDownToAsync(long targetVersion, CancellationToken cancellationToken = default);

    /// <summary>Every migration this library knows, and any applied one it does not, with its state: the chat core's, then each package's.</summary>
    Task<IReadOnlyList<MigrationStatus>> GetStatusAsync(CancellationToken cancellationToken = default);
}
