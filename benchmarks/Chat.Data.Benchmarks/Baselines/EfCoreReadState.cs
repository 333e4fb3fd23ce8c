using Chat.Data.Benchmarks.Host;
using Chat.Data.ReadState;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Chat.Data.Benchmarks.Baselines;

/// <summary>
/// Read state the idiomatic EF Core way: LINQ for the unread count; for a mark, a transaction with the
/// member row locked and tracked, its new marks and read_marks rows written by SaveChanges.
/// </summary>
internal sealed class EfCoreReadState(PooledDbContextFactory<ConversationsDbContext> contexts)
{
    // FOR UPDATE: concurrent marks of the member wait here, so marks only move forward.
    private const string LockMember =
        $"SELECT * FROM {BenchDatabase.Schema}.chat_members WHERE chat_id = {{0}} AND user_id = {{1}} AND left_at IS NULL FOR UPDATE";

    public async Task<long> GetUnreadCountAsync(Guid chatId, Guid userId)
    {
        await using var context = contexts.CreateDbContext();
        return await (
            from m in context.Members.AsNoTracking()
            join c in context.Chats on m.ChatId equals c.Id
            where m.ChatId == chatId && m.UserId == userId && m.LeftAt == null
            select (long?)Math.Max(c.LastSeq - m.LastReadSeq - context.Messages.LongCount(d => d.ChatId == c.Id && d.Seq > m.LastReadSeq && d.DeletedAt != null), 0L))
            .SingleOrDefaultAsync()
            ?? throw new InvalidOperationException($"{userId} is not a member of chat {chatId}.");
    }

    /// <summary>Marks the chat read up to <paramref name="upToSeq"/> (at most the newest message); reading implies delivery.</summary>
    public async Task<ReadWatermark> MarkReadAsync(Guid chatId, Guid userId, long upToSeq)
    {
        await using var context = contexts.CreateDbContext();
        await using var transaction = await context.Database.BeginTransactionAsync();
        var member = await context.Members.FromSqlRaw(LockMember, chatId, userId).SingleOrDefaultAsync()
            ?? throw new InvalidOperationException($"{userId} is not a member of chat {chatId}.");
        var lastSeq = await context.Chats.Where(c => c.Id == chatId).Select(c => c.LastSeq).SingleAsync();
        var target = Math.Min(upToSeq, lastSeq);
        var now = DateTimeOffset.UtcNow;
        if (target > member.LastReadSeq)
        {
            member.LastReadSeq = target;
            member.LastReadAt = now;
            member.UnreadMentionCount = target >= lastSeq
                ? 0
                : await context.Messages.CountAsync(x => x.ChatId == chatId && x.Seq > target && x.DeletedAt == null && x.Mentions.Contains(userId));
            context.ReadMarks.Add(new ReadMarkRow { ChatId = chatId, UserId = userId, Kind = "read", UpToSeq = target, At = now });
        }
        if (target > member.LastDeliveredSeq)
        {
            member.LastDeliveredSeq = target;
            member.LastDeliveredAt = now;
            context.ReadMarks.Add(new ReadMarkRow { ChatId = chatId, UserId = userId, Kind = "delivered", UpToSeq = target, At = now });
        }
        await context.SaveChangesAsync();
        var deletedUnread = await context.Messages.LongCountAsync(d => d.ChatId == chatId && d.Seq > member.LastReadSeq && d.DeletedAt != null);
        await transaction.CommitAsync();
        return new ReadWatermark(
            chatId, userId, member.LastDeliveredSeq, member.LastDeliveredAt, member.LastReadSeq, member.LastReadAt,
            Math.Max(lastSeq - member.LastReadSeq - deletedUnread, 0), member.UnreadMentionCount);
    }
}
