using System.Linq.Expressions;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Internal;
using Chat.Data.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Chat.Data.Benchmarks.Baselines;

/// <summary>
/// Messages the idiomatic EF Core way: a pooled context per operation, LINQ with no-tracking projections
/// for reads, a transaction with a locked, tracked chat row and SaveChanges for a send.
/// </summary>
internal sealed class EfCoreMessages(PooledDbContextFactory<ConversationsDbContext> contexts)
{
    // FOR UPDATE: concurrent sends to the chat wait here, so each takes the next seq.
    private const string LockChat = $"SELECT * FROM {BenchDatabase.Schema}.chats WHERE id = {{0}} AND deleted_at IS NULL FOR UPDATE";

    private static readonly Expression<Func<MessageRow, Message>> AsMessage = m => new Message(
        m.Id, m.ChatId, m.Seq, m.SenderId, m.ClientMsgId, m.Type, m.Content, m.Metadata, m.ReplyToId, m.ThreadRootId, m.ReplyCount,
        m.LastReplyAt, m.Mentions, m.EditedAt, m.DeletedAt, m.DeletedBy, m.Flagged, m.CreatedAt);

    public async Task<Message> SendAsync(Guid chatId, Guid senderId, string clientMessageId, string content)
    {
        await using var context = contexts.CreateDbContext();
        await using var transaction = await context.Database.BeginTransactionAsync();
        var chat = await context.Chats.FromSqlRaw(LockChat, chatId).SingleOrDefaultAsync()
            ?? throw new InvalidOperationException($"No chat {chatId}.");
        var sender = await context.Members.SingleOrDefaultAsync(m => m.ChatId == chatId && m.UserId == senderId && m.LeftAt == null)
            ?? throw new InvalidOperationException($"{senderId} is not a member of chat {chatId}.");
        // A retry with the same client id gets the first message back.
        var first = await context.Messages.AsNoTracking()
            .Where(m => m.ChatId == chatId && m.SenderId == senderId && m.ClientMsgId == clientMessageId)
            .Select(AsMessage)
            .SingleOrDefaultAsync();
        if (first is not null)
            return first;

        var now = DateTimeOffset.UtcNow;
        var message = new MessageRow
        {
            Id = Guid.CreateVersion7(now),
            ChatId = chatId,
            Seq = chat.LastSeq + 1,
            SenderId = senderId,
            ClientMsgId = clientMessageId,
            Type = MessageType.Text,
            Content = content,
            CreatedAt = now,
        };
        context.Messages.Add(message);
        chat.LastSeq = message.Seq;
        chat.MessageCount++;
        chat.LastMessageId = message.Id;
        chat.LastMessageAt = now;
        chat.ArchivedAt = null;
        // The sender has read and received their own message.
        sender.LastReadSeq = Math.Max(sender.LastReadSeq, message.Seq);
        sender.LastReadAt = now;
        sender.LastDeliveredSeq = Math.Max(sender.LastDeliveredSeq, message.Seq);
        sender.LastDeliveredAt = now;
        await context.SaveChangesAsync();
        await transaction.CommitAsync();
        return message.ToMessage();
    }

    /// <summary>The newest page (<paramref name="beforeSeq"/> null) or the page before a seq.</summary>
    public async Task<MessagePage> GetHistoryAsync(Guid chatId, Guid viewerId, long? beforeSeq, int limit)
    {
        await using var context = contexts.CreateDbContext();
        var clearedSeq = await context.Members
            .Where(m => m.ChatId == chatId && m.UserId == viewerId && m.LeftAt == null)
            .Select(m => (long?)m.ClearedSeq)
            .SingleOrDefaultAsync()
            ?? throw new InvalidOperationException($"{viewerId} is not a member of chat {chatId}.");

        var upTo = beforeSeq - 1 ?? long.MaxValue;
        var visible = context.Messages.AsNoTracking().Where(m =>
            m.ChatId == chatId && m.Seq > clearedSeq && !context.Hides.Any(h => h.UserId == viewerId && h.MessageId == m.Id));
        // One more than the page, to tell whether older ones are left.
        var messages = await visible.Where(m => m.Seq <= upTo).OrderByDescending(m => m.Seq).Take(limit + 1).Select(AsMessage).ToListAsync();
        var reachedNewest = beforeSeq is null || !await visible.AnyAsync(m => m.Seq > upTo);
        var reachedOldest = messages.Count <= limit;
        if (!reachedOldest)
            messages.RemoveAt(limit);
        messages.Reverse();
        return new MessagePage(messages, reachedOldest, reachedNewest);
    }

    /// <summary>
    /// Full text (ranked) or substring matches in one chat, or in all the user's chats when <paramref name="chatId"/>
    /// is null, best first, as the library ranks them.
    /// </summary>
    public async Task<List<MessageSearchHit>> SearchAsync(Guid userId, string query, Guid? chatId, int limit)
    {
        var pattern = MessageFields.ContainsPattern(query);
        await using var context = contexts.CreateDbContext();
        var messages = context.Messages.AsNoTracking();
        if (chatId is { } id)
            messages = messages.Where(m => m.ChatId == id);
        return await (
            from m in messages
            join cm in context.Members on m.ChatId equals cm.ChatId
            where cm.UserId == userId && cm.LeftAt == null && m.DeletedAt == null
                && (m.SearchVector.Matches(EF.Functions.WebSearchToTsQuery("simple", query)) || EF.Functions.ILike(m.Content!, pattern, @"\"))
                && m.Seq > cm.ClearedSeq
                && !context.Hides.Any(h => h.UserId == userId && h.MessageId == m.Id)
            let rank = (double)m.SearchVector.Rank(EF.Functions.WebSearchToTsQuery("simple", query))
                + (EF.Functions.ILike(m.Content!, pattern, @"\") ? 0.1 : 0.0)
            orderby rank descending, m.CreatedAt descending
            select new MessageSearchHit(
                new Message(
                    m.Id, m.ChatId, m.Seq, m.SenderId, m.ClientMsgId, m.Type, m.Content, m.Metadata, m.ReplyToId, m.ThreadRootId, m.ReplyCount,
                    m.LastReplyAt, m.Mentions, m.EditedAt, m.DeletedAt, m.DeletedBy, m.Flagged, m.CreatedAt),
                rank))
            .Take(limit)
            .ToListAsync();
    }
}
