using Chat.Data.Messages;

namespace Chat.Data.Tests.Messages;

/// <summary>Attachments as a host adds them: a JPEG by default.</summary>
internal static class Files
{
    private static int _next;

    public static NewAttachment Image(string? key = null) => new()
    {
        Kind = AttachmentKind.Image,
        MimeType = "image/jpeg",
        SizeBytes = 1234,
        FileName = "photo.jpg",
        StorageKey = key ?? $"chat/img/{Interlocked.Increment(ref _next)}.jpg",
        ThumbnailKey = $"chat/thumb/{_next}.jpg",
        Width = 800,
        Height = 600,
    };

    public static NewAttachment Of(AttachmentKind kind, string mimeType) => Image() with { Kind = kind, MimeType = mimeType };
}
