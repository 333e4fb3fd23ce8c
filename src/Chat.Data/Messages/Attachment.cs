namespace Chat.Data.Messages;

/// <summary>What an attachment holds.</summary>
public enum AttachmentKind
{
    /// <summary>A picture.</summary>
    Image,

    /// <summary>A video.</summary>
    Video,

    /// <summary>Audio, such as music or a recording.</summary>
    Audio,

    /// <summary>A voice note.</summary>
    Voice,

    /// <summary>Any other file.</summary>
    File,
}

/// <summary>Where an attachment's malware scan stands: hosts serve only clean files.</summary>
public enum ScanStatus
{
    /// <summary>Not scanned yet.</summary>
    Pending,

    /// <summary>Scanned, nothing found.</summary>
    Clean,

    /// <summary>Scanned, malware found.</summary>
    Infected,

    /// <summary>The scan failed.</summary>
    Error,
}

/// <summary>A file attached to a message. The file itself lives in the host's storage; this is its description.</summary>
/// <param name="Id">UUID v7.</param>
/// <param name="MessageId">The message.</param>
/// <param name="ChatId">The message's chat.</param>
/// <param name="Kind">What it holds.</param>
/// <param name="FileName">The original file name.</param>
/// <param name="MimeType">The MIME type, lower case.</param>
/// <param name="SizeBytes">The file's size.</param>
/// <param name="StorageKey">The object key in the host's storage (S3, MinIO).</param>
/// <param name="Url">Where the file is served from.</param>
/// <param name="ThumbnailKey">The thumbnail's object key.</param>
/// <param name="ThumbnailUrl">Where the thumbnail is served from.</param>
/// <param name="Width">Pixels, for images and video.</param>
/// <param name="Height">Pixels, for images and video.</param>
/// <param name="DurationMs">Milliseconds, for video, audio and voice.</param>
/// <param name="SortOrder">Its place among the message's attachments: 0, 1, 2, ...</param>
/// <param name="ScanStatus">Where its malware scan stands.</param>
/// <param name="Metadata">A JSON object the host owns (codec, waveform, blurhash).</param>
/// <param name="CreatedAt">When it was added.</param>
public sealed record MessageAttachment(
    Guid Id,
    Guid MessageId,
    Guid ChatId,
    AttachmentKind Kind,
    string? FileName,
    string? MimeType,
    long? SizeBytes,
    string? StorageKey,
    string? Url,
    string? ThumbnailKey,
    string? ThumbnailUrl,
    int? Width,
    int? Height,
    int? DurationMs,
    int SortOrder,
    ScanStatus ScanStatus,
    string? Metadata,
    DateTimeOffset CreatedAt);

/// <summary>An attachment to add to a message. A storage key or a URL is required.</summary>
public sealed record NewAttachment
{
    /// <summary>What it holds.</summary>
    public required AttachmentKind Kind { get; init; }

    /// <summary>
    /// The MIME type (<c>type/subtype</c>, no parameters), one of <see cref="ChatDataOptions.AllowedAttachmentMimeTypes"/>;
    /// stored in lower case.
    /// </summary>
    public required string MimeType { get; init; }

    /// <summary>The file's size: 1 to <see cref="ChatDataOptions.MaxAttachmentBytes"/> bytes.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>The original file name, at most 255 characters.</summary>
    public string? FileName { get; init; }

    /// <summary>The object key in the host's storage, at most 1,000 characters.</summary>
    public string? StorageKey { get; init; }

    /// <summary>Where the file is served from, at most 2,000 characters.</summary>
    public string? Url { get; init; }

    /// <summary>The thumbnail's object key, at most 1,000 characters.</summary>
    public string? ThumbnailKey { get; init; }

    /// <summary>Where the thumbnail is served from, at most 2,000 characters.</summary>
    public string? ThumbnailUrl { get; init; }

    /// <summary>Pixels, 0 or more.</summary>
    public int? Width { get; init; }

    /// <summary>Pixels, 0 or more.</summary>
    public int? Height { get; init; }

    /// <summary>Milliseconds, 0 or more.</summary>
    public int? DurationMs { get; init; }

    /// <summary>Default pending; a host that scans before it stores can say clean.</summary>
    public ScanStatus ScanStatus { get; init; } = ScanStatus.Pending;

    /// <summary>A JSON object the host owns.</summary>
    public string? Metadata { get; init; }
}
