namespace Chat.Data.Messages;

/// <summary>What a message carries.</summary>
public enum MessageType
{
    /// <summary>Text; content is required and non-blank.</summary>
    Text,

    /// <summary>Images, with attachments.</summary>
    Image,

    /// <summary>Video.</summary>
    Video,

    /// <summary>Audio.</summary>
    Audio,

    /// <summary>A voice note.</summary>
    Voice,

    /// <summary>A file.</summary>
    File,

    /// <summary>A card pointing at a document, its reference in the metadata.</summary>
    DocumentCard,

    /// <summary>A shared post, its reference in the metadata.</summary>
    SharedPost,

    /// <summary>Code.</summary>
    Code,

    /// <summary>A poll, described by the metadata.</summary>
    Poll,

    /// <summary>A notice from the system (joined, left, renamed); it has no sender.</summary>
    System,
}

/// <summary>A message in a chat.</summary>
/// <param name="Id">UUID v7.</param>
/// <param name="ChatId">The chat.</param>
/// <param name="Seq">Position in the chat: 1, 2, 3, ... with no gaps.</param>
/// <param name="SenderId">The sender; null for system messages and deleted users.</param>
/// <param name="ClientMessageId">The sender's own id for the send, which makes retries safe.</param>
/// <param name="Type">What it carries.</param>
/// <param name="Content">The text; null for media-only messages and after delete-for-everyone.</param>
/// <param name="Metadata">A JSON object the host owns; null after delete-for-everyone.</param>
/// <param name="ReplyToId">The message it quotes, if any (null once that one is purged).</param>
/// <param name="ThreadRootId">The thread it belongs to, if it is a thread reply.</param>
/// <param name="ReplyCount">For a thread root: how many replies it has.</param>
/// <param name="LastReplyAt">For a thread root: when the last reply came.</param>
/// <param name="Mentions">Users mentioned with @.</param>
/// <param name="EditedAt">When it was last edited.</param>
/// <param name="DeletedAt">When it was deleted for everyone.</param>
/// <param name="DeletedBy">Who deleted it for everyone.</param>
/// <param name="Flagged">Flagged by the host's moderation.</param>
/// <param name="CreatedAt">When it was sent.</param>
public sealed record Message(
    Guid Id,
    Guid ChatId,
    long Seq,
    Guid? SenderId,
    string? ClientMessageId,
    MessageType Type,
    string? Content,
    string? Metadata,
    Guid? ReplyToId,
    Guid? ThreadRootId,
    int ReplyCount,
    DateTimeOffset? LastReplyAt,
    IReadOnlyList<Guid> Mentions,
    DateTimeOffset? EditedAt,
    DateTimeOffset? DeletedAt,
    Guid? DeletedBy,
    bool Flagged,
    DateTimeOffset CreatedAt);

/// <summary>A message to send.</summary>
public sealed record NewMessage
{
    /// <summary>The chat to send to.</summary>
    public required Guid ChatId { get; init; }

    /// <summary>The sender, who must be an active member; null only for <see cref="MessageType.System"/> messages.</summary>
    public Guid? SenderId { get; init; }

    /// <summary>
    /// The sender's own id for this send (at most 100 characters). A retry with the same id returns
    /// the first message instead of storing a second one.
    /// </summary>
    public string? ClientMessageId { get; init; }

    /// <summary>What it carries; default text.</summary>
    public MessageType Type { get; init; } = MessageType.Text;

    /// <summary>
    /// At most 10,000 characters; required and non-blank for text. An image, video, audio, voice or
    /// file message needs content (a caption) or <see cref="Attachments"/>.
    /// </summary>
    public string? Content { get; init; }

    /// <summary>A JSON object the host owns (poll options, shared post id, code language).</summary>
    public string? Metadata { get; init; }

    /// <summary>A message of the same chat to quote.</summary>
    public Guid? ReplyToId { get; init; }

    /// <summary>A message of the same chat whose thread this reply joins (one level: not itself a thread reply).</summary>
    public Guid? ThreadRootId { get; init; }

    /// <summary>Users mentioned with @ (at most 100); active members among them get their mention count bumped.</summary>
    public IReadOnlyCollection<Guid> Mentions { get; init; } = [];

    /// <summary>Flagged by the host's moderation.</summary>
    public bool Flagged { get; init; }

    /// <summary>
    /// Files sent with the message, stored in the same transaction: the message with all of them or
    /// nothing. The limits of <see cref="IAttachmentRepository.AddAsync"/> hold: count, size and MIME
    /// type (<see cref="ChatDataOptions"/>). Read them back with the message's history page or
    /// <see cref="IAttachmentRepository"/>.
    /// </summary>
    public IReadOnlyCollection<NewAttachment> Attachments { get; init; } = [];
}

