using System.Text.RegularExpressions;
using Chat.Data.Internal;

namespace Chat.Data.Messages;

/// <summary>
/// The attachment rules: the table's (lengths, a location, no negative sizes; its CHECK constraints
/// hold the same ones) and the host's limits from <see cref="ChatDataOptions"/>, all checked before the database.
/// </summary>
internal sealed partial class AttachmentRules
{
    public const int MaxFileNameLength = 255;
    public const int MaxMimeTypeLength = 255;
    public const int MaxKeyLength = 1000;
    public const int MaxUrlLength = 2000;

    private readonly HashSet<string> _types = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _wholeTypes = new(StringComparer.OrdinalIgnoreCase);
    private readonly bool _anyType;

    public AttachmentRules(ChatDataOptions options)
    {
        MaxPerMessage = options.MaxAttachmentsPerMessage;
        MaxBytes = options.MaxAttachmentBytes;
        foreach (var allowed in options.AllowedAttachmentMimeTypes)
        {
            if (allowed == "*/*")
                _anyType = true;
            else if (allowed.EndsWith("/*", StringComparison.Ordinal))
                _wholeTypes.Add(allowed[..^2]);
            else
                _types.Add(allowed);
        }
    }

    public int MaxPerMessage { get; }

    public long MaxBytes { get; }

    // RFC 6838 restricted names: type/subtype, no parameters.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MimeType();

    [GeneratedRegex(@"^([a-z0-9][a-z0-9!#$&^_.+-]{0,126}/\*|\*/\*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WildcardMimeType();

    /// <summary>An entry of <see cref="ChatDataOptions.AllowedAttachmentMimeTypes"/>: a MIME type, <c>type/*</c> or <c>*/*</c>.</summary>
    public static bool IsAllowedEntry(string? entry) => entry is not null && (MimeType().IsMatch(entry) || WildcardMimeType().IsMatch(entry));

    private bool Allows(string mimeType) =>
        _anyType || _types.Contains(mimeType) || _wholeTypes.Contains(mimeType[..mimeType.IndexOf('/')]);

    /// <summary>The attachments as parallel arrays, one per column, for one INSERT ... SELECT FROM unnest(...).</summary>
    public Columns Validate(IReadOnlyCollection<NewAttachment> attachments, string field)
    {
        var columns = new Columns(attachments.Count);
        var i = 0;
        foreach (var attachment in attachments)
        {
            var at = $"{field}[{i}]";
            if (attachment is null)
                throw new ChatDataValidationException(at, "an attachment is required (null given).");
            columns.Ids[i] = Guid.CreateVersion7();
            columns.Kinds[i] = DbEnum<AttachmentKind>.ToDb(attachment.Kind, $"{at}.{nameof(NewAttachment.Kind)}");
            columns.MimeTypes[i] = AllowedType(attachment.MimeType, $"{at}.{nameof(NewAttachment.MimeType)}");
            columns.Sizes[i] = Size(attachment.SizeBytes, $"{at}.{nameof(NewAttachment.SizeBytes)}");
            columns.FileNames[i] = Text(attachment.FileName, $"{at}.{nameof(NewAttachment.FileName)}", MaxFileNameLength);
            columns.StorageKeys[i] = Text(attachment.StorageKey, $"{at}.{nameof(NewAttachment.StorageKey)}", MaxKeyLength);
            columns.Urls[i] = Text(attachment.Url, $"{at}.{nameof(NewAttachment.Url)}", MaxUrlLength);
            if (columns.StorageKeys[i] is null && columns.Urls[i] is null)
                throw new ChatDataValidationException($"{at}.{nameof(NewAttachment.StorageKey)}", "a storage key or a URL is required.");
            columns.ThumbnailKeys[i] = Text(attachment.ThumbnailKey, $"{at}.{nameof(NewAttachment.ThumbnailKey)}", MaxKeyLength);
            columns.ThumbnailUrls[i] = Text(attachment.ThumbnailUrl, $"{at}.{nameof(NewAttachment.ThumbnailUrl)}", MaxUrlLength);
            columns.Widths[i] = NotNegative(attachment.Width, $"{at}.{nameof(NewAttachment.Width)}");
            columns.Heights[i] = NotNegative(attachment.Height, $"{at}.{nameof(NewAttachment.Height)}");
            columns.Durations[i] = NotNegative(attachment.DurationMs, $"{at}.{nameof(NewAttachment.DurationMs)}");
            columns.ScanStatuses[i] = DbEnum<ScanStatus>.ToDb(attachment.ScanStatus, $"{at}.{nameof(NewAttachment.ScanStatus)}");
            columns.Metadata[i] = Check.JsonObject(attachment.Metadata, $"{at}.{nameof(NewAttachment.Metadata)}");
            i++;
        }
        return columns;
    }

    /// <summary>MIME types are case-insensitive: stored in lower case, so one type is one value.</summary>
    private string AllowedType(string? mimeType, string field)
    {
        Check.Required(mimeType, field, MaxMimeTypeLength);
        if (!MimeType().IsMatch(mimeType!))
            throw new ChatDataValidationException(field, "a MIME type such as image/png is required (type/subtype, no parameters).");
        var type = mimeType!.ToLowerInvariant();
        return Allows(type)
            ? type
            : throw new ChatDataValidationException(field, $"'{type}' is not one of the allowed types (ChatDataOptions.AllowedAttachmentMimeTypes).");
    }

    private long Size(long sizeBytes, string field) =>
        sizeBytes >= 1 && sizeBytes <= MaxBytes
            ? sizeBytes
            : throw new ChatDataValidationException(field, $"use 1 to {MaxBytes} bytes (ChatDataOptions.MaxAttachmentBytes; {sizeBytes} given).");

    /// <summary>Null, or non-blank text.</summary>
    private static string? Text(string? value, string field, int maxLength) =>
        value is null ? null : Check.Required(value, field, maxLength);

    private static int? NotNegative(int? value, string field) =>
        value is null or >= 0 ? value : throw new ChatDataValidationException(field, $"0 or more is required ({value} given).");

    /// <summary>One array per inserted column, each element one attachment.</summary>
    public sealed class Columns(int count)
    {
        public Guid[] Ids { get; } = new Guid[count];
        public string[] Kinds { get; } = new string[count];
        public string[] MimeTypes { get; } = new string[count];
        public long[] Sizes { get; } = new long[count];
        public string?[] FileNames { get; } = new string?[count];
        public string?[] StorageKeys { get; } = new string?[count];
        public string?[] Urls { get; } = new string?[count];
        public string?[] ThumbnailKeys { get; } = new string?[count];
        public string?[] ThumbnailUrls { get; } = new string?[count];
        public int?[] Widths { get; } = new int?[count];
        public int?[] Heights { get; } = new int?[count];
        public int?[] Durations { get; } = new int?[count];
        public string[] ScanStatuses { get; } = new string[count];
        public string?[] Metadata { get; } = new string?[count];
    }
}
