namespace Chat.Data;

/// <summary>Settings for <c>services.AddChatData(...)</c>.</summary>
public sealed class ChatDataOptions
{
    /// <summary>The schema used when none is set.</summary>
    public const string DefaultSchema = "chat";

    /// <summary>
    /// PostgreSQL connection string. Required unless the host registered its own
    /// <see cref="Npgsql.NpgsqlDataSource"/>, which Chat.Data then shares.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The schema holding every Chat.Data table, so they never collide with the host's.
    /// Lower-case letters, digits and underscores, starting with a letter or underscore. Default <c>chat</c>.
    /// </summary>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>Apply pending migrations when the host starts. Default false: run them with the CLI or <c>IChatDataMigrator</c>.</summary>
    public bool RunMigrationsOnStartup { get; set; }

    /// <summary>The most active members a group or topic may have (seed 003: 300). Direct chats always have two.</summary>
    public int MaxGroupMembers { get; set; } = 300;
}
