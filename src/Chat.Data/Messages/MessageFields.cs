using Chat.Data.Internal;

namespace Chat.Data.Messages;

/// <summary>The messages table's rules, checked before the database (its CHECK constraints hold the same ones).</summary>
internal static class MessageFields
{
    public const int MaxContentLength = 10_000;
    public const int MaxClientMessageIdLength = 100;
    public const int MaxMentions = 100;
    public const int MaxQueryLength = 200;

    /// <summary>Text needs non-blank content (messages_text_content_check); the other types may carry none (media then needs attachments, see HasMedia).</summary>
    public static string? Content(string? content, MessageType type, string field) =>
        type == MessageType.Text
            ? Check.Required(content, field, MaxContentLength)
            : Check.Optional(content, field, MaxContentLength);

    /// <summary>A message of a media type carries media: content (a caption) or attachments.</summary>
    public static void HasMedia(MessageType type, string? content, int attachments, string field)
    {
        if ((type is MessageType.Image or MessageType.Video or MessageType.Audio or MessageType.Voice or MessageType.File) &&
            string.IsNullOrWhiteSpace(content) && attachments == 0)
            throw new ChatDataValidationException(field, $"a {type} message needs attachments or content.");
    }

    public static string? ClientMessageId(string? clientMessageId, string field) =>
        clientMessageId is null ? null : Check.Required(clientMessageId, field, MaxClientMessageIdLength);

    /// <summary>System messages, and only they, have no sender.</summary>
    public static Guid? Sender(Guid? senderId, MessageType type, string field)
    {
        if (senderId is null && type != MessageType.System)
            throw new ChatDataValidationException(field, "a sender is required; only system messages have none.");
        if (senderId is not null && type == MessageType.System)
            throw new ChatDataValidationException(field, "a system message has no sender.");
        return Check.OptionalId(senderId, field);
    }

    /// <summary>An ILIKE pattern matching <paramref name="query"/> anywhere, its own \ % _ taken literally (ESCAPE '\').</summary>
    public static string ContainsPattern(string query) =>
        "%" + query.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal) + "%";
}
