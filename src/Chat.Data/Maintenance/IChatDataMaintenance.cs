namespace Chat.Data.Maintenance;

/// <summary>
/// Retention jobs for the host to schedule. Each works in batches of short
/// statements, so it never holds a lock for long and runs safely alongside normal traffic (and
/// alongside another run of itself); each returns how many rows it changed. Rows that are busy at
/// that moment are left for the next run.
/// </summary>
public interface IChatDataMaintenance
{
    /// <summary>
    /// Deletes the rows of messages deleted for everyone more than <paramref name="olderThan"/> ago
    /// (with their edits, hides and the like). Chats stay exact: <c>last_seq</c> never goes back (seqs
    /// are never reused), <c>message_count</c> already left them out, and a chat whose last message
    /// goes points at its newest remaining message (or none); a thread root's reply count drops by its
    /// purged replies. A message stays while any member (past or present) has not read up to it, since
    /// unread counts subtract the deleted messages after a member's read mark, and while it is the root
    /// of a thread that still has replies.
    /// </summary>
    /// <param name="olderThan">How long ago the deletion must be, zero or more.</param>
    /// <param name="batchSize">Messages per batch, 1 to 10,000.</param>
    /// <param name="cancellationToken">Stops between batches (or cancels the current statement).</param>
    Task<long> PurgeDeletedMessagesAsync(TimeSpan olderThan, int batchSize = 500, CancellationToken cancellationToken = default);

    /// <summary>
    /// Archives groups created more than <paramref name="idleFor"/> ago that have had no message for
    /// that long either (a group created with imported older history is not idle). A new message
    /// unarchives a group.
    /// </summary>
    /// <param name="idleFor">How long a group must have been idle, zero or more.</param>
    /// <param name="batchSize">Groups per batch, 1 to 10,000.</param>
    /// <param name="cancellationToken">Stops between batches (or cancels the current statement).</param>
    Task<long> ArchiveIdleGroupsAsync(TimeSpan idleFor, int batchSize = 500, CancellationToken cancellationToken = default);

    /// <summary>Deletes every user's activity feed items that occurred more than <paramref name="olderThan"/> ago.</summary>
    /// <param name="olderThan">How old an item must be, zero or more.</param>
    /// <param name="batchSize">Items per batch, 1 to 10,000.</param>
    /// <param name="cancellationToken">Stops between batches (or cancels the current statement).</param>
    Task<long> DeleteOldActivityAsync(TimeSpan olderThan, int batchSize = 500, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes read and delivery marks made more than <paramref name="olderThan"/> ago, keeping each
    /// member's newest mark of each kind. Read state (the watermarks) is unchanged, and receipts of
    /// messages sent since the cutoff keep their exact times; an older message's receipt then reports
    /// the time of the first mark kept that covers it.
    /// </summary>
    /// <param name="olderThan">How old a mark must be, zero or more.</param>
    /// <param name="batchSize">Marks per batch, 1 to 10,000.</param>
    /// <param name="cancellationToken">Stops between batches (or cancels the current statement).</param>
    Task<long> PruneReadMarksAsync(TimeSpan olderThan, int batchSize = 500, CancellationToken cancellationToken = default);
}
