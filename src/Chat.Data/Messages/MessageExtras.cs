using Chat.Data.Internal;

namespace Chat.Data.Messages;

/// <summary>
/// What a page of messages shows besides the messages: their attachments and reaction summaries,
/// loaded for the whole page in one round trip (two statements in one command), never per message.
/// </summary>
internal static class MessageExtras
{
    /// <summary>The most messages one lookup takes: a history page's largest limit.</summary>
    public const int MaxMessages = 200;

    public static readonly ILookup<Guid, MessageAttachment> NoAttachments = Array.Empty<MessageAttachment>().ToLookup(a => a.MessageId);

    public static readonly ILookup<Guid, ReactionSummary> NoReactions = Array.Empty<ReactionSummary>().ToLookup(r => r.MessageId);

    private static readonly string Sql = AttachmentRepository.ForMessagesSql + ";\n" + ReactionRepository.SummarySql;

    /// <summary>
    /// The attachments of <paramref name="attachmentIds"/> and the reactions of <paramref name="reactionIds"/>
    /// as <paramref name="viewerId"/> sees them; no round trip when both are empty.
    /// </summary>
    public static async Task<(ILookup<Guid, MessageAttachment> Attachments, ILookup<Guid, ReactionSummary> Reactions)> LoadAsync(
        ChatDatabase db, Guid[] attachmentIds, Guid[] reactionIds, Guid viewerId, CancellationToken cancellationToken)
    {
        if (attachmentIds.Length == 0 && reactionIds.Length == 0)
            return (NoAttachments, NoReactions);
        var (attachments, reactions) = await db.Replica.QueryTwoAsync(
            Sql, new { attachmentIds, reactionIds, viewerId },
            AttachmentRepository.Read, ReactionRepository.ReadSummary, cancellationToken).ConfigureAwait(false);
        return (attachments.ToLookup(a => a.MessageId), reactions.ToLookup(r => r.MessageId));
    }
}
