using Chat.Data.Chats;
using Chat.Data.Internal;

namespace Chat.Data.Benchmarks.Baselines;

/// <summary>A chat-list page with the library's cursor, so the baselines return what the library returns.</summary>
internal static class ChatListPage
{
    /// <summary><paramref name="rows"/> holds up to one row more than the page: its presence means there is a next page.</summary>
    public static Page<ChatListItem> Create(List<ChatListItem> rows, int limit)
    {
        if (rows.Count <= limit)
            return new Page<ChatListItem>(rows, null);

        rows.RemoveAt(limit);
        var last = rows[^1];
        return new Page<ChatListItem>(rows, Cursor.Encode(
            last.PinnedAt is { } pinnedAt ? Cursor.Text(pinnedAt) : "",
            Cursor.Text(last.Chat.LastMessageAt ?? last.Chat.CreatedAt),
            Cursor.Text(last.Chat.Id)));
    }
}
