namespace Chat.Data.Migrations;

/// <summary>Where one migration stands in a database.</summary>
/// <param name="Version">The migration's number.</param>
/// <param name="Name">The migration's name.</param>
/// <param name="State">Applied, pending, modified since applied, or applied but unknown to this library version.</param>
/// <param name="AppliedAt">When it was applied, if it was.</param>
/// <param name="Duration">How long applying it took, if it was applied.</param>
public sealed record MigrationStatus(long Version, string Name, MigrationState State, DateTimeOffset? AppliedAt, TimeSpan? Duration)
{
    /// <summary>Whose migration it is: <c>chat</c> (Chat.Data's own) or a package's, such as <c>documents</c>. Each numbers its own.</summary>
    public string Stream { get; init; } = "chat";
}

/// <summary>The state of one migration in a database.</summary>
public enum MigrationState
{
    /// <summary>Not applied yet.</summary>
    Pending,

    /// <summary>Applied, and its scripts still match what was applied.</summary>
    Applied,

    /// <summary>Applied, but its scripts changed since: the runner refuses to go on until this is resolved.</summary>
    Modified,

    /// <summary>Applied by a newer version of the library; this version does not know it.</summary>
    Unknown,
}

/// <summary>A migration that ran (up or down) in a call to the migrator.</summary>
/// <param name="Version">The migration's number.</param>
/// <param name="Name">The migration's name.</param>
/// <param name="Duration">How long its script took.</param>
public sealed record MigrationRun(long Version, string Name, TimeSpan Duration)
{
    /// <summary>Whose migration it is: <c>chat</c> (Chat.Data's own) or a package's, such as <c>documents</c>. Each numbers its own.</summary>
    public string Stream { get; init; } = "chat";
}

/// <summary>A migration problem that needs a person: edited scripts, an unknown target, a missing down script.</summary>
public sealed class MigrationException : ChatDataException
{
    /// <summary>Creates the exception.</summary>
    public MigrationException(string message, string? fileName = null, Exception? innerException = null)
        : base(message, innerException)
    {
        FileName = fileName;
    }

    /// <summary>The migration file concerned, when there is one (for example <c>0001_users.up.sql</c>).</summary>
    public string? FileName { get; }
}
