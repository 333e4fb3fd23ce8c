using Chat.Data.Chats;
using Chat.Data.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Chat.Data.Benchmarks;

/// <summary>The chat list the idiomatic EF Core way: one no-tracking LINQ query projected into the library's records.</summary>
internal sealed class EfCoreChats(PooledDbContextFactory<ConversationsDbContext> contexts)
{
    /// <summary>The first page of the user's chat list: pinned first, then by latest activity, with unread counts and a preview.</summary>
    public async Task<Page<ChatListItem>> ListForUserAsync(Guid userId, int limit)
    {
        await using var context = contexts.CreateDbContext();
        var rows = await (
            from m in context.Members.AsNoTracking()
            join c in context.Chats on m.ChatId equals c.Id
            where m.UserId == userId && m.LeftAt == null && c.DeletedAt == null && (m.HiddenAt == null || c.LastMessageAt > m.HiddenAt)
            orderby m.PinnedAt != null descending, m.PinnedAt descending, c.LastMessageAt ?? c.CreatedAt descending, c.Id descending
            select new ChatListItem(
                new Chats.Chat(
                    c.Id, c.Type, c.ParentChatId, c.Name, c.Slug, c.Description, c.Icon, c.CreatedBy, c.EntityType, c.EntityId, c.IsPrivate,
                    c.ArchivedAt, c.Metadata, c.LastSeq, c.LastMessageId, c.LastMessageAt, c.MessageCount, c.MemberCount, c.CreatedAt,
                    c.UpdatedAt, c.DeletedAt),
                m.Role,
                // Unread: after the read mark, less the messages deleted for everyone.
                Math.Max(c.LastSeq - m.LastReadSeq - context.Messages.LongCount(d => d.ChatId == c.Id && d.Seq > m.LastReadSeq && d.DeletedAt != null), 0L),
                m.UnreadMentionCount,
                m.MutedUntil != null && m.MutedUntil > DateTimeOffset.UtcNow,
                m.PinnedAt,
                // The newest message the member can see: after what they cleared, not hidden by them.
                context.Messages
                    .Where(x => x.ChatId == c.Id && x.Seq > m.ClearedSeq && !context.Hides.Any(h => h.UserId == userId && h.MessageId == x.Id))
                    .OrderByDescending(x => x.Seq)
                    .Select(x => new MessagePreview(x.Id, x.Seq, x.SenderId, x.Type, x.Content, x.CreatedAt, x.DeletedAt != null))
                    .FirstOrDefault()))
            .Take(limit + 1)
            .ToListAsync();
        return ChatListPage.Create(rows, limit);
    }
}
