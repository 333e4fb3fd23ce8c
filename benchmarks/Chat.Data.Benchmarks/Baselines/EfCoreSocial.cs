using Chat.Data.Messages;
using Chat.Data.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Chat.Data.Benchmarks.Baselines;

/// <summary>
/// Reactions, contact sync and galleries the idiomatic EF Core way: a pooled context per operation and
/// no-tracking LINQ. The reaction summaries group in memory: LINQ has no ordered array_agg with a slice,
/// so the query reads the visible reactions and the grouping, counts and first users are C#.
/// </summary>
internal sealed class EfCoreSocial(PooledDbContextFactory<ConversationsDbContext> contexts)
{
    public async Task<ILookup<Guid, ReactionSummary>> GetReactionSummariesAsync(Guid[] messageIds, Guid viewerId)
    {
        await using var context = contexts.CreateDbContext();
        var reactions = await (
            from r in context.Reactions.AsNoTracking()
            join m in context.Messages on r.MessageId equals m.Id
            join cm in context.Members on m.ChatId equals cm.ChatId
            where messageIds.Contains(r.MessageId) && m.DeletedAt == null && cm.UserId == viewerId && cm.LeftAt == null
            orderby r.CreatedAt, r.UserId
            select new { r.MessageId, r.Emoji, r.UserId, r.CreatedAt })
            .ToListAsync();
        // Most used emoji first, then the first used; the seed gives every reaction of a message its own time.
        return reactions
            .GroupBy(r => (r.MessageId, r.Emoji))
            .Select(g => (
                Summary: new ReactionSummary(g.Key.MessageId, g.Key.Emoji, g.Count(), g.Any(r => r.UserId == viewerId),
                    g.Take(ReactionSummary.SampleSize).Select(r => r.UserId).ToArray()),
                First: g.First().CreatedAt))
            .OrderByDescending(s => s.Summary.Count).ThenBy(s => s.First).ThenBy(s => s.Summary.Emoji, StringComparer.Ordinal)
            .Select(s => s.Summary)
            .ToLookup(s => s.MessageId);
    }

    public async Task<List<User>> SyncContactsAsync(Guid userId, string[] phones)
    {
        await using var context = contexts.CreateDbContext();
        return await context.Users.AsNoTracking()
            .Where(u => phones.Contains(u.Phone!) && u.Id != userId
                && !context.Blocks.Any(b => (b.BlockerId == userId && b.BlockedId == u.Id) || (b.BlockerId == u.Id && b.BlockedId == userId)))
            .ToListAsync();
    }

    /// <summary>The gallery of one kind, newest first, from the top (<paramref name="after"/> null) or after a page's last row.</summary>
    public async Task<Page<MessageAttachment>> GetGalleryAsync(Guid chatId, Guid viewerId, AttachmentKind kind, (DateTimeOffset At, Guid Id)? after, int limit)
    {
        await using var context = contexts.CreateDbContext();
        var clearedSeq = await context.Members
            .Where(m => m.ChatId == chatId && m.UserId == viewerId && m.LeftAt == null)
            .Select(m => (long?)m.ClearedSeq)
            .SingleOrDefaultAsync()
            ?? throw new NotAMemberException(chatId, viewerId);

        var gallery =
            from a in context.Attachments.AsNoTracking()
            join m in context.Messages on a.MessageId equals m.Id
            where a.ChatId == chatId && a.Kind == kind && m.Seq > clearedSeq
                && !context.Hides.Any(h => h.UserId == viewerId && h.MessageId == a.MessageId)
            select a;
        if (after is var (afterAt, afterId))
            gallery = gallery.Where(a => EF.Functions.LessThan(ValueTuple.Create(a.CreatedAt, a.Id), ValueTuple.Create(afterAt, afterId)));
        var rows = await gallery
            .OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id)
            .Take(limit + 1)
            .Select(a => new MessageAttachment(
                a.Id, a.MessageId, a.ChatId, a.Kind, a.FileName, a.MimeType, a.SizeBytes, a.StorageKey, a.Url, a.ThumbnailKey,
                a.ThumbnailUrl, a.Width, a.Height, a.DurationMs, a.SortOrder, a.ScanStatus, a.Metadata, a.CreatedAt))
            .ToListAsync();
        return Gallery.ToPage(rows, limit);
    }
}
