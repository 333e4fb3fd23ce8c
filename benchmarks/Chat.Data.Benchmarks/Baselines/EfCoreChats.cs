using Chat.Data.Chats;
using Chat.Data.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace Chat.Data.Benchmarks.Baselines;

/// <summary>
/// Chats the idiomatic EF Core way: the chat list as one no-tracking LINQ query projected into the library's records;
/// the direct chat looked up by its key, else added with its members and saved.
/// </summary>
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
                new ChatRoom(
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

    /// <summary>
    /// The pair's direct chat: looked up by its key; when missing (and the other user has not blocked this one), the chat
    /// and both members saved in one SaveChanges, then read back for the member count the table's trigger keeps. A
    /// concurrent call that saved the same pair first fails this one's insert on the key, and the read back finds its chat.
    /// </summary>
    public async Task<ChatRoom> GetOrCreateDirectAsync(Guid userId, Guid otherUserId)
    {
        var key = DirectKey(userId, otherUserId);
        await using var context = contexts.CreateDbContext();
        if (await FindDirectAsync(context, key) is { } existing)
            return existing;
        if (await context.Blocks.AnyAsync(b => b.BlockerId == otherUserId && b.BlockedId == userId))
            throw new BlockedException(userId, blockedBy: otherUserId);

        var now = DateTimeOffset.UtcNow;
        var chat = new ChatRow { Id = Guid.CreateVersion7(), Type = ChatType.Direct, CreatedBy = userId, DirectKey = key, CreatedAt = now, UpdatedAt = now };
        context.Chats.Add(chat);
        context.Members.AddRange(
            new MemberRow { ChatId = chat.Id, UserId = userId, Role = MemberRole.Member },
            new MemberRow { ChatId = chat.Id, UserId = otherUserId, Role = MemberRole.Member });
        try
        {
            await context.SaveChangesAsync();
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent call saved the pair's chat first: it is read back below.
        }
        return await FindDirectAsync(context, key)
            ?? throw new InvalidOperationException($"The direct chat of {userId} and {otherUserId} was deleted while it was created.");
    }

    private static Task<ChatRoom?> FindDirectAsync(ConversationsDbContext context, string key) =>
        context.Chats.AsNoTracking()
            .Where(c => c.DirectKey == key)
            .Select(c => new ChatRoom(
                c.Id, c.Type, c.ParentChatId, c.Name, c.Slug, c.Description, c.Icon, c.CreatedBy, c.EntityType, c.EntityId, c.IsPrivate,
                c.ArchivedAt, c.Metadata, c.LastSeq, c.LastMessageId, c.LastMessageAt, c.MessageCount, c.MemberCount, c.CreatedAt,
                c.UpdatedAt, c.DeletedAt))
            .SingleOrDefaultAsync();

    /// <summary>The key the library builds in SQL (the two ids as uuid text, smaller first): text order is uuid order.</summary>
    private static string DirectKey(Guid userId, Guid otherUserId)
    {
        var (a, b) = (userId.ToString(), otherUserId.ToString());
        return string.CompareOrdinal(a, b) < 0 ? $"{a}:{b}" : $"{b}:{a}";
    }
}