/// <summary>The short form of a message shown in a chat list.</summary>
/// <param name="Id">The message.</param>
/// <param name="Seq">Its position in the chat.</param>
/// <param name="SenderId">Its sender.</param>
/// <param name="Type">What it carries.</param>
/// <param name="Content">Its text (null when deleted for everyone).</param>
/// <param name="CreatedAt">When it was sent.</param>
/// <param name="IsDeleted">Whether it was deleted for everyone.</param>
public sealed record MessagePreview(Guid Id, long Seq, Guid? SenderId, MessageType Type, string? Content, DateTimeOffset CreatedAt, bool IsDeleted);

/// <summary>A previous version of an edited message.</summary>
/// <param name="MessageId">The message.</param>
/// <param name="Version">1 for the original text, then 2, 3, ...</param>
/// <param name="Content">The text of that version.</param>
/// <param name="Metadata">The metadata of that version.</param>
/// <param name="ReplacedAt">When the edit replaced it.</param>
public sealed record MessageEdit(Guid MessageId, int Version, string? Content, string? Metadata, DateTimeOffset ReplacedAt);

/// <summary>A message deleted for everyone, and the storage its attachments held, for the host to delete.</summary>
/// <param name="Message">The message as it is now (content and metadata wiped).</param>
/// <param name="StorageKeys">Storage keys of its attachments and their thumbnails.</param>
public sealed record DeletedMessage(Message Message, IReadOnlyList<string> StorageKeys);

/// <summary>A search result.</summary>
/// <param name="Message">The message that matched.</param>
/// <param name="Rank">Higher is better: full-text rank, plus a bonus for substring matches.</param>
public sealed record MessageSearchHit(Message Message, double Rank);

/// <summary>One page of a chat's history, oldest first, with the attachments and reactions of its messages.</summary>
/// <param name="Messages">The messages, ascending by seq.</param>
/// <param name="ReachedOldest">True when no older message is visible to the viewer.</param>
/// <param name="ReachedNewest">True when no newer message is visible to the viewer.</param>
public sealed record MessagePage(IReadOnlyList<Message> Messages, bool ReachedOldest, bool ReachedNewest)
{
    /// <summary>The attachments of the page's messages by message id, each message's in their order (none: an empty sequence).</summary>
    public ILookup<Guid, MessageAttachment> Attachments { get; init; } = MessageExtras.NoAttachments;

    /// <summary>The reactions to the page's messages by message id, as the viewer sees them, most used emoji first.</summary>
    public ILookup<Guid, ReactionSummary> Reactions { get; init; } = MessageExtras.NoReactions;
}

/// <summary>Where a history page starts.</summary>
public readonly record struct HistoryAnchor
{
    private HistoryAnchor(HistoryAnchorKind kind, long seq)
    {
        Kind = kind;
        Seq = seq;
    }

    /// <summary>Which anchor this is.</summary>
    public HistoryAnchorKind Kind { get; }

    /// <summary>The seq it is relative to (unused for latest and first unread).</summary>
    public long Seq { get; }

    /// <summary>The newest messages.</summary>
    public static HistoryAnchor Latest => new(HistoryAnchorKind.Latest, 0);

    /// <summary>The viewer's first unread message, with some read ones before it for context; the newest page when nothing is unread.</summary>
    public static HistoryAnchor FirstUnread => new(HistoryAnchorKind.FirstUnread, 0);

    /// <summary>Messages older than <paramref name="seq"/>.</summary>
    public static HistoryAnchor Before(long seq) => new(HistoryAnchorKind.Before, seq);

    /// <summary>Messages newer than <paramref name="seq"/>.</summary>
    public static HistoryAnchor After(long seq) => new(HistoryAnchorKind.After, seq);

    /// <summary>Messages around <paramref name="seq"/>, that one included (to jump to a search hit or a reply).</summary>
    public static HistoryAnchor Around(long seq) => new(HistoryAnchorKind.Around, seq);
}

/// <summary>The kinds of <see cref="HistoryAnchor"/>.</summary>
public enum HistoryAnchorKind
{
    /// <summary>The newest messages.</summary>
    Latest,

    /// <summary>Older than a seq.</summary>
    Before,

    /// <summary>Newer than a seq.</summary>
    After,

    /// <summary>Around a seq.</summary>
    Around,

    /// <summary>Around the first unread message.</summary>
    FirstUnread,
}
