using Npgsql;

namespace Chat.Data;

/// <summary>Settings for <c>services.AddChatData(...)</c>.</summary>
public sealed class ChatDataOptions
{
    /// <summary>The schema used when none is set.</summary>
    public const string DefaultSchema = "chat";

    /// <summary>
    /// PostgreSQL connection string, from which Chat.Data builds a data source of its own (disposed with the
    /// container). Leave it unset to share an <see cref="NpgsqlDataSource"/> the host registered (for example
    /// with <c>AddNpgsqlDataSource</c>); one of the two is required. When both are there, this connection
    /// string wins and the registered data source stays the host's alone.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Changes the <see cref="NpgsqlDataSourceBuilder"/> Chat.Data builds from <see cref="ConnectionString"/>
    /// (type mappings, TLS, a password provider, pool settings), after Chat.Data's own settings, so it may
    /// change those too: the host's logger factory, <c>Max Auto Prepare=128</c> when none is set,
    /// <c>No Reset On Close=true</c>, <c>Application Name=Chat.Data</c> when none is set. Needs
    /// <see cref="ConnectionString"/>: a registered <see cref="NpgsqlDataSource"/> is shared as it is, so
    /// configure that one where you build it.
    /// </summary>
    public Action<NpgsqlDataSourceBuilder>? ConfigureDataSource { get; set; }

    /// <summary>
    /// The schema holding every Chat.Data table, so they never collide with the host's.
    /// Lower-case letters, digits and underscores, starting with a letter or underscore. Default <c>chat</c>.
    /// </summary>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>
    /// Serve reads that may lag a little (history, threads, search, chat list, gallery, activity feed,
    /// receipts, user look-ups) from a standby, through Npgsql's multi-host support; writes, and reads
    /// made inside a write, stay on the primary. Needs a multi-host <see cref="ConnectionString"/>
    /// (<c>Host=primary,standby1,standby2</c>) or a registered <see cref="NpgsqlMultiHostDataSource"/>.
    /// A read falls back to the primary when no standby answers or one fails it. Use
    /// <see cref="Replicas.IReadYourWrites"/> so users see their own writes. Default false: every
    /// statement goes to the one server.
    /// </summary>
    public bool ReadFromStandbys { get; set; }

    /// <summary>
    /// With <see cref="ReadFromStandbys"/>, how long a read in a read-your-writes scope waits at most for
    /// its standby to replay the scope's last write before the primary serves it. From 0 (never wait) to
    /// 10 seconds. Default 50 ms.
    /// </summary>
    public TimeSpan StandbyCatchUpTimeout { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Apply pending migrations when the host starts. Default false: run them with the CLI or <c>IChatDataMigrator</c>.
    /// Only a generic host (<c>Host.CreateApplicationBuilder</c>, <c>WebApplication</c>) starts them; with a plain
    /// <c>ServiceCollection</c>, call <c>IChatDataMigrator.MigrateUpAsync</c> yourself before the first query.
    /// </summary>
    public bool RunMigrationsOnStartup { get; set; }

    /// <summary>The most active members a group or topic may have (default 300). Direct chats always have two.</summary>
    public int MaxGroupMembers { get; set; } = 300;

    /// <summary>
    /// When true, a direct chat between users who are not accepted contacts is only created by
    /// accepting a message request; <c>GetOrCreateDirectAsync</c> refuses it with
    /// <see cref="MessageRequestRequiredException"/>. An existing direct chat is always returned. Default false.
    /// </summary>
    public bool RequireMessageRequestForNonContacts { get; set; }

    /// <summary>
    /// When true, a user has at most one reaction per message: a new one replaces theirs.
    /// Default false: a user may add several different emoji to a message, each once.
    /// </summary>
    public bool OneReactionPerUser { get; set; }

    /// <summary>The most attachments one message may carry (default 5). From 1 to 100.</summary>
    public int MaxAttachmentsPerMessage { get; set; } = 5;

    /// <summary>The largest attachment, in bytes (default 10 MB, 10,485,760 bytes).</summary>
    public long MaxAttachmentBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// The MIME types an attachment may have, compared without regard to case: exact types such as
    /// <c>image/png</c>, or a whole type such as <c>video/*</c>; <c>*/*</c> allows every type.
    /// Default: the common image types, JPEG, PNG, GIF and WebP.
    /// </summary>
    public IList<string> AllowedAttachmentMimeTypes { get; set; } = ["image/jpeg", "image/png", "image/gif", "image/webp"];
}
